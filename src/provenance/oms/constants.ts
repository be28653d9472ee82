/** Fixed strings of the OpenSSF Model Signing (OMS) v1.0 format (spec §4–5; Python `signing.py`). */

/** Sigstore bundle media type written by every OMS signer (Python `_BUNDLE_MEDIA_TYPE`). */
export const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

/** DSSE payload type of an in-toto statement. */
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** in-toto Statement v1 `_type`. */
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

/** OMS v1.0 predicate type. */
export const PREDICATE_TYPE = 'https://model_signing/signature/v1.0';

/** Predicate type of model_signing v0.2 signatures (one subject per file), accepted on verify only. */
export const LEGACY_PREDICATE_TYPE = 'https://model_signing/Digests/v0.1';

/** Default signature file name inside a model folder (Python CLI `--signature` default). */
export const SIGNATURE_FILE = 'model.sig';

/** Named bounds of the OMS reader. */
export const OMS_LIMITS = {
  /** Bytes of a signature file read before giving up (CWE-400): a manifest of 1,000,000 shards is ~150 MB. */
  maxBundleBytes: 256 * 1024 * 1024,
  /** Resources in one predicate (CWE-400); as many as the hashing engine's maxEntries. */
  maxResources: 1_000_000,
  /** Certificates in `x509CertificateChain` or in one `--certificate-chain` file (CWE-400). */
  maxCertificates: 32,
  /** Certificates on one path from the leaf to a trust anchor (CWE-674). */
  maxChainDepth: 10,
} as const;
