import type { SignatureCheck } from '../../provenance/audit/types.js';

/** One sentence saying what the signature check found (text and HTML reports). */
export function signatureHeadline(c: SignatureCheck): string {
  switch (c.status) {
    case 'verified':
      return 'The signature verifies and every signed file matches.';
    case 'failed':
      return `The signature does not verify: ${c.result.problems.length} problem${c.result.problems.length === 1 ? '' : 's'}. Do not use this model.`;
    case 'absent':
      return c.required
        ? 'No signature file was found, and a signature is required.'
        : 'No signature file was found; nothing proves who published these files (use --require-signature to fail on this).';
    case 'present-unverified':
      return c.required
        ? 'A signature is present but was not verified, and a verified signature is required: pass --public-key, --certificate-chain or --identity with --issuer.'
        : 'A signature is present but was not verified: pass --public-key, --certificate-chain or --identity with --issuer to verify it.';
    case 'error':
      return `Verification could not run: ${c.message}`;
  }
}
