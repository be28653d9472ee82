/**
 * Trust roots for offline keyless verification. Default: the Sigstore public-good `trusted_root.json` that
 * `@sigstore/tuf` (a runtime dependency) embeds in its `seeds.json` as the TUF seed, so it ships and
 * updates with that package. `--trust-root FILE` loads any `trusted_root.json` (private instance, staging,
 * or a fresher public-good root after key rotation). Nothing is fetched.
 */
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import { SigstoreConfigError } from './errors.js';
import { SIGSTORE_LIMITS } from './limits.js';

export const PUBLIC_GOOD_TUF = 'https://tuf-repo-cdn.sigstore.dev';
export const STAGING_TUF = 'https://tuf-repo-cdn.sigstage.dev';

export interface LoadedTrust {
  readonly material: TrustMaterial;
  /** Where the root came from, for messages. */
  readonly source: string;
}

const cache = new Map<string, Promise<LoadedTrust>>();

/** The trust material for a policy; the embedded roots are parsed once per process. */
export function loadTrust(opts: { trustedRootPath?: string; staging?: boolean }): Promise<LoadedTrust> {
  if (opts.trustedRootPath !== undefined) return fromFile(opts.trustedRootPath);
  const repo = opts.staging === true ? STAGING_TUF : PUBLIC_GOOD_TUF;
  let p = cache.get(repo);
  if (p === undefined) {
    p = fromSeeds(repo);
    cache.set(repo, p);
    p.catch(() => cache.delete(repo));
  }
  return p;
}

async function fromFile(path: string): Promise<LoadedTrust> {
  let text: string;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new SigstoreConfigError(`trust root ${path} is not a regular file`);
    if (st.size > SIGSTORE_LIMITS.maxTrustRootBytes)
      throw new SigstoreConfigError(
        `trust root ${path} is ${st.size} bytes, over the limit maxTrustRootBytes (${SIGSTORE_LIMITS.maxTrustRootBytes})`,
      );
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof SigstoreConfigError) throw e;
    throw new SigstoreConfigError(`cannot read trust root ${path}: ${(e as Error).message}`, { cause: e });
  }
  return { material: parseTrustedRoot(text, path), source: path };
}

async function fromSeeds(repo: string): Promise<LoadedTrust> {
  const source = `@sigstore/tuf seeds.json (${repo})`;
  let seeds: unknown;
  try {
    const file = createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
    seeds = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new SigstoreConfigError(`cannot read the embedded Sigstore trust root (${source}): ${String(e)}`, {
      cause: e,
    });
  }
  const target = (seeds as Record<string, { targets?: Record<string, unknown> } | undefined>)[repo]
    ?.targets?.['trusted_root.json'];
  if (typeof target !== 'string') {
    const which = repo === STAGING_TUF ? 'staging trust root' : `trust root for ${repo}`;
    throw new SigstoreConfigError(`${which} not available offline; pass --trust-root FILE`);
  }
  return { material: parseTrustedRoot(Buffer.from(target, 'base64').toString('utf8'), source), source };
}

/** Parses a `trusted_root.json`; it must name at least one Fulcio CA and one transparency log. */
export function parseTrustedRoot(text: string, source: string): TrustMaterial {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SigstoreConfigError(`trust root ${source} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const mediaType = (json as { mediaType?: unknown } | null)?.mediaType;
  if (typeof mediaType !== 'string' || !mediaType.startsWith('application/vnd.dev.sigstore.trustedroot'))
    throw new SigstoreConfigError(
      `trust root ${source} is not a Sigstore trusted_root.json (mediaType ${JSON.stringify(mediaType)})`,
    );
  try {
    const material = toTrustMaterial(TrustedRoot.fromJSON(json));
    if (material.certificateAuthorities.length === 0 || material.tlogs.length === 0)
      throw new Error('it names no certificate authority or no transparency log');
    return material;
  } catch (e) {
    throw new SigstoreConfigError(`trust root ${source} is malformed: ${(e as Error).message}`, { cause: e });
  }
}
