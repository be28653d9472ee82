/**
 * Offline verification of a keyless (Fulcio + Rekor) Sigstore bundle holding a DSSE envelope, in this order:
 * bundle shape and limits (`format`) → DSSE signature with the leaf key (`signature`) → sigstore-js
 * `Verifier` with the trust root: signed timestamps (Rekor SET integrated time, RFC 3161), the Fulcio chain
 * at those times (never the wall clock), SCTs, tlog inclusion (SET and/or Merkle proof + checkpoint) and the
 * logged body (`untrusted`) → our own log checks (`tlog-checks.ts`) → identity and issuer, exactly.
 */
import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  bundleFromJSON,
} from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import {
  PolicyError,
  type SignedEntity,
  toSignedEntity,
  VerificationError,
  Verifier,
} from '@sigstore/verify';
import { hashForKey, publicKeyFromSpki, verifyDsse } from './dsse-signature.js';
import { SigstoreConfigError, type SigstoreFailureKind, SigstoreVerifyError } from './errors.js';
import { assertIdentity, certificateIdentity } from './identity.js';
import { SIGSTORE_LIMITS } from './limits.js';
import { assertDistinctEntries, checkTlogEntries } from './tlog-checks.js';
import { loadTrust } from './trust-root.js';

export interface SigstorePolicy {
  /** The certificate's SAN (email, URI or username), matched exactly. */
  identity: string;
  /** The OIDC issuer recorded by Fulcio, matched exactly. */
  issuer: string;
  /** A `trusted_root.json` to use instead of the embedded public-good root. */
  trustedRootPath?: string;
  /** Use the Sigstore staging root (not shipped: needs `trustedRootPath`). */
  staging?: boolean;
}

export interface SigstoreVerified {
  /** The DSSE payload bytes, verified; parse them only now. */
  payload: Buffer;
  payloadType: string;
  /** `identity (issuer)`. */
  signer: string;
  warnings: string[];
}

const LEGACY_MEDIA_TYPES: readonly string[] = [BUNDLE_V01_MEDIA_TYPE, BUNDLE_V02_MEDIA_TYPE];
const KNOWN_MEDIA_TYPES: readonly string[] = [
  ...LEGACY_MEDIA_TYPES,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
];

/**
 * True when the bundle is keyless: its verification material is a Fulcio `certificate` (v0.3), or an
 * `x509CertificateChain` with transparency-log entries under a v0.1/v0.2 media type. (OMS `certificate`
 * method bundles carry an `x509CertificateChain` under v0.3 and no log entries: not keyless.)
 */
export function isSigstoreBundle(bundleJson: unknown): boolean {
  const b = asObject(bundleJson);
  const vm = asObject(b?.['verificationMaterial']);
  if (vm === undefined) return false;
  if (asObject(vm['certificate']) !== undefined) return true;
  if (asObject(vm['x509CertificateChain']) === undefined) return false;
  const entries = vm['tlogEntries'];
  return (
    LEGACY_MEDIA_TYPES.includes(String(b?.['mediaType'])) && Array.isArray(entries) && entries.length > 0
  );
}

export async function verifySigstoreBundle(
  bundleJson: unknown,
  policy: SigstorePolicy,
): Promise<SigstoreVerified> {
  for (const field of ['identity', 'issuer'] as const)
    if (typeof policy[field] !== 'string' || policy[field] === '')
      throw new SigstoreConfigError(`keyless verification needs a non-empty ${field}`);
  const trust = await loadTrust(policy);
  const warnings: string[] = [];
  const bundle = parseKeylessBundle(bundleJson, warnings);
  const env = bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope : undefined;
  if (env === undefined)
    throw new SigstoreVerifyError(
      'format',
      'the bundle holds a message signature, not a DSSE envelope: it carries no OMS payload',
    );
  const leaf = leafCertificate(bundle);
  const key = attempt('format', 'the signing certificate key cannot be read', () =>
    publicKeyFromSpki(leaf.publicKey),
  );
  if (hashForKey(key) === undefined)
    throw new SigstoreVerifyError('format', `unsupported signing key type ${key.asymmetricKeyType}`);
  const sig = env.signatures[0]?.sig ?? Buffer.alloc(0);
  if (!verifyDsse(env.payloadType, env.payload, sig, key))
    throw new SigstoreVerifyError(
      'signature',
      'the DSSE signature does not verify over the envelope payload with the signing certificate key',
    );

  const entity: SignedEntity = attempt('format', 'malformed Sigstore verification material', () =>
    toSignedEntity(bundle),
  );
  const logged = entity.signature;
  entity.signature = {
    signature: logged.signature,
    compareSignature: (s) => logged.compareSignature(s),
    compareDigest: (d) => logged.compareDigest(d),
    verifySignature: (k) => verifyDsse(env.payloadType, env.payload, sig, k),
  };
  try {
    new Verifier(trust.material).verify(entity);
  } catch (e) {
    throw fromSigstoreJs(e, trust.source);
  }
  checkTlogEntries(bundle.verificationMaterial.tlogEntries, leaf);
  const found = attempt('format', 'the signing certificate extensions cannot be read', () =>
    certificateIdentity(leaf),
  );
  assertIdentity(found, policy.identity, policy.issuer);
  if (policy.staging === true)
    warnings.push(`verified against the Sigstore staging trust root (${trust.source})`);
  return {
    payload: Buffer.from(env.payload),
    payloadType: env.payloadType,
    signer: `${policy.identity} (${policy.issuer})`,
    warnings,
  };
}

