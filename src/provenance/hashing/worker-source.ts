/**
 * The code of a hashing thread, as a string for `new Worker(code, { eval: true })`: one file for source
 * (vitest, tsx), tsc output and the esbuild bundle alike, as the HDF5 worker does.
 *
 * One reused buffer of `workerData.chunk` bytes; synchronous positioned reads (the thread has nothing
 * else to do) feed node:crypto. Messages in: a batch [{ id, path, start, end, size, alg }, …]. Out:
 * { type: 'progress', n }, { type: 'done', ids, digests, n } for the whole batch, or
 * { type: 'failed', id, code, changed, message } for the first range that failed.
 */
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const crypto = require('node:crypto');
const buf = Buffer.allocUnsafe(workerData.chunk);
const PROGRESS_BYTES = 64 * 1024 * 1024;

class Changed extends Error {}

function hashOne(j) {
  let fd = -1;
  try {
    const h = crypto.createHash(j.alg);
    fd = fs.openSync(j.path, 'r');
    let pos = j.start;
    while (pos < j.end) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, j.end - pos), pos);
      if (n === 0) throw new Changed('ended at byte ' + pos + ', before ' + j.end);
      h.update(n === buf.length ? buf : buf.subarray(0, n));
      pos += n;
      pending += n;
      if (pending >= PROGRESS_BYTES) {
        parentPort.postMessage({ type: 'progress', n: pending });
        pending = 0;
      }
    }
    if (typeof j.size === 'number') {
      const now = fs.fstatSync(fd).size;
      if (now !== j.size) throw new Changed('size is now ' + now + ', was ' + j.size);
    }
    return h.digest('hex');
  } finally {
    if (fd >= 0) {
      try { fs.closeSync(fd); } catch {}
    }
  }
}

let pending = 0;
parentPort.on('message', (batch) => {
  const digests = [];
  for (const j of batch) {
    try {
      digests.push(hashOne(j));
    } catch (e) {
      parentPort.postMessage({
        type: 'failed',
        id: j.id,
        changed: e instanceof Changed,
        code: e && typeof e.code === 'string' ? e.code : undefined,
        message: String(e && e.message ? e.message : e),
      });
      return;
    }
  }
  parentPort.postMessage({ type: 'done', ids: batch.map((j) => j.id), digests, n: pending });
  pending = 0;
});
`;
