import { lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, sep } from 'node:path';
import { traversalReason } from '../../core/paths.js';

/** Why an external-data location escapes the model folder by its text alone, or undefined. */
export function locationReason(location: string): string | undefined {
  if (location.includes('\u0000')) return 'NUL byte (C/C++ loaders cut the path there)';
  if (location === '') return 'empty location';
  return traversalReason(location);
}

/** True when the location, normalised with either separator, climbs above the model folder. */
export function escapesFolder(location: string): boolean {
  const p = location.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return true;
  const n = posix.normalize(p);
  return n === '..' || n.startsWith('../');
}

export type ExternalFileCheck =
  | { kind: 'ok'; size: number; real: string; linked: boolean }
  | { kind: 'missing'; detail: string }
  | { kind: 'outside'; real: string | undefined; detail: string }
  | { kind: 'not-regular'; real: string; detail: string };

/**
 * Resolves a relative external-data location (already free of `..` and absolute forms) against the
 * folder of the model file on disk, following links as loaders do, and says whether the result stays
 * inside that folder and is a regular file (T60). Reads metadata only, never the file.
 */
export function checkExternalFile(modelPath: string, location: string): ExternalFileCheck {
  const dir = dirname(modelPath);
  const target = join(dir, location);
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch (e) {
    return { kind: 'missing', detail: `model folder cannot be resolved (${(e as Error).message})` };
  }
  let linked: boolean;
  try {
    linked = lstatSync(target).isSymbolicLink();
  } catch {
    return { kind: 'missing', detail: 'no such file next to the model' };
  }
  let real: string;
  try {
    real = realpathSync(target);
  } catch (e) {
    return {
      kind: 'outside',
      real: undefined,
      detail: `a link that cannot be resolved (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
  const rel = relative(realDir, real);
  if (rel === '' || isAbsolute(rel) || rel.split(sep)[0] === '..')
    return { kind: 'outside', real, detail: `resolves to ${real}, outside the model folder ${realDir}` };
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(real);
  } catch (e) {
    return { kind: 'missing', detail: `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (!st.isFile()) {
    const what = st.isFIFO()
      ? 'a FIFO'
      : st.isCharacterDevice() || st.isBlockDevice()
        ? 'a device'
        : st.isDirectory()
          ? 'a directory'
          : 'not a regular file';
    return { kind: 'not-regular', real, detail: `is ${what}` };
  }
  return { kind: 'ok', size: st.size, real, linked };
}
