/**
 * Keyless signing with `@sigstore/sign`: an ephemeral P-256 key, certified by Fulcio for the OIDC identity
 * token (`oidc.ts`), signs the DSSE envelope; Rekor logs it (and a timestamp authority stamps it, if one is
 * named). Never interactive; each service must answer within `fetchTimeoutMs` (no retries), and a failure
 * names the service. Before the bundle is returned it is checked: v0.3 media type, the envelope is the one
 * signed, the certificate holds our key and names an identity (SAN) and issuer, the signature verifies with
 * it, the log entry records this signature and certificate; and, when a trust root is known (public-good
 * services, or `trustedRootPath`), the whole bundle is verified offline as `modelguard verify` would.
 */
import { createHash, sign as ecdsaSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { BUNDLE_V03_MEDIA_TYPE, type Bundle, bundleToJSON } from '@sigstore/bundle';
import { X509Certificate } from '@sigstore/core';
import type { Signer, Witness } from '@sigstore/sign';
import { verifyDsse } from './dsse-signature.js';
import { SigstoreConfigError, SigstoreUnavailableError, SigstoreVerifyError } from './errors.js';
import { certificateIdentity } from './identity.js';
import { describeCause, isLoopbackHttp, resolveIdentityToken } from './oidc.js';
import { assertTlogNamesLeaf } from './tlog-checks.js';
import { loadTrust } from './trust-root.js';
import { verifySigstoreBundle } from './verify.js';

export interface SigstoreSignOptions {
  /** OIDC identity token; defaults to `SIGSTORE_ID_TOKEN`, then the ambient GitHub Actions token. */
  identityToken?: string;
  /** Use the Sigstore staging services (fulcio.sigstage.dev, rekor.sigstage.dev). */
  staging?: boolean;
  /** A `trusted_root.json` the new bundle must verify against (private instance, staging). */
  trustedRootPath?: string;
  /** Upper bound for each service (token request, Fulcio, Rekor, TSA); default 30 s. */
  fetchTimeoutMs?: number;
  /** Fulcio base URL of a private instance; overrides `staging`. https, or http to this machine only. */
  fulcioURL?: string;
  /** Rekor base URL of a private instance; overrides `staging`. https, or http to this machine only. */
  rekorURL?: string;
  /**
   * RFC 3161 timestamp authority: a base URL (https://timestamp.sigstore.dev) or, with a path, the full
   * timestamp endpoint. None by default (Rekor's signed entry timestamp dates the signature).
   */
  tsaURL?: string;
}

export const SIGSTORE_SERVICES = {
  publicGood: { fulcio: 'https://fulcio.sigstore.dev', rekor: 'https://rekor.sigstore.dev' },
  staging: { fulcio: 'https://fulcio.sigstage.dev', rekor: 'https://rekor.sigstage.dev' },
} as const;

export const DEFAULT_FETCH_TIMEOUT_MS = 30_000;

const NEEDS_NETWORK =
  'Keyless signing needs network access to Fulcio (signing certificate) and Rekor (transparency log); ' +
  'nothing was signed';

export interface Endpoints {
  fulcio: string;
  rekor: string;
  tsa: string | undefined;
}

export async function signSigstore(
  payloadType: string,
  payload: Buffer,
  opts: SigstoreSignOptions,
): Promise<object> {
  const timeoutMs = fetchTimeout(opts.fetchTimeoutMs);
  const urls = signingEndpoints(opts);
  const root = selfCheckRoot(opts, urls);
  if (opts.trustedRootPath !== undefined) await loadTrust({ trustedRootPath: opts.trustedRootPath });
  const id = await resolveIdentityToken(opts.identityToken, process.env, timeoutMs);
  const { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness } = await import('@sigstore/sign');

  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const fetchOptions = { timeout: timeoutMs, retry: 0 };
  const fulcio = new FulcioSigner({
    identityProvider: { getToken: async () => id.token },
    keyHolder: {
      sign: async (data) => ({
        signature: ecdsaSign('sha256', data, key.privateKey),
        key: { $case: 'publicKey', publicKey: publicPem },
      }),
    },
    fulcioBaseURL: urls.fulcio,
    ...fetchOptions,
  });
  const signer: Signer = {
    sign: (data) => service('Fulcio', urls.fulcio, timeoutMs, id.token, () => fulcio.sign(data)),
  };
  const witnesses: Witness[] = [
    witness(
      'Rekor',
      urls.rekor,
      timeoutMs,
      id.token,
      new RekorWitness({
        rekorBaseURL: urls.rekor,
        entryType: 'dsse',
        fetchOnConflict: false,
        ...fetchOptions,
      }),
    ),
  ];
  if (urls.tsa !== undefined)
    witnesses.push(
      witness(
        'the timestamp authority',
        urls.tsa,
        timeoutMs,
        id.token,
        new TSAWitness({
          tsaBaseURL: urls.tsa,
          ...fetchOptions,
        }),
      ),
    );
  const bundle = await new DSSEBundleBuilder({ signer, witnesses }).create({
    data: payload,
    type: payloadType,
  });
  const identity = checkBundle(bundle, payloadType, payload, key.publicKey, urls);
  const json = bundleToJSON(bundle);
  if (root !== undefined) await selfVerify(json, identity, root);
  return json;
}

function fetchTimeout(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_FETCH_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new SigstoreConfigError(`fetchTimeoutMs must be a positive number of milliseconds, got ${ms}`);
  return Math.ceil(ms);
}

/** The Fulcio, Rekor and (optional) TSA base URLs for `opts`; throws `SigstoreConfigError` for a bad one. */
export function signingEndpoints(opts: SigstoreSignOptions): Endpoints {
  const base = opts.staging === true ? SIGSTORE_SERVICES.staging : SIGSTORE_SERVICES.publicGood;
  return {
    fulcio: serviceUrl('Fulcio', opts.fulcioURL ?? base.fulcio),
    rekor: serviceUrl('Rekor', opts.rekorURL ?? base.rekor),
    tsa: opts.tsaURL === undefined ? undefined : serviceUrl('timestamp authority', opts.tsaURL),
  };
}

/** https, or http to this machine: the identity token (a bearer credential) goes to Fulcio. */
function serviceUrl(name: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (e) {
    throw new SigstoreConfigError(`the ${name} URL ${JSON.stringify(text)} is not a URL`, { cause: e });
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url))
    throw new SigstoreConfigError(
      `the ${name} URL ${JSON.stringify(text)} must use https (plain http only to localhost)`,
    );
  return url.href.replace(/\/+$/, '');
}

