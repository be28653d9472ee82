/**
 * The OIDC identity token of keyless signing, never interactive: an explicit token, else the
 * `SIGSTORE_ID_TOKEN` environment variable, else the ambient GitHub Actions token (audience `sigstore`,
 * fetched with a deadline). The token is a bearer credential: no message here ever contains it.
 */
import { SigstoreUnavailableError } from './errors.js';

/** Named limits of token handling (CWE-400). Real tokens are 1–2 KB; the GitHub reply is one JSON field. */
export const OIDC_LIMITS = {
  maxTokenChars: 16 * 1024,
  maxTokenResponseBytes: 64 * 1024,
} as const;

export interface IdentityToken {
  readonly token: string;
  /** Where it came from, for messages: `--identity-token`, `SIGSTORE_ID_TOKEN` or `GitHub Actions OIDC`. */
  readonly source: string;
  /** The `email` (verified) or `sub` claim: what Fulcio will certify. */
  readonly subject: string;
  readonly issuer: string;
}

const HOW =
  'pass --identity-token TOKEN, set SIGSTORE_ID_TOKEN, or run in CI with OIDC (GitHub Actions with ' +
  '`permissions: id-token: write`); interactive OAuth (browser) sign-in is not supported';

/** The token to sign with; throws `SigstoreUnavailableError` at once when there is none or it is unusable. */
export async function resolveIdentityToken(
  explicit: string | undefined,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<IdentityToken> {
  if (explicit !== undefined && explicit !== '') return checkToken(explicit, '--identity-token');
  const fromEnv = env['SIGSTORE_ID_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return checkToken(fromEnv, 'SIGSTORE_ID_TOKEN');
  const url = env['ACTIONS_ID_TOKEN_REQUEST_URL'];
  const bearer = env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
  if (url !== undefined && url !== '' && bearer !== undefined && bearer !== '')
    return checkToken(await githubActionsToken(url, bearer, timeoutMs), 'GitHub Actions OIDC');
  throw new SigstoreUnavailableError(
    `keyless Sigstore signing is not available: no OIDC identity token (${HOW}). Keyless signing also ` +
      'needs network access to Fulcio and Rekor.',
  );
}

/** Reads the claims Fulcio needs, so that a bad token fails here, before any network call. */
export function checkToken(token: string, source: string, now = Date.now()): IdentityToken {
  const bad = (why: string): never => {
    throw new SigstoreUnavailableError(`the OIDC identity token from ${source} ${why} (${HOW})`);
  };
  if (token.length > OIDC_LIMITS.maxTokenChars)
    bad(`is ${token.length} characters, over the limit maxTokenChars (${OIDC_LIMITS.maxTokenChars})`);
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+={0,2}$/.test(p)))
    bad('is not a JWT (three base64url parts separated by dots)');
  let claims: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      claims = parsed as Record<string, unknown>;
    else bad('has a claims part that is not a JSON object');
  } catch (e) {
    if (e instanceof SigstoreUnavailableError) throw e;
    bad('has a claims part that is not base64url JSON');
  }
  const issuer = claims['iss'];
  if (typeof issuer !== 'string' || issuer === '') bad('has no issuer (iss) claim');
  const email = claims['email'];
  const sub = claims['sub'];
  let subject: string;
  if (typeof email === 'string' && email !== '') {
    if (claims['email_verified'] !== true)
      bad(`names the email ${JSON.stringify(email)} but its issuer did not verify it (email_verified)`);
    subject = email;
  } else if (typeof sub === 'string' && sub !== '') subject = sub;
  else subject = bad('has neither an email nor a subject (sub) claim');
  const exp = claims['exp'];
  if (typeof exp === 'number' && exp * 1000 <= now)
    bad(`expired at ${new Date(exp * 1000).toISOString()}: get a fresh one`);
  return { token, source, subject, issuer: issuer as string };
}

/** The ambient GitHub Actions token for audience `sigstore`, within `timeoutMs`. */
async function githubActionsToken(requestUrl: string, bearer: string, timeoutMs: number): Promise<string> {
  const fail = (why: string, cause?: unknown): never => {
    throw new SigstoreUnavailableError(
      `cannot get the GitHub Actions OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL): ${why}. The workflow ` +
        'needs `permissions: id-token: write`; or pass --identity-token / SIGSTORE_ID_TOKEN.',
      cause === undefined ? {} : { cause },
    );
  };
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch (e) {
    return fail('the request URL is not a URL', e);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url))
    fail(`the request URL must use https, not ${url.protocol}`);
  url.searchParams.set('audience', 'sigstore');
  let text: string;
  try {
    const res = await fetch(url, {
      headers: { Accept: 'application/json', Authorization: `Bearer ${bearer}` },
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    if (!res.ok) {
      await res.body?.cancel();
      fail(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    text = await readCapped(res, OIDC_LIMITS.maxTokenResponseBytes);
  } catch (e) {
    if (e instanceof SigstoreUnavailableError) throw e;
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    return fail(timedOut ? `no answer within ${timeoutMs} ms` : `network error (${describeCause(e)})`, e);
  }
  let value: unknown;
  try {
    value = (JSON.parse(text) as { value?: unknown } | null)?.value;
  } catch {
    fail('the reply is not JSON');
  }
  if (typeof value !== 'string' || value === '') fail('the reply has no token (value)');
  return value as string;
}

async function readCapped(res: Response, max: number): Promise<string> {
  const reader = res.body?.getReader();
  if (reader === undefined) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      throw new SigstoreUnavailableError(
        `the GitHub Actions OIDC reply is over the limit maxTokenResponseBytes (${max})`,
      );
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Plain http is allowed only to this machine (a local test double): the token is a bearer credential. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname.toLowerCase());
}

/** A network error's short cause (`ECONNREFUSED`, `ENOTFOUND host`…), never a request header. */
export function describeCause(e: unknown): string {
  let cur: unknown = e;
  for (let depth = 0; depth < 5 && cur instanceof Error; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    if (cur.cause === undefined) break;
    cur = cur.cause;
  }
  return e instanceof Error ? e.message : String(e);
}
