/** OpenSSF Model Signing v1.0: sign and verify models (key, certificate and keyless Sigstore methods). */
export { type BundleMaterial, buildBundle, type DsseEnvelope, type OmsBundle, readBundle } from './bundle.js';
export { type Certificate, certificatesFromPem, UntrustedChainError, verifyChain } from './certificates.js';
export { type CheckOptions, checkModel } from './check-model.js';
export {
  BUNDLE_MEDIA_TYPE,
  LEGACY_PREDICATE_TYPE,
  OMS_LIMITS,
  PAYLOAD_TYPE,
  PREDICATE_TYPE,
  SIGNATURE_FILE,
  STATEMENT_TYPE,
} from './constants.js';
export { pae, paeCompat } from './dsse.js';
export {
  BundleFormatError,
  isToolError,
  KeyMaterialError,
  OmsUsageError,
  SignatureFileError,
} from './errors.js';
export { type CurveName, keyHint, loadPrivateKey, loadPublicKey } from './keys.js';
export { type SignOptions, type SignResult, signModel } from './sign.js';
export { defaultSignaturePath, findSignature } from './signature-path.js';
export { buildStatement, encodeStatement, parseStatement, type SignedManifest } from './statement.js';
export { type SigstorePolicy, type VerifyOptions, verifyModel } from './verify.js';
