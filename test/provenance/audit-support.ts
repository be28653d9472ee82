import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import AjvDraft04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

// CommonJS default exports seen from ESM under NodeNext.
const AjvDraft04 = AjvDraft04Module.default;
const addFormats = addFormatsModule.default;

const SHARED = new URL('../../../shared/', import.meta.url);

function json(url: URL): object {
  return JSON.parse(readFileSync(url, 'utf8')) as object;
}

/** Validator for schemas/audit.schema.json, with the scan report schema it refers to. */
export function auditValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  ajv.addSchema(json(new URL('../../schemas/report.schema.json', import.meta.url)));
  return ajv.compile(json(new URL('../../schemas/audit.schema.json', import.meta.url)));
}

/** Validator for the official SARIF 2.1.0 schema (draft-04), read from ../shared/schemas. */
export function sarifValidator() {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(json(new URL('schemas/sarif/sarif-schema-2.1.0.json', SHARED)));
}

/** The reference implementation's signed folders and their keys (../shared/vectors/model-signing). */
export const VECTORS = new URL('vectors/model-signing/reference-impl/', SHARED).pathname;

/** A fresh ECDSA P-256 key pair as PEM text. */
export function p256(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}
