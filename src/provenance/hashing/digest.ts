/** Streamed hashing on the calling thread (small jobs, single files) and the OMS root digest. */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Resource } from '../types.js';
import { ModelPathError, sysCode } from './errors.js';
import { READ_CHUNK } from './limits.js';
import type { Range } from './ranges.js';

/** SHA-256 over the concatenated raw bytes of the resource digests, in the given order (OMS subject). */
export function rootDigest(resources: readonly Resource[]): string {
  const h = createHash('sha256');
  for (const r of resources) {
    if (!/^(?:[0-9a-f]{2})*$/i.test(r.digest)) throw new TypeError(`digest of ${r.name} is not hex`);
    h.update(Buffer.from(r.digest, 'hex'));
  }
  return h.digest('hex');
}

/** Hex SHA-256 of a whole file, streamed. */
export async function sha256File(path: string): Promise<string> {
  return hashRangeHere({ path, start: 0, end: Number.MAX_SAFE_INTEGER }, 'sha256', undefined, true);
}

/**
 * Hashes one range on this thread with a reused buffer. `toEnd`: hash up to end of file (no size
 * known in advance). A file that ends before `end`, or whose size is not `range.size` afterwards, is an
 * IO error: it changed while it was hashed.
 */
export async function hashRangeHere(
  range: Range,
  nodeAlgorithm: string,
  onBytes?: (n: number) => void,
  toEnd = false,
  buffer: Buffer = Buffer.allocUnsafe(READ_CHUNK),
): Promise<string> {
  const h = createHash(nodeAlgorithm);
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(range.path, 'r');
    let pos = range.start;
    while (pos < range.end) {
      const want = Math.min(buffer.length, range.end - pos);
      const { bytesRead } = await fh.read(buffer, 0, want, pos);
      if (bytesRead === 0) {
        if (toEnd) break;
        throw changed(range.path, `ended at byte ${pos}, before ${range.end}`);
      }
      h.update(buffer.subarray(0, bytesRead));
      pos += bytesRead;
      onBytes?.(bytesRead);
    }
    if (range.size !== undefined) {
      const now = (await fh.stat()).size;
      if (now !== range.size) throw changed(range.path, `size is now ${now}, was ${range.size}`);
    }
  } catch (e) {
    if (e instanceof ModelPathError) throw e;
    throw ioWhileHashing(range.path, sysCode(e), String(e), e);
  } finally {
    await fh?.close();
  }
  return h.digest('hex');
}

/** A failed open/read/stat while hashing; a file that no longer exists changed during hashing too. */
export function ioWhileHashing(path: string, code: string | undefined, detail: string, cause?: unknown) {
  const what = code === 'ENOENT' ? 'no longer exists' : `${code ?? 'read failed'} (${detail})`;
  return new ModelPathError('IO', path, `${path} could not be hashed: ${what}`, { cause });
}

export function changed(path: string, what: string): ModelPathError {
  return new ModelPathError('IO', path, `${path} changed while it was hashed: ${what}`);
}
