/**
 * The files of a model as the scanner sees them (links to files followed, as in a Hugging Face cache
 * snapshot; links to folders not), with their SHA-256: taken from the scan report where it has one,
 * otherwise computed by the hashing engine (in parallel, streamed).
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { listFiles } from '../../scanners/engine.js';
import type { Artifact } from '../../scanners/report-model.js';
import { hashRanges, sha256File } from '../hashing/index.js';
import { BomError } from './errors.js';

export interface BomFile {
  /** POSIX path relative to the model folder (the file's own name for a single-file model). */
  readonly name: string;
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256; undefined when the file could not be read. */
  readonly sha256: string | undefined;
  /** Formats recognised by content, outermost first (from the scan report, or sniffed). */
  readonly formats: readonly string[];
}

export interface FileListing {
  readonly root: string;
  readonly isFile: boolean;
  readonly files: readonly BomFile[];
  /** More files than `maxFiles`: the rest are neither listed nor hashed. */
  readonly truncated: boolean;
  readonly warnings: readonly string[];
}

/** Not part of the model: the git metadata folder at the root (as OMS ignores it). */
const SKIPPED_AT_ROOT = new Set(['.git']);

export interface ListOptions {
  readonly maxFiles: number;
  /** Files left out (the signature file), as absolute paths. */
  readonly exclude: ReadonlySet<string>;
  /** Scan artifacts by absolute path, for formats and digests already computed. */
  readonly artifacts: ReadonlyMap<string, Artifact>;
  /** Formats of a file the scan report does not cover. */
  readonly sniff: (path: string) => readonly string[];
  readonly workers?: number;
}

export async function listModelFiles(modelPath: string, opts: ListOptions): Promise<FileListing> {
  const root = resolve(modelPath);
  let isFile: boolean;
  try {
    const st = statSync(root);
    if (!st.isFile() && !st.isDirectory())
      throw new BomError('NOT_READABLE', root, `${root} is neither a file nor a folder`);
    isFile = st.isFile();
  } catch (e) {
    if (e instanceof BomError) throw e;
    const missing = (e as { code?: unknown }).code === 'ENOENT';
    throw new BomError(
      missing ? 'NOT_FOUND' : 'NOT_READABLE',
      root,
      `cannot read ${root}: ${errorMessage(e)}`,
      {
        cause: e,
      },
    );
  }
  let tops: string[];
  try {
    tops = isFile
      ? [root]
      : readdirSync(root)
          .filter((n) => !SKIPPED_AT_ROOT.has(n))
          .sort()
          .map((n) => join(root, n));
  } catch (e) {
    throw new BomError('NOT_READABLE', root, `cannot list ${root}: ${errorMessage(e)}`, { cause: e });
  }
  const warnings: string[] = [];
  // Top-level entries are stat'ed by listFiles (links followed); a link to a folder is not descended.
  const entries = tops.filter((p) => isFile || !isLinkToFolder(p));
  const listed = listFiles(entries, opts.maxFiles + 1 + opts.exclude.size);
  for (const [path, message] of listed.errors)
    warnings.push(`${rel(root, path, isFile)} could not be read: ${message}`);
  const paths = listed.files.map((f) => f.path).filter((p) => !opts.exclude.has(resolve(p)));
  const truncated = paths.length > opts.maxFiles;
  if (truncated) {
    warnings.push(
      `more than maxFiles (${fmtInt(opts.maxFiles)}) files: only the first ${fmtInt(opts.maxFiles)} are listed and hashed`,
    );
  }
  const kept = paths.slice(0, opts.maxFiles).map((path) => {
    const art = opts.artifacts.get(resolve(path));
    let size = art?.size ?? 0;
    try {
      size = statSync(path).size;
    } catch (e) {
      warnings.push(`${rel(root, path, isFile)} could not be read: ${errorMessage(e)}`);
    }
    return { name: rel(root, path, isFile), path, size, art };
  });
  const digests = await digestsOf(kept, opts.workers, warnings);
  const files = kept.map((f, i) => ({
    name: f.name,
    path: f.path,
    size: f.size,
    sha256: digests[i],
    formats: f.art !== undefined && f.art.format.length > 0 ? f.art.format : opts.sniff(f.path),
  }));
  files.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { root, isFile, files, truncated, warnings };
}

function isLinkToFolder(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink() && statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function rel(root: string, path: string, isFile: boolean): string {
  if (isFile) return relative(join(root, '..'), resolve(path)).split(sep).join('/');
  return relative(root, resolve(path)).split(sep).join('/');
}

/** Digests from the scan report where its size still matches; the rest hashed together. */
async function digestsOf(
  files: readonly { path: string; size: number; name: string; art: Artifact | undefined }[],
  workers: number | undefined,
  warnings: string[],
): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = files.map((f) =>
    f.art?.sha256 != null && f.art.size === f.size ? f.art.sha256 : undefined,
  );
  const todo = files.map((f, i) => ({ f, i })).filter(({ i }) => out[i] === undefined);
  if (todo.length === 0) return out;
  try {
    const ranges = todo.map(({ f }) => ({ path: f.path, start: 0, end: f.size, size: f.size }));
    const digests = await hashRanges(ranges, 'sha256', workers === undefined ? {} : { workers });
    todo.forEach(({ i }, k) => {
      out[i] = digests[k];
    });
  } catch {
    // One file failed (unreadable, changed while hashed): hash one by one to name it and keep the rest.
    for (const { f, i } of todo) {
      try {
        out[i] = await sha256File(f.path);
      } catch (e) {
        warnings.push(`${f.name} could not be hashed: ${errorMessage(e)}`);
      }
    }
  }
  return out;
}
