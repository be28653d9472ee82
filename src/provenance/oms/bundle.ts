/**
 * The Sigstore bundle (protobuf-specs JSON mapping) that carries an OMS signature: read leniently where
 * the spec and the Python/Go implementations differ (OMS §11; research note §1.9), strictly elsewhere.
 *
 * Lenient: `publicKey.hint` or `rawBytes` (+ `keyDetails`), `keyid` absent/empty/null, `tlogEntries`
 * absent or `[]` for the key and certificate methods, both v0.3 media type spellings.
 * Strict: one verification material, exactly one DSSE signature, base64 fields decode, no unknown keys
 * where the OMS schema forbids them, at least one log entry for the keyless method.
 */
import type { SigningMethod } from '../types.js';
import { BUNDLE_MEDIA_TYPE } from './constants.js';
import { decodeBase64 } from './dsse.js';
import { BundleFormatError } from './errors.js';

/** What the bundle offers to check the signature with. */
export type BundleMaterial =
  | {
      readonly kind: 'publicKey';
      readonly hint?: string;
      readonly rawBytes?: Buffer;
      readonly keyDetails?: string;
    }
  | { readonly kind: 'x509CertificateChain'; readonly certificates: readonly Buffer[] }
  | { readonly kind: 'certificate'; readonly certificate: Buffer };

export interface DsseEnvelope {
  /** Decoded payload: the exact bytes that were signed. */
  readonly payload: Buffer;
  readonly payloadType: string;
  readonly signature: Buffer;
  readonly keyid: string | null;
}

/** A structurally valid OMS bundle. */
export interface OmsBundle {
  readonly mediaType: string;
  /** `key` (publicKey), `certificate` (x509CertificateChain, no log entries) or `sigstore`. */
  readonly method: SigningMethod;
  readonly material: BundleMaterial;
  readonly tlogEntries: number;
  readonly envelope: DsseEnvelope;
  /** The parsed JSON, for the keyless verifier. */
  readonly json: Record<string, unknown>;
  readonly warnings: readonly string[];
}

const MEDIA_TYPE =
  /^application\/vnd\.dev\.sigstore\.bundle(?:\.v0\.([123])\+json|\+json;version=0\.([123]))$/;
const TOP_KEYS = new Set(['mediaType', 'verificationMaterial', 'dsseEnvelope']);
const MATERIAL_KEYS = ['publicKey', 'x509CertificateChain', 'certificate'] as const;
const MATERIAL_EXTRA = new Set(['tlogEntries', 'timestampVerificationData']);
const ENVELOPE_KEYS = new Set(['payload', 'payloadType', 'signatures']);
const SIGNATURE_KEYS = new Set(['sig', 'keyid']);

/**
 * Structural validation of a signature file: text (string or bytes) or already-parsed JSON. Returns the
 * typed bundle or throws BundleFormatError saying what is wrong. Verifies nothing cryptographic.
 */
export function readBundle(input: unknown): OmsBundle {
  const json = typeof input === 'string' || input instanceof Uint8Array ? parseJson(input) : input;
  const top = object(json, 'the signature file');
  if ('messageSignature' in top)
    throw new BundleFormatError(
      'the bundle carries a messageSignature; OMS signatures are DSSE envelopes (dsseEnvelope)',
    );
  unknownKeys(top, TOP_KEYS, 'the bundle');
  const mediaType = top['mediaType'];
  if (mediaType === undefined) throw new BundleFormatError('the bundle has no mediaType');
  const version = typeof mediaType === 'string' ? MEDIA_TYPE.exec(mediaType) : null;
  if (typeof mediaType !== 'string' || version === null)
    throw new BundleFormatError(`mediaType is ${JSON.stringify(mediaType)}, expected "${BUNDLE_MEDIA_TYPE}"`);
  if (!('verificationMaterial' in top)) throw new BundleFormatError('the bundle has no verificationMaterial');
  if (!('dsseEnvelope' in top)) throw new BundleFormatError('the bundle has no dsseEnvelope');

  const vm = object(top['verificationMaterial'], 'verificationMaterial');
  const present = MATERIAL_KEYS.filter((k) => k in vm);
  if (present.length !== 1)
    throw new BundleFormatError(
      present.length === 0
        ? 'verificationMaterial has none of publicKey, x509CertificateChain, certificate'
        : `verificationMaterial has both ${present.join(' and ')}`,
    );
  unknownKeys(vm, new Set([...present, ...MATERIAL_EXTRA]), 'verificationMaterial');
  const tlog = vm['tlogEntries'];
  if (tlog !== undefined && !Array.isArray(tlog))
    throw new BundleFormatError('verificationMaterial.tlogEntries is not an array');
  const tlogEntries = tlog?.length ?? 0;
  const tsd = vm['timestampVerificationData'];
  if (tsd !== undefined) object(tsd, 'verificationMaterial.timestampVerificationData');

  const warnings: string[] = [];
  const material = readMaterial(present[0]!, vm, warnings);
  const method: SigningMethod =
    material.kind === 'publicKey'
      ? 'key'
      : material.kind === 'certificate' || tlogEntries > 0
        ? 'sigstore'
        : 'certificate';
  if (material.kind === 'certificate' && tlogEntries === 0)
    throw new BundleFormatError(
      'verificationMaterial has a Sigstore certificate but no tlogEntries: a keyless signature needs at least one transparency-log entry',
    );
  const minor = version[1] ?? version[2];
  if (method !== 'sigstore' && minor !== '3')
    throw new BundleFormatError(
      `mediaType is "${mediaType}"; ${method} signatures use "${BUNDLE_MEDIA_TYPE}"`,
    );

  return {
    mediaType,
    method,
    material,
    tlogEntries,
    envelope: readEnvelope(top['dsseEnvelope']),
    json: top,
    warnings,
  };
}

