import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

/** Every provenance rule is a supply-chain integrity failure of the model (ATLAS AML.T0010.003, OWASP ML06/LLM03). */
const integrity = {
  severity: 'high',
  cwe: [CWE.integrity, CWE.downloadWithoutIntegrity],
  atlas: [ATLAS.supplyChainModel],
  owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
} as const;

/**
 * Rules of `modelguard audit` for the signature check. Each failed verification becomes findings of
 * these rules, so SARIF, text and HTML show them beside the scan findings.
 */
export const PROVENANCE_RULES = defineRules({
  'provenance/signature-missing': {
    title: 'Model signature required but missing',
    description:
      'A signature was required (--require-signature, or verification material was given) but the model has no OpenSSF Model Signing signature file, so nothing proves who published these files or that they are unchanged.',
    ...integrity,
    cwe: [CWE.missingIntegrityCheck, CWE.downloadWithoutIntegrity],
    remediation:
      'Get the model from a publisher that signs it (model_signing / modelguard sign) and verify it, or sign it yourself at the point where you last trusted it.',
  },
  'provenance/signature-invalid': {
    title: 'Model signature does not verify',
    description:
      'The cryptographic signature over the model manifest does not verify with the given key, certificate chain or Sigstore identity: the signature file was forged or altered, or it belongs to someone else.',
    ...integrity,
    remediation:
      'Do not use the model. Check that the verification material is the publisher’s, and download the model and its signature again from the publisher.',
  },
  'provenance/signer-untrusted': {
    title: 'Model signed by an untrusted signer',
    description:
      'The signature is well formed but the key, certificate chain or Sigstore identity/issuer is not the one you trust, so the files may come from someone other than the publisher.',
    ...integrity,
    remediation:
      'Verify with the publisher’s key, chain or exact identity and issuer; if they are right, the model was signed by someone else: do not use it.',
  },
  'provenance/signature-malformed': {
    title: 'Model signature file is malformed or unsupported',
    description:
      'The signature file is not a valid OpenSSF Model Signing bundle (bad JSON, envelope, statement or predicate) or uses a feature this verifier does not support, so the model is not verified.',
    ...integrity,
    remediation:
      'Re-download the signature file; if it is intact, report the unsupported feature to the modelguard maintainers.',
  },
  'provenance/file-modified': {
    title: 'Model file changed since it was signed',
    description:
      'The digest of this file (or shard) differs from the one in the signed manifest: its bytes were changed after signing — tampering, corruption, or a swapped file.',
    ...integrity,
    remediation:
      'Do not load the model. Download the file again from the publisher and re-run the audit; if it still differs, report it to the publisher.',
  },
  'provenance/file-missing': {
    title: 'Signed model file is missing',
    description:
      'The signed manifest lists this file but it is not on disk, so the model you have is not the one that was signed (a file was removed, renamed or not downloaded).',
    ...integrity,
    remediation: 'Download the complete model from the publisher and re-run the audit.',
  },
  'provenance/file-unsigned': {
    title: 'Model file not covered by the signature',
    description:
      'This file is in the model folder but not in the signed manifest: it was added after signing, and any code or weights in it are unvouched for.',
    ...integrity,
    remediation:
      'Remove the file, or find out who added it; if it is expected (a local cache, notes), exclude it from signing with --ignore-paths.',
  },
});

export type ProvenanceRuleId = keyof typeof PROVENANCE_RULES;
