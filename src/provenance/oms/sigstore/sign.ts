/**
 * Keyless signing. It needs an OIDC identity token, network access to Fulcio (certificate), Rekor
 * (transparency log) and, where configured, a timestamp authority, and a signing client (`@sigstore/sign`:
 * `FulcioSigner`, `RekorWitness`, `TSAWitness`, `DSSEBundleBuilder`). `@sigstore/sign` is not a dependency
 * of this build, so this fails at once with a message that says so; it never waits on the network.
 */
import { SigstoreUnavailableError } from './errors.js';

export interface SigstoreSignOptions {
  /** OIDC identity token; defaults to the `SIGSTORE_ID_TOKEN` environment variable. */
  identityToken?: string;
  staging?: boolean;
  /** A `trusted_root.json` (with signing config) for a private instance. */
  trustedRootPath?: string;
  /** Upper bound for each network call once a signing client is present. */
  fetchTimeoutMs?: number;
}

export async function signSigstore(
  _payloadType: string,
  _payload: Buffer,
  opts: SigstoreSignOptions,
): Promise<object> {
  const token = opts.identityToken ?? process.env['SIGSTORE_ID_TOKEN'];
  const tokenNote =
    token === undefined || token === ''
      ? ' No OIDC identity token was given either (--identity-token or SIGSTORE_ID_TOKEN).'
      : '';
  throw new SigstoreUnavailableError(
    'keyless Sigstore signing is not available in this build: it needs the @sigstore/sign client, network ' +
      `access to ${opts.staging === true ? 'the Sigstore staging' : 'Sigstore'} Fulcio and Rekor, and an OIDC ` +
      `identity token.${tokenNote} Sign with --private-key (key method) or --private-key and ` +
      '--signing-certificate (certificate method) instead; keyless bundles made by model_signing or cosign ' +
      'verify offline with --identity and --issuer.',
  );
}
