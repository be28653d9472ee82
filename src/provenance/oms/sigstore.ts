/**
 * Keyless Sigstore for OMS bundles: offline verification against a trust root (embedded public-good root
 * from `@sigstore/tuf`, or `--trust-root FILE`), identity and issuer matched exactly; and keyless signing,
 * which needs the network (see `sigstore/sign.ts`).
 */

export type { SigstoreFailureKind } from './sigstore/errors.js';
export { SigstoreConfigError, SigstoreUnavailableError, SigstoreVerifyError } from './sigstore/errors.js';
export { SIGSTORE_LIMITS } from './sigstore/limits.js';
export { type SigstoreSignOptions, signSigstore } from './sigstore/sign.js';
export {
  isSigstoreBundle,
  type SigstorePolicy,
  type SigstoreVerified,
  verifySigstoreBundle,
} from './sigstore/verify.js';
