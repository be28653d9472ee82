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

/** Validator for our own report schema (draft-07). */
export function reportValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(json(new URL('../../schemas/report.schema.json', import.meta.url)));
}

/** Validator for the official SARIF 2.1.0 schema (draft-04), read from ../shared/schemas. */
export function sarifValidator() {
  const ajv = new AjvDraft04({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(json(new URL('schemas/sarif/sarif-schema-2.1.0.json', SHARED)));
}
