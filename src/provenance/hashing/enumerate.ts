/**
 * Enumerates the regular files of a model (a folder, or a single file) as OMS names them: POSIX paths
 * relative to the root, canonical order, ignore paths anchored at the root. Refuses what cannot be
 * signed faithfully: non-UTF-8 names, sockets/FIFOs/devices, and symlinks unless allowed.
 *
 * Symlinks, when allowed: a link to a regular file inside the root (after `realpath`) is hashed by its
 * target's content under the link's own name; a link that dangles or leaves the root is an error. A link
 * to a folder is not descended into (as the Python reference's `glob("**\/*")`): its name is returned in
 * `skippedLinks` so a caller can warn that the folder's content is not covered.
 */
import { type Dirent, lstatSync, type Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import type { ModelFile } from '../types.js';
import { ModelPathError, sysCode } from './errors.js';
import { HASHING_LIMITS, type HashingLimits } from './limits.js';
import { compareNames } from './names.js';

export interface EnumerateOptions {
  /** Relative to the model root (POSIX), or absolute paths inside it; entries outside the root are dropped. */
  ignorePaths?: readonly string[];
  /** Default true: `.git`, `.gitattributes`, `.github`, `.gitignore` at the root only. */
  ignoreGitPaths?: boolean;
  /** Default false: any symlink (not under an ignored path) is a `ModelPathError('SYMLINK')`. */
  allowSymlinks?: boolean;
  /** Overrides of HASHING_LIMITS. */
  limits?: Partial<HashingLimits>;
}

export interface Enumeration {
  /** Absolute model path. */
  root: string;
  isFile: boolean;
  /** Regular files in canonical (code-point) order of `name`. */
  files: ModelFile[];
  /** Normalized, deduplicated, sorted: as recorded in `serialization.ignore_paths`. */
  ignorePaths: string[];
  /** Names of folder symlinks that were not descended into (only with `allowSymlinks`). */
  skippedLinks: string[];
}

/** Ignored by default at the model root (Python `hashing.Config`, OMS §6.2.1). */
export const GIT_PATHS: readonly string[] = ['.git', '.gitattributes', '.github', '.gitignore'];

const YIELD_EVERY = 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export async function enumerateModel(modelPath: string, opts: EnumerateOptions = {}): Promise<Enumeration> {
  if (modelPath === '') throw new ModelPathError('EMPTY', modelPath, 'the model path is empty');
  const limits: HashingLimits = { ...HASHING_LIMITS, ...opts.limits };
  const root = resolve(modelPath);
  const allowSymlinks = opts.allowSymlinks ?? false;
  const rootLink = await lstatOrThrow(root);
  if (rootLink.isSymbolicLink() && !allowSymlinks)
    throw new ModelPathError('SYMLINK', root, `${root} is a symlink (symlinks are not allowed)`);
  const st = rootLink.isSymbolicLink() ? await statOrThrow(root) : rootLink;
  if (st.isFile()) {
    const files: ModelFile[] = [{ name: basename(root), path: root, size: st.size }];
    return { root, isFile: true, files, ignorePaths: [], skippedLinks: [] };
  }
  if (!st.isDirectory()) throw special(root, st);

  const ignorePaths = normalizeIgnorePaths(root, opts.ignorePaths ?? [], opts.ignoreGitPaths ?? true);
  // An ignored folder is never descended into, so matching each entry's own name covers the subtree.
  const ignored = new Set(ignorePaths);
  const realRoot = allowSymlinks ? await realpathOrThrow(root) : root;

  const files: ModelFile[] = [];
  const skippedLinks: string[] = [];
  let entries = 0;
  // Depth-first over folders; `rel` is the folder's POSIX name ('' for the root).
  const stack: Array<{ rel: string; abs: string; depth: number }> = [{ rel: '', abs: root, depth: 0 }];
  for (let dir = stack.pop(); dir !== undefined; dir = stack.pop()) {
    const list = await readdirOrThrow(dir.abs);
    entries += list.length;
    if (entries > limits.maxEntries)
      throw new ModelPathError(
        'LIMIT',
        root,
        `${root} has more than maxEntries (${limits.maxEntries}) files and folders`,
      );
    let n = 0;
    for (const d of list) {
      // Sizes come from synchronous lstat (several times faster than the promise API on many small
      // files); the walk yields to the event loop every YIELD_EVERY entries.
      if (++n % YIELD_EVERY === 0) await new Promise(setImmediate);
      const name = decodeName(d.name, dir.abs);
      const rel = dir.rel === '' ? name : `${dir.rel}/${name}`;
      if (ignored.has(rel)) continue;
      const abs = join(dir.abs, name);
      if (d.isDirectory()) {
        if (dir.depth + 1 > limits.maxDepth)
          throw new ModelPathError(
            'LIMIT',
            abs,
            `${abs} is nested deeper than maxDepth (${limits.maxDepth})`,
          );
        stack.push({ rel, abs, depth: dir.depth + 1 });
      } else if (d.isFile()) {
        files.push(regular(rel, abs, lstatSyncOrThrow(abs)));
      } else if (d.isSymbolicLink()) {
        if (!allowSymlinks)
          throw new ModelPathError('SYMLINK', abs, `${abs} is a symlink (symlinks are not allowed)`);
        const f = await followLink(rel, abs, realRoot);
        if (f === undefined) skippedLinks.push(rel);
        else files.push(f);
      } else {
        throw special(abs, lstatSyncOrThrow(abs));
      }
    }
  }
  files.sort((a, b) => compareNames(a.name, b.name));
  skippedLinks.sort(compareNames);
  return { root, isFile: false, files, ignorePaths, skippedLinks };
}

/**
 * Ignore paths as OMS records them: POSIX, relative to the root, no `./`, no trailing `/`. Absolute
 * entries are made relative to the root; entries outside it (or the root itself) are dropped.
 */
export function normalizeIgnorePaths(root: string, paths: readonly string[], git: boolean): string[] {
  const out = new Set<string>(git ? GIT_PATHS : []);
  for (const p of paths) {
    const rel = isAbsolute(p) ? relative(root, p).split(sep).join('/') : p;
    const n = posix.normalize(rel).replace(/\/+$/, '');
    if (n === '' || n === '.' || n === '..' || n.startsWith('../') || n.startsWith('/')) continue;
    out.add(n);
  }
  return [...out].sort(compareNames);
}

function regular(name: string, path: string, s: Stats): ModelFile {
  if (!s.isFile()) throw special(path, s); // replaced between readdir and lstat
  return { name, path, size: s.size };
}

/** A symlink (allowed): its file target if inside the root, undefined for a folder target. */
async function followLink(name: string, path: string, realRoot: string): Promise<ModelFile | undefined> {
  let target: string;
  try {
    target = await realpath(path);
  } catch (e) {
    throw new ModelPathError('SYMLINK', path, `${path} is a symlink whose target cannot be resolved`, {
      cause: e,
    });
  }
  if (target !== realRoot && !target.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep))
    throw new ModelPathError('SYMLINK', path, `${path} is a symlink to ${target}, outside the model folder`);
  const s = await statOrThrow(path);
  if (s.isDirectory()) return undefined;
  if (!s.isFile()) throw special(path, s);
  return { name, path, size: s.size };
}

