/**
 * Hashes byte ranges, in parallel on `worker_threads` (one reused read buffer each, so memory stays flat
 * in model size). Ranges are handed out largest first, one at a time, to whichever thread is free; a
 * small total is hashed on the calling thread instead (no thread start-up cost). Threads are terminated
 * before the promise settles, so nothing keeps the process alive.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { HashAlgorithm } from '../types.js';
import { changed, hashRangeHere, ioWhileHashing } from './digest.js';
import { ModelPathError } from './errors.js';
import { INLINE_BYTES, READ_CHUNK } from './limits.js';
import { nodeHashName, type Range } from './ranges.js';
import { WORKER_SOURCE } from './worker-source.js';

export interface HashRangesOptions {
  /** Hashing threads (default `os.availableParallelism()`); never more than there are ranges. */
  workers?: number;
  /** Called as bytes are hashed, with the running total. */
  onProgress?: (bytesDone: number) => void;
  /** Totals below this are hashed on the calling thread (default INLINE_BYTES); 0 forces threads. */
  inlineBytes?: number;
}

type FromWorker =
  | { type: 'progress'; n: number }
  | { type: 'done'; ids: number[]; digests: string[]; n: number }
  | { type: 'failed'; id: number; changed: boolean; code: string | undefined; message: string };

/** Hex digests of `ranges`, in the same order. */
export async function hashRanges(
  ranges: readonly Range[],
  algorithm: HashAlgorithm,
  opts: HashRangesOptions = {},
): Promise<string[]> {
  let total = 0;
  for (const r of ranges) {
    if (!Number.isSafeInteger(r.start) || !Number.isSafeInteger(r.end) || r.start < 0 || r.end < r.start)
      throw new RangeError(`invalid range ${r.start}..${r.end} of ${r.path}`);
    total += r.end - r.start;
  }
  const alg = nodeHashName(algorithm);
  let done = 0;
  const onBytes = (n: number): void => {
    done += n;
    opts.onProgress?.(done);
  };
  const requested = opts.workers ?? availableParallelism();
  if (!Number.isSafeInteger(requested) || requested < 1)
    throw new RangeError(`workers must be a positive integer, got ${requested}`);
  const workers = Math.min(requested, ranges.length);
  if (ranges.length === 0) return [];
  if (total < (opts.inlineBytes ?? INLINE_BYTES)) {
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(1, total)));
    const out: string[] = [];
    for (const r of ranges) out.push(await hashRangeHere(r, alg, onBytes, false, buffer));
    return out;
  }
  return runPool(ranges, alg, workers, onBytes);
}

function runPool(
  ranges: readonly Range[],
  alg: string,
  threads: number,
  onBytes: (n: number) => void,
): Promise<string[]> {
  const out = new Array<string>(ranges.length);
  // Largest first: the long ranges start early and the short ones fill the gaps at the end.
  const order = ranges.map((_, i) => i).sort((a, b) => len(ranges[b]!) - len(ranges[a]!) || a - b);
  return new Promise<string[]>((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;
    const settle = (error: Error | undefined): void => {
      if (settled) return;
      settled = true;
      void Promise.allSettled(pool.map((w) => w.terminate())).then(() =>
        error === undefined ? resolve(out) : reject(error),
      );
    };
    // Small ranges (the tail of the order) go out in batches: one message per range would cost more
    // than hashing a few KiB. A batch never takes more than its share of what is left.
    const give = (w: Worker): void => {
      const batch: Array<Range & { id: number; alg: string }> = [];
      const maxCount = Math.min(BATCH_MAX_COUNT, Math.ceil((order.length - next) / (2 * threads)));
      let bytes = 0;
      while (next < order.length && batch.length < maxCount) {
        const id = order[next]!;
        const r = ranges[id]!;
        if (batch.length > 0 && bytes + len(r) > BATCH_BYTES) break;
        batch.push({
          id,
          path: r.path,
          start: r.start,
          end: r.end,
          ...(r.size === undefined ? {} : { size: r.size }),
          alg,
        });
        bytes += len(r);
        next++;
      }
      if (batch.length > 0) w.postMessage(batch);
    };
    for (let k = 0; k < threads; k++) {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { chunk: READ_CHUNK } });
      pool.push(w);
      w.on('message', (m: FromWorker) => {
        if (settled) return;
        if (m.type === 'progress') onBytes(m.n);
        else if (m.type === 'done') {
          for (const [k, id] of m.ids.entries()) out[id] = m.digests[k]!;
          onBytes(m.n);
          finished += m.ids.length;
          if (finished === ranges.length) settle(undefined);
          else give(w);
        } else {
          const path = ranges[m.id]?.path ?? '';
          settle(m.changed ? changed(path, m.message) : ioWhileHashing(path, m.code, m.message));
        }
      });
      w.on('error', (e) => settle(new ModelPathError('IO', '', `a hashing thread failed: ${e.message}`)));
      w.on('exit', (code) => settle(new ModelPathError('IO', '', `a hashing thread exited (code ${code})`)));
      give(w);
    }
  });
}

/** A batch of small ranges stops at this many bytes or ranges. */
const BATCH_BYTES = 4 * 1024 * 1024;
const BATCH_MAX_COUNT = 256;

function len(r: Range): number {
  return r.end - r.start;
}
