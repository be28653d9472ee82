/** Typed errors of OMS signing and verification. */

export type OmsErrorCode =
  | 'BUNDLE_FORMAT' // the signature file is not a well-formed OMS bundle or statement
  | 'KEY_MATERIAL' // a key, password or certificate given by the user cannot be used
  | 'SIGNATURE_FILE' // the signature file cannot be read (missing, unreadable, too big)
  | 'OMS_USAGE'; // the request cannot be carried out as given (empty model, no verification material…)

/** A signature file (bundle or its signed statement) that is malformed or uses an unsupported feature. */
export class BundleFormatError extends Error {
  readonly code = 'BUNDLE_FORMAT' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BundleFormatError';
  }
}

/**
 * Key material the caller supplied cannot be used: unreadable PEM, wrong or missing password, a curve
 * other than P-256/P-384/P-521, a certificate whose key is not the private key's. A usage error (exit 2).
 */
export class KeyMaterialError extends Error {
  readonly code = 'KEY_MATERIAL' as const;
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeyMaterialError';
  }
}

/** The signature file cannot be read at all (a tool error, exit 2; a malformed one is a verify problem). */
export class SignatureFileError extends Error {
  readonly code = 'SIGNATURE_FILE' as const;
  readonly path: string;
  constructor(path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SignatureFileError';
    this.path = path;
  }
}

/** A request that cannot be carried out as given: nothing to sign, no verification material… (exit 2). */
export class OmsUsageError extends Error {
  readonly code = 'OMS_USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'OmsUsageError';
  }
}

const TOOL_ERROR_CODES: ReadonlySet<string> = new Set([
  'KEY_MATERIAL',
  'SIGNATURE_FILE',
  'OMS_USAGE',
  'SIGSTORE_CONFIG', // sigstore/errors.ts: no usable trust root, empty identity
  'SIGSTORE_UNAVAILABLE', // sigstore/errors.ts: keyless signing cannot run here
]);

/**
 * True for the errors of signing and verification that mean "the tool could not do its job as asked"
 * (exit 2) rather than a bug: unusable key material, unreadable signature file, usage, keyless set-up,
 * and the hashing engine's model path errors (`ModelPathError`, recognised by its name).
 */
export function isToolError(e: unknown): e is Error {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  return e.name === 'ModelPathError' || (typeof code === 'string' && TOOL_ERROR_CODES.has(code));
}
