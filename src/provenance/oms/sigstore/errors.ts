/** Typed errors of keyless (Sigstore) signing and verification. */

/** Why a keyless bundle did not verify (maps onto `VerifyProblem.kind`). */
export type SigstoreFailureKind =
  | 'signature' // the DSSE signature does not verify over the envelope's payload with the leaf key
  | 'untrusted' // chain, log, timestamps or SCTs not anchored in the trust root, or identity/issuer mismatch
  | 'format'; // not a keyless bundle, malformed, unsupported, or over a named limit

/** A keyless bundle that does not verify. `detail` is the sigstore-js error code where one was raised. */
export class SigstoreVerifyError extends Error {
  readonly code = 'SIGSTORE_VERIFY';
  readonly kind: SigstoreFailureKind;
  readonly detail: string | undefined;
  constructor(
    kind: SigstoreFailureKind,
    message: string,
    options: { cause?: unknown; detail?: string } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SigstoreVerifyError';
    this.kind = kind;
    this.detail = options.detail;
  }
}

/**
 * Verification cannot start: no usable trust root (staging root not shipped, `--trust-root` file missing,
 * too big or malformed) or an empty identity/issuer. A tool/usage error (exit 2), not a verdict on the bundle.
 */
export class SigstoreConfigError extends Error {
  readonly code = 'SIGSTORE_CONFIG';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SigstoreConfigError';
  }
}

/** Keyless signing cannot run in this build or environment (no signing client, no token, no network). */
export class SigstoreUnavailableError extends Error {
  readonly code = 'SIGSTORE_UNAVAILABLE';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SigstoreUnavailableError';
  }
}
