/**
 * The code of the HDF5 worker thread, as a string for `new Worker(code, { eval: true })`: one file
 * for source and build output alike (no separate .js to ship or bundle).
 *
 * It instantiates h5wasm's own wasm module (the ESM build, whose file system is MEMFS: the node build
 * maps the real disk into the library, which this never wants), creates a file node whose reads are
 * answered by the main thread from the scan's ByteSource (a SharedArrayBuffer and Atomics.wait: the
 * HDF5 library reads synchronously), opens it read-only, and returns the root attributes.
 *
 * Messages in: { type: 'job', id, size, limits }. Out: { type: 'read', id, pos, len } (answered
 * through the shared buffers), { type: 'done', id, attributeCount, attributes },
 * { type: 'failed', id, message, diagnostics, aborted, readLimit }, { type: 'fatal', message }.
 */
export const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ctrl = new Int32Array(workerData.ctrl);
const shared = new Uint8Array(workerData.data);
const WINDOW = 256 * 1024;
const READ_WAIT_MS = 60000;
const KERAS_ATTRS = ['model_config', 'training_config', 'keras_version', 'backend', 'layer_names'];
let M;
let diag = [];
let job;
let win = null;
let winStart = 0;
let readLimit = false;

function eio() {
  const E = M.FS.ErrnoError;
  return new E(29);
}

function request(pos, len) {
  Atomics.store(ctrl, 0, 0);
  parentPort.postMessage({ type: 'read', id: job.id, pos, len });
  Atomics.wait(ctrl, 0, 0, READ_WAIT_MS);
  const state = Atomics.load(ctrl, 0);
  const n = Atomics.load(ctrl, 1);
  if (state === 2) readLimit = true;
  if (state !== 1 || n !== len) throw eio();
  return shared.slice(0, n);
}

function readInto(pos, len, out) {
  let done = 0;
  while (done < len) {
    const p = pos + done;
    if (win === null || p < winStart || p >= winStart + win.length) {
      const want = Math.min(shared.length, Math.max(len - done, WINDOW), job.size - p);
      if (want <= 0) break;
      win = request(p, want);
      winStart = p;
    }
    const rel = p - winStart;
    const n = Math.min(len - done, win.length - rel);
    out.set(win.subarray(rel, rel + n), done);
    done += n;
  }
  return done;
}

function mount(path, size) {
  const FS = M.FS;
  const node = FS.createFile('/', path.slice(1), { isDevice: false, contents: { length: size } }, true, false);
  Object.defineProperty(node, 'usedBytes', { get: () => size });
  const ops = Object.assign({}, node.stream_ops);
  ops.read = (stream, buffer, offset, length, position) => {
    if (position >= size) return 0;
    const n = Math.min(size - position, length);
    return readInto(position, n, new Uint8Array(buffer.buffer, buffer.byteOffset + offset, n));
  };
  ops.write = () => { throw eio(); };
  ops.mmap = () => { throw eio(); };
  node.stream_ops = ops;
}

function strings(md, ptr, total, limits) {
  const out = [];
  let chars = 0;
  if (md.vlen) {
    const ptrs = new Uint32Array(M.HEAPU8.buffer.slice(ptr, ptr + 4 * total));
    for (const p of ptrs) {
      const s = p === 0 ? '' : M.UTF8ToString(p, limits.maxAttributeBytes - chars);
      chars += s.length;
      out.push(s);
      if (chars >= limits.maxAttributeBytes) return { value: out, clipped: true };
    }
    return { value: out, clipped: false };
  }
  const size = md.size;
  const bytes = M.HEAPU8.slice(ptr, ptr + size * total);
  const dec = new TextDecoder('utf-8');
  for (let i = 0; i < total; i++) {
    let b = bytes.subarray(i * size, (i + 1) * size);
    const z = b.indexOf(0);
    if (z >= 0) b = b.subarray(0, z);
    out.push(dec.decode(b));
  }
  return { value: out, clipped: false };
}

function attribute(fid, name, limits) {
  // Values are read only for Keras' attributes: the others are described, not decoded.
  const md = M.get_attribute_metadata(fid, '/', name);
  const shape = md.shape ? Array.from(md.shape, Number) : null;
  const T = M.H5T_class_t;
  const kind = md.type === T.H5T_STRING.value ? 'string'
    : md.type === T.H5T_INTEGER.value ? 'integer'
    : md.type === T.H5T_FLOAT.value ? 'float' : 'other';
  const a = { name, kind, shape, vlen: !!md.vlen };
  if (kind !== 'string' || shape === null || !KERAS_ATTRS.includes(name)) return a;
  const total = Number(md.total_size);
  const nbytes = Number(md.size) * total;
  if (total > limits.maxAttributeElements || nbytes > limits.maxAttributeBytes) {
    a.skipped = total + ' elements of ' + md.size + ' bytes exceed the attribute limits';
    return a;
  }
  const ptr = M._malloc(Math.max(nbytes, 1));
  if (!ptr) { a.skipped = 'allocation of ' + nbytes + ' bytes failed'; return a; }
  let read = false;
  try {
    M.get_attribute_data(fid, '/', name, BigInt(ptr));
    read = true;
    const s = strings(md, ptr, total, limits);
    if (s.clipped) a.skipped = 'value longer than maxAttributeBytes';
    else a.value = shape.length === 0 ? s.value[0] : s.value;
  } finally {
    if (read && md.vlen) M.reclaim_vlen_memory(fid, '/', name, BigInt(ptr));
    M._free(ptr);
  }
  return a;
}

function run(msg) {
  job = msg;
  diag = [];
  win = null;
  readLimit = false;
  const path = '/in' + msg.id + '.h5';
  let fid;
  try {
    mount(path, msg.size);
    fid = M.open(path, M.H5F_ACC_RDONLY, false, -1, -1);
    if (fid < 0) { fid = undefined; throw new Error('H5Fopen refused the file'); }
    const names = M.get_attribute_names(fid, '/');
    // Keras' own attributes first, so a file with thousands of decoys cannot push them past the limit.
    const order = KERAS_ATTRS.filter((n) => names.includes(n)).concat(names.filter((n) => !KERAS_ATTRS.includes(n)));
    const attributes = [];
    for (const name of order.slice(0, msg.limits.maxAttributes)) attributes.push(attribute(fid, name, msg.limits));
    parentPort.postMessage({ type: 'done', id: msg.id, attributeCount: names.length, attributes });
  } catch (e) {
    const aborted = e instanceof WebAssembly.RuntimeError;
    parentPort.postMessage({
      type: 'failed', id: msg.id, message: String(e && e.message || e), diagnostics: diag.slice(0, 60), aborted, readLimit,
    });
    if (aborted) process.exit(3);
  } finally {
    if (fid !== undefined) { try { M.close_file(fid); } catch {} }
    try { M.FS.unlink(path); } catch {}
  }
}

(async () => {
  try {
    const { default: factory } = await import(workerData.utilUrl);
    M = await factory({
      noInitialRun: true,
      print: () => {},
      printErr: (s) => { if (diag.length < 200) diag.push(String(s)); },
    });
  } catch (e) {
    parentPort.postMessage({ type: 'fatal', message: String(e && e.message || e) });
    return;
  }
  parentPort.on('message', run);
  parentPort.postMessage({ type: 'ready' });
})();
`;