function readMaterial(
  kind: (typeof MATERIAL_KEYS)[number],
  vm: Record<string, unknown>,
  warnings: string[],
): BundleMaterial {
  if (kind === 'publicKey') {
    const pk = object(vm['publicKey'], 'verificationMaterial.publicKey');
    const hint = optionalString(pk['hint'], 'verificationMaterial.publicKey.hint');
    const raw = optionalString(pk['rawBytes'], 'verificationMaterial.publicKey.rawBytes');
    const details = optionalString(pk['keyDetails'], 'verificationMaterial.publicKey.keyDetails');
    if (!hint && !raw)
      throw new BundleFormatError('verificationMaterial.publicKey has neither hint nor rawBytes');
    if (hint && !/^[0-9a-f]{64}$/i.test(hint))
      throw new BundleFormatError('verificationMaterial.publicKey.hint is not a hex SHA-256');
    if (!hint)
      warnings.push(
        'the bundle identifies its key with rawBytes (model_signing before 1.1) instead of a hint; the key given for verification is used',
      );
    return {
      kind,
      ...(hint ? { hint: hint.toLowerCase() } : {}),
      ...(raw ? { rawBytes: decodeBase64(raw, 'verificationMaterial.publicKey.rawBytes') } : {}),
      ...(details ? { keyDetails: details } : {}),
    };
  }
  if (kind === 'x509CertificateChain') {
    const chain = object(vm['x509CertificateChain'], 'verificationMaterial.x509CertificateChain');
    const certs = chain['certificates'];
    if (!Array.isArray(certs) || certs.length === 0)
      throw new BundleFormatError(
        'verificationMaterial.x509CertificateChain.certificates is empty or missing',
      );
    return {
      kind,
      certificates: certs.map((c, i) =>
        rawBytes(c, `verificationMaterial.x509CertificateChain.certificates[${i}]`),
      ),
    };
  }
  return { kind, certificate: rawBytes(vm['certificate'], 'verificationMaterial.certificate') };
}

function readEnvelope(value: unknown): DsseEnvelope {
  const env = object(value, 'dsseEnvelope');
  unknownKeys(env, ENVELOPE_KEYS, 'dsseEnvelope');
  const payload = env['payload'];
  if (typeof payload !== 'string' || payload === '')
    throw new BundleFormatError('dsseEnvelope.payload is missing or empty');
  const payloadType = env['payloadType'];
  if (typeof payloadType !== 'string') throw new BundleFormatError('dsseEnvelope.payloadType is missing');
  const sigs = env['signatures'];
  if (!Array.isArray(sigs) || sigs.length === 0)
    throw new BundleFormatError('dsseEnvelope.signatures is empty or missing');
  if (sigs.length > 1)
    throw new BundleFormatError(`dsseEnvelope has ${sigs.length} signatures; an OMS bundle has exactly one`);
  const s = object(sigs[0], 'dsseEnvelope.signatures[0]');
  unknownKeys(s, SIGNATURE_KEYS, 'dsseEnvelope.signatures[0]');
  const sig = s['sig'];
  if (typeof sig !== 'string' || sig === '')
    throw new BundleFormatError('dsseEnvelope.signatures[0].sig is missing or empty');
  const keyid = s['keyid'];
  if (keyid !== undefined && keyid !== null && typeof keyid !== 'string')
    throw new BundleFormatError('dsseEnvelope.signatures[0].keyid is not a string');
  return {
    payload: decodeBase64(payload, 'dsseEnvelope.payload'),
    payloadType,
    signature: decodeBase64(sig, 'dsseEnvelope.signatures[0].sig'),
    keyid: keyid ?? null,
  };
}

function parseJson(input: string | Uint8Array): unknown {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.trim() === '') throw new BundleFormatError('the signature file is empty');
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BundleFormatError(`the signature file is not JSON: ${(e as Error).message}`, { cause: e });
  }
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BundleFormatError(`${what} is not a JSON object`);
  return value as Record<string, unknown>;
}

function unknownKeys(obj: Record<string, unknown>, allowed: ReadonlySet<string>, what: string): void {
  const extra = Object.keys(obj).filter((k) => !allowed.has(k));
  if (extra.length > 0) throw new BundleFormatError(`${what} has unknown field(s): ${extra.join(', ')}`);
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BundleFormatError(`${what} is not a string`);
  return value;
}

function rawBytes(value: unknown, what: string): Buffer {
  const o = object(value, what);
  const raw = o['rawBytes'];
  if (typeof raw !== 'string' || raw === '')
    throw new BundleFormatError(`${what}.rawBytes is missing or empty`);
  return decodeBase64(raw, `${what}.rawBytes`);
}

/** The bundle `sign` writes for the key and certificate methods (Python's field order). */
export function buildBundle(
  material: { publicKeyHint: string } | { certificates: readonly Uint8Array[] },
  payload: Uint8Array,
  payloadType: string,
  signature: Uint8Array,
): Record<string, unknown> {
  const verificationMaterial =
    'publicKeyHint' in material
      ? { publicKey: { hint: material.publicKeyHint }, tlogEntries: [] }
      : {
          x509CertificateChain: {
            certificates: material.certificates.map((c) => ({ rawBytes: Buffer.from(c).toString('base64') })),
          },
          tlogEntries: [],
        };
  return {
    mediaType: BUNDLE_MEDIA_TYPE,
    verificationMaterial,
    dsseEnvelope: {
      payload: Buffer.from(payload).toString('base64'),
      payloadType,
      signatures: [{ sig: Buffer.from(signature).toString('base64'), keyid: '' }],
    },
  };
}