function parseKeylessBundle(json: unknown, warnings: string[]): Bundle {
  const b = asObject(json);
  if (b === undefined) throw new SigstoreVerifyError('format', 'the signature file is not a JSON object');
  const mediaType = b['mediaType'];
  if (typeof mediaType !== 'string' || !KNOWN_MEDIA_TYPES.includes(mediaType))
    throw new SigstoreVerifyError(
      'format',
      `unsupported Sigstore bundle media type ${JSON.stringify(mediaType)} (expected one of ${KNOWN_MEDIA_TYPES.join(', ')})`,
    );
  if (!isSigstoreBundle(json)) {
    const vm = asObject(b['verificationMaterial']);
    const kind =
      vm === undefined
        ? 'none'
        : Object.keys(vm)
            .filter((k) => k !== 'tlogEntries')
            .join(', ');
    throw new SigstoreVerifyError(
      'format',
      `not a keyless Sigstore bundle: verification material is ${kind || 'empty'}` +
        (vm?.['publicKey'] !== undefined ? ' (verify it with a public key)' : '') +
        (vm?.['x509CertificateChain'] !== undefined ? ' (verify it with a certificate chain)' : ''),
    );
  }
  checkLimits(b);
  const bundle = attempt('format', 'malformed Sigstore bundle', () => bundleFromJSON(json));
  if (bundle.verificationMaterial.tlogEntries.length === 0)
    throw new SigstoreVerifyError(
      'format',
      'the keyless bundle has no transparency log entries (verificationMaterial.tlogEntries is missing or empty)',
    );
  assertDistinctEntries(bundle.verificationMaterial.tlogEntries);
  if (LEGACY_MEDIA_TYPES.includes(mediaType)) warnings.push(`legacy Sigstore bundle media type ${mediaType}`);
  return bundle;
}

function checkLimits(b: Record<string, unknown>): void {
  const vm = asObject(b['verificationMaterial']);
  const entries = Array.isArray(vm?.['tlogEntries']) ? (vm['tlogEntries'] as unknown[]) : [];
  over('maxTlogEntries', entries.length, 'transparency log entries');
  for (const e of entries) {
    const hashes = asObject(asObject(e)?.['inclusionProof'])?.['hashes'];
    over('maxInclusionProofHashes', Array.isArray(hashes) ? hashes.length : 0, 'inclusion proof hashes');
  }
  const ts = asObject(vm?.['timestampVerificationData'])?.['rfc3161Timestamps'];
  over('maxTimestamps', Array.isArray(ts) ? ts.length : 0, 'RFC 3161 timestamps');
  const chain = asObject(vm?.['x509CertificateChain'])?.['certificates'];
  over('maxChainCertificates', Array.isArray(chain) ? chain.length : 0, 'chain certificates');
}

function over(limit: keyof typeof SIGSTORE_LIMITS, n: number, what: string): void {
  if (n > SIGSTORE_LIMITS[limit])
    throw new SigstoreVerifyError(
      'format',
      `${n} ${what}, over the limit ${limit} (${SIGSTORE_LIMITS[limit]})`,
    );
}

function leafCertificate(bundle: Bundle): X509Certificate {
  const vm = bundle.verificationMaterial.content;
  const raw =
    vm.$case === 'certificate'
      ? vm.certificate.rawBytes
      : vm.$case === 'x509CertificateChain'
        ? vm.x509CertificateChain.certificates[0]?.rawBytes
        : undefined;
  if (raw === undefined) throw new SigstoreVerifyError('format', 'the bundle carries no signing certificate');
  return attempt('format', 'the signing certificate is not valid DER', () =>
    X509Certificate.parse(Buffer.from(raw)),
  );
}

const SIGSTORE_JS_WHAT: Readonly<Record<string, string>> = {
  CERTIFICATE_ERROR:
    'the signing certificate does not chain to a Fulcio CA of the trust root at the signing time',
  TIMESTAMP_ERROR: 'signed timestamps',
  TLOG_ERROR: 'transparency log',
  TLOG_BODY_ERROR: 'the transparency log entry does not match this signature',
  TLOG_INCLUSION_PROOF_ERROR: 'transparency log inclusion proof',
  TLOG_INCLUSION_PROMISE_ERROR: 'transparency log signed entry timestamp (inclusion promise)',
  TLOG_MISSING_INCLUSION_ERROR: 'transparency log inclusion',
  PUBLIC_KEY_ERROR: 'public key',
  SIGNATURE_ERROR: 'the DSSE signature does not verify',
  UNTRUSTED_SIGNER_ERROR: 'signer',
};

/** sigstore-js errors → our kinds: a failed signature is `signature`; any other verdict is `untrusted`. */
function fromSigstoreJs(e: unknown, source: string): SigstoreVerifyError {
  if (e instanceof SigstoreVerifyError) return e;
  if (e instanceof VerificationError || e instanceof PolicyError) {
    const kind: SigstoreFailureKind = e.code === 'SIGNATURE_ERROR' ? 'signature' : 'untrusted';
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    const what = SIGSTORE_JS_WHAT[e.code] ?? e.code;
    return new SigstoreVerifyError(kind, `${what}: ${e.message}${cause} [trust root: ${source}]`, {
      cause: e,
      detail: e.code,
    });
  }
  return new SigstoreVerifyError('format', `malformed Sigstore verification material: ${String(e)}`, {
    cause: e,
  });
}

function attempt<T>(kind: SigstoreFailureKind, what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof SigstoreVerifyError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    const fields = (e as { fields?: unknown }).fields;
    throw new SigstoreVerifyError(
      kind,
      `${what}: ${msg}${Array.isArray(fields) ? ` ${fields.join(', ')}` : ''}`,
      {
        cause: e,
      },
    );
  }
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}
