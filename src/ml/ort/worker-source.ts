/**
 * The code of an onnxruntime worker thread, as a string for `new Worker(code, { eval: true })`: one file for
 * source (vitest, tsx), tsc output and the esbuild bundle alike, as the hashing and HDF5 workers do.
 * `workerData.ort` is onnxruntime-node's resolved path (resolved by the pool, so the worker finds the same
 * copy wherever the process was started). The worker holds any number of sessions by id.
 *
 * Messages in: { id, op: 'create', sid, bytes, options } | { id, op: 'run', sid, feeds: [{ name, type,
 * buffer, dims }], fetches } | { id, op: 'release', sid }. Out: { id, ok: true, … } or { id, ok: false,
 * message }; a run's reply also says how long onnxruntime took (`ms`). Output buffers are copied out of
 * onnxruntime's memory and transferred.
 */
export const ORT_WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const ort = require(workerData.ort);
const sessions = new Map();

function meta(list) {
  return list.map((m) => ({
    name: m.name,
    isTensor: m.isTensor,
    shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [],
  }));
}

async function handle(m) {
  if (m.op === 'create') {
    const s = await ort.InferenceSession.create(m.bytes, m.options);
    sessions.set(m.sid, s);
    return [{ inputNames: s.inputNames, outputNames: s.outputNames, inputs: meta(s.inputMetadata),
      outputs: meta(s.outputMetadata) }, []];
  }
  const s = sessions.get(m.sid);
  if (!s) throw new Error('no session ' + m.sid);
  if (m.op === 'release') {
    sessions.delete(m.sid);
    await s.release();
    return [{}, []];
  }
  const feeds = {};
  for (const f of m.feeds) {
    const data = f.type === 'float32' ? new Float32Array(f.buffer) : new BigInt64Array(f.buffer);
    feeds[f.name] = new ort.Tensor(f.type, data, f.dims);
  }
  const t0 = performance.now();
  const res = await s.run(feeds, m.fetches);
  const ms = performance.now() - t0;
  const outputs = [];
  const transfer = [];
  for (const name of m.fetches) {
    const t = res[name];
    if (!t || (t.type !== 'float32' && t.type !== 'int64'))
      throw new Error('output ' + JSON.stringify(name) + ' is not a float32 or int64 tensor');
    const copy = t.data.slice();
    outputs.push({ name, type: t.type, buffer: copy.buffer, dims: t.dims });
    transfer.push(copy.buffer);
  }
  return [{ outputs, ms }, transfer];
}

parentPort.on('message', (m) => {
  handle(m).then(
    ([reply, transfer]) => parentPort.postMessage({ id: m.id, ok: true, ...reply }, transfer),
    (e) => parentPort.postMessage({ id: m.id, ok: false, message: String((e && e.message) || e) }),
  );
});
`;