function decodeName(raw: Buffer, dir: string): string {
  try {
    return utf8.decode(raw);
  } catch {
    const shown = join(dir, raw.toString('latin1'));
    throw new ModelPathError('NOT_UTF8', shown, `${shown}: file name is not valid UTF-8`);
  }
}

function special(path: string, s: Stats): ModelPathError {
  const kind = s.isFIFO()
    ? 'a FIFO'
    : s.isSocket()
      ? 'a socket'
      : s.isCharacterDevice() || s.isBlockDevice()
        ? 'a device'
        : 'not a regular file';
  return new ModelPathError('SPECIAL_FILE', path, `${path} is ${kind}, not a regular file`);
}

function ioError(path: string, e: unknown): ModelPathError {
  const code = sysCode(e);
  if (code === 'ENOENT') return new ModelPathError('NOT_FOUND', path, `${path} does not exist`, { cause: e });
  return new ModelPathError('IO', path, `${path}: ${code ?? 'read failed'} (${String(e)})`, { cause: e });
}

function lstatSyncOrThrow(path: string): Stats {
  try {
    return lstatSync(path);
  } catch (e) {
    throw ioError(path, e);
  }
}

async function lstatOrThrow(path: string): Promise<Stats> {
  try {
    return await lstat(path);
  } catch (e) {
    throw ioError(path, e);
  }
}

async function statOrThrow(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (e) {
    throw new ModelPathError('SYMLINK', path, `${path} is a dangling symlink`, { cause: e });
  }
}

async function realpathOrThrow(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (e) {
    throw ioError(path, e);
  }
}

async function readdirOrThrow(path: string): Promise<Dirent<Buffer>[]> {
  try {
    return await readdir(path, { encoding: 'buffer', withFileTypes: true });
  } catch (e) {
    throw ioError(path, e);
  }
}
