/** Named limits of keyless verification; exceeding one rejects the input with a message naming the limit. */
export const SIGSTORE_LIMITS = {
  /** A `--trust-root` file larger than this is refused (CWE-400: memory); real roots are ~10 KB. */
  maxTrustRootBytes: 1024 * 1024,
  /** Transparency-log entries per bundle; each costs signature and Merkle checks (CWE-400). Real: 1. */
  maxTlogEntries: 8,
  /** RFC 3161 timestamps per bundle; each costs a CMS signature and chain check (CWE-400). Real: 0–1. */
  maxTimestamps: 8,
  /** Certificates in a v0.1/v0.2 `x509CertificateChain` (CWE-400). Real: 1–3. */
  maxChainCertificates: 10,
  /** Hashes in one inclusion proof: a proof for a log of fewer than 2^64 entries has at most 64 (CWE-400). */
  maxInclusionProofHashes: 64,
} as const;