/** The trust root the new bundle is verified against: given, or public-good for the public-good services. */
function selfCheckRoot(opts: SigstoreSignOptions, urls: Endpoints): { trustedRootPath?: string } | undefined {
  if (opts.trustedRootPath !== undefined) return { trustedRootPath: opts.trustedRootPath };
  const pg = SIGSTORE_SERVICES.publicGood;
  return urls.fulcio === pg.fulcio && urls.rekor === pg.rekor && urls.tsa === undefined ? {} : undefined;
}

function witness(name: string, url: string, timeoutMs: number, token: string, w: Witness): Witness {
  return { testify: (content, key) => service(name, url, timeoutMs, token, () => w.testify(content, key)) };
}

/** Runs one service call within `timeoutMs`; any failure becomes a message naming the service. */
async function service<T>(
  name: string,
  url: string,
  timeoutMs: number,
  token: string,
  call: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unavailable(name, url, `no answer within ${timeoutMs} ms`, token)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([call(), deadline]);
  } catch (e) {
    if (e instanceof SigstoreUnavailableError) throw e;
    throw unavailable(name, url, why(e, timeoutMs), token, e);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(
  name: string,
  url: string,
  reason: string,
  token: string,
  cause?: unknown,
): SigstoreUnavailableError {
  const msg = `keyless signing failed at ${name} (${url}): ${reason}. ${name === 'Fulcio' || name === 'Rekor' ? NEEDS_NETWORK : `${NEEDS_NETWORK}; leave out the timestamp authority to sign without it`}.`;
  return new SigstoreUnavailableError(
    token === '' ? msg : msg.split(token).join('<identity token>'),
    cause === undefined ? {} : { cause },
  );
}

/** The reason in a sigstore-js error chain: HTTP status and message, timeout, or network error code. */
function why(e: unknown, timeoutMs: number): string {
  for (let cur: unknown = e, depth = 0; depth < 5 && cur instanceof Error; depth++, cur = cur.cause) {
    const status = (cur as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number') {
      const hint =
        status === 401 || status === 403
          ? ' (is the identity token valid, unexpired and for audience "sigstore"?)'
          : status >= 500 || status === 429
            ? ' (the service is failing or busy: try again later)'
            : '';
      return `HTTP ${status} ${cur.message.replace(/^\(\d+\)\s*/, '')}${hint}`.trim();
    }
    if ((cur as { type?: unknown }).type === 'request-timeout') return `no answer within ${timeoutMs} ms`;
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return `cannot connect (${code})`;
    if (cur.cause === undefined) return `unexpected reply (${describeCause(cur)})`;
  }
  return `unexpected reply (${describeCause(e)})`;
}

interface SignedIdentity {
  identity: string;
  issuer: string;
}

/** What Fulcio and Rekor returned, checked before anything is written. Returns the certified identity. */
function checkBundle(
  bundle: Bundle,
  payloadType: string,
  payload: Buffer,
  publicKey: KeyObject,
  urls: Endpoints,
): SignedIdentity {
  const bad = (who: string, url: string, what: string, cause?: unknown): never => {
    throw new SigstoreUnavailableError(
      `keyless signing failed: ${who} (${url}) returned ${what}; nothing was signed`,
      cause === undefined ? {} : { cause },
    );
  };
  const env = bundle.content.$case === 'dsseEnvelope' ? bundle.content.dsseEnvelope : undefined;
  if (bundle.mediaType !== BUNDLE_V03_MEDIA_TYPE || env === undefined)
    throw new SigstoreUnavailableError(
      `the signing client built a ${bundle.mediaType} bundle, not a v0.3 DSSE one`,
    );
  if (env.payloadType !== payloadType || !Buffer.from(env.payload).equals(payload))
    throw new SigstoreUnavailableError('the signing client changed the DSSE payload');
  const vm = bundle.verificationMaterial.content;
  if (vm.$case !== 'certificate') return bad('Fulcio', urls.fulcio, 'no signing certificate');
  let leaf: X509Certificate;
  try {
    leaf = X509Certificate.parse(Buffer.from(vm.certificate.rawBytes));
  } catch (e) {
    return bad('Fulcio', urls.fulcio, 'a signing certificate that is not valid DER', e);
  }
  const ours = publicKey.export({ format: 'der', type: 'spki' });
  if (!ours.equals(leaf.publicKey))
    bad(
      'Fulcio',
      urls.fulcio,
      'a certificate for a different public key than the one it was asked to certify',
    );
  let found: { sans: readonly string[]; issuer: string };
  try {
    found = certificateIdentity(leaf);
  } catch (e) {
    return bad('Fulcio', urls.fulcio, `an unusable certificate (${(e as Error).message})`, e);
  }
  const identity = found.sans[0];
  if (identity === undefined) return bad('Fulcio', urls.fulcio, 'a certificate that names no identity (SAN)');
  const sig = Buffer.from(env.signatures[0]?.sig ?? []);
  if (!verifyDsse(payloadType, payload, sig, publicKey))
    throw new SigstoreUnavailableError('the DSSE signature made with the ephemeral key does not verify');

  const entries = bundle.verificationMaterial.tlogEntries;
  if (entries.length === 0) bad('Rekor', urls.rekor, 'no transparency log entry');
  try {
    assertTlogNamesLeaf(entries, leaf);
  } catch (e) {
    bad('Rekor', urls.rekor, `a log entry for something else (${(e as Error).message})`, e);
  }
  for (const entry of entries) {
    const spec = loggedSpec(entry.canonicalizedBody);
    const loggedSig = spec?.signatures?.[0]?.signature;
    const loggedHash = spec?.payloadHash?.value;
    if (
      loggedSig !== sig.toString('base64') ||
      loggedHash !== createHash('sha256').update(payload).digest('hex')
    )
      bad('Rekor', urls.rekor, 'a log entry that does not record this signature and payload');
  }
  return { identity, issuer: found.issuer };
}

interface DsseSpec {
  signatures?: { signature?: unknown }[];
  payloadHash?: { value?: unknown };
}

function loggedSpec(body: Buffer): DsseSpec | undefined {
  try {
    return (JSON.parse(body.toString('utf8')) as { spec?: DsseSpec } | null)?.spec;
  } catch {
    return undefined;
  }
}

/** The new bundle must verify offline, as `modelguard verify` will check it. */
async function selfVerify(
  json: unknown,
  id: SignedIdentity,
  root: { trustedRootPath?: string },
): Promise<void> {
  try {
    await verifySigstoreBundle(json, { ...id, ...root });
  } catch (e) {
    if (!(e instanceof SigstoreVerifyError)) throw e;
    throw new SigstoreUnavailableError(
      `keyless signing failed: the bundle Fulcio and Rekor returned does not verify against the trust root ` +
        `(${root.trustedRootPath ?? 'embedded public-good root'}): ${e.message}. If Sigstore rotated its ` +
        'keys, pass a fresh trusted_root.json with --trust-root; nothing was signed.',
      { cause: e },
    );
  }
}
