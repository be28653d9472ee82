import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureNpmModels } from '../../scripts/fixtures/npm-models.js';
import {
  addOutputs,
  buildGradientModel,
  decodeModel,
  encodeModel,
  listNodes,
  OnnxGraphError,
  UnsupportedOpError,
} from '../../src/ml/onnx/index.js';
import { makeTensor } from '../../src/ml/onnx/tensor.js';
import {
  A,
  type Feed,
  fdCheck,
  lossFromLogits,
  randn,
  runModel,
  seeded,
  tinyModel,
} from './support/onnx-builders.js';

const FIX = new URL('../fixtures/onnx/benign/', import.meta.url).pathname;
const load = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('no error');
}

/** Central differences of the summed per-sample loss, computed from the forward model's logits in ORT. */
async function fdAgainst(
  fwd: Uint8Array,
  logits: string,
  feed: Feed,
  input: string,
  labels: number[],
  loss: string,
  idx: number[],
  h: number,
): Promise<number[]> {
  const x = feed[input]?.data as Float32Array;
  const k = async (xs: Float32Array) => {
    const out = await runModel(fwd, { ...feed, [input]: { data: xs, dims: feed[input]?.dims ?? [] } });
    const z = out[logits] as { data: number[]; dims: number[] };
    return lossFromLogits(loss, z.data, z.dims[1] as number, labels).reduce((a, b) => a + b, 0);
  };
  const res: number[] = [];
  for (const i of idx) {
    const p = Float32Array.from(x);
    const m = Float32Array.from(x);
    p[i] = (x[i] as number) + h;
    m[i] = (x[i] as number) - h;
    res.push(((await k(p)) - (await k(m))) / (2 * h));
  }
  return res;
}

function relErr(a: number[], b: number[]): number {
  let e = 0;
  let m = 0;
  a.forEach((v, i) => {
    e = Math.max(e, Math.abs(v - (b[i] as number)));
    m = Math.max(m, Math.abs(b[i] as number));
  });
  return e / m;
}

describe('buildGradientModel on exported models (float32; central differences, ≤ 3e-3 relative)', () => {
  it('cnn.onnx (Conv, Relu, MaxPool, Flatten, Gemm, Softmax from torch.onnx.export)', async () => {
    const bytes = load('cnn.onnx');
    const g = buildGradientModel(bytes, 'ce');
    expect(g.removedSoftmax).toBe(true);
    expect(g.logits).toBe('/fc/Gemm_output_0');
    const rand = seeded(4);
    const feed: Feed = { input: { data: Float32Array.from(randn(64, rand, -3, 3)), dims: [1, 1, 8, 8] } };
    const out = await runModel(g.bytes, {
      ...feed,
      [g.labels]: { data: BigInt64Array.from([2n]), dims: [1] },
    });
    const grad = out[g.grad]?.data as number[];
    const idx = Array.from({ length: 32 }, (_, i) => i * 2);
    const fd = await fdAgainst(addOutputs(bytes, [g.logits]), g.logits, feed, 'input', [2], 'ce', idx, 1e-2);
    expect(
      relErr(
        idx.map((i) => grad[i] as number),
        fd,
      ),
    ).toBeLessThan(3e-3);
  });

  it('transformer_layer.onnx (attention: MatMul, Softmax, Reshape/Transpose/Slice of Shape-derived sizes, layer norm as ReduceMean/Pow/Sqrt) with a Gemm head', async () => {
    const m = decodeModel(load('transformer_layer.onnx'));
    const out = m.graph.outputs[0]?.name as string;
    const rand = seeded(8);
    m.graph.initializers.push(
      { name: 'hw', dataType: 1, dims: [24, 5], raw: makeTensor('hw', 1, [24, 5], randn(120, rand)) },
      { name: 'hs', dataType: 7, dims: [2], raw: makeTensor('hs', 7, [2], [1, -1]) },
    );
    m.graph.nodes.push(
      {
        name: 'head_r',
        opType: 'Reshape',
        domain: '',
        input: [out, 'hs'],
        output: ['hf'],
        attrs: [],
        extra: [],
      },
      {
        name: 'head_g',
        opType: 'Gemm',
        domain: '',
        input: ['hf', 'hw'],
        output: ['logits'],
        attrs: [],
        extra: [],
      },
    );
    m.graph.outputs = [{ name: 'logits', elemType: 1, dims: null }];
    const fwd = encodeModel(m);
    for (const loss of ['ce', 'dlr']) {
      const g = buildGradientModel(fwd, loss as 'ce');
      const feed: Feed = { query: { data: Float32Array.from(randn(24, rand)), dims: [3, 1, 8] } };
      const res = await runModel(g.bytes, {
        ...feed,
        [g.labels]: { data: BigInt64Array.from([2n]), dims: [1] },
      });
      const grad = res[g.grad]?.data as number[];
      const idx = Array.from({ length: 24 }, (_, i) => i);
      const fd = await fdAgainst(fwd, 'logits', feed, 'query', [2], loss, idx, 1e-2);
      expect(relErr(grad, fd)).toBeLessThan(3e-3);
    }
  });
});

describe('onnxruntime graph optimizations', () => {
  it('give the same gradients as an unoptimized session (cnn.onnx, CE and DLR)', async () => {
    const bytes = load('cnn.onnx');
    for (const loss of ['ce', 'dlr'] as const) {
      const g = buildGradientModel(bytes, loss);
      const feed: Feed = {
        input: { data: Float32Array.from(randn(64, seeded(6), -3, 3)), dims: [1, 1, 8, 8] },
        [g.labels]: { data: BigInt64Array.from([1n]), dims: [1] },
        ...(g.targets ? { [g.targets]: { data: BigInt64Array.from([0n]), dims: [1] } } : {}),
      };
      const a = await runModel(g.bytes, feed, 'disabled');
      const b = await runModel(g.bytes, feed, 'all');
      const ga = a[g.grad]?.data as number[];
      const gb = b[g.grad]?.data as number[];
      expect(Math.max(...ga.map(Math.abs))).toBeGreaterThan(0);
      expect(relErr(gb, ga)).toBeLessThan(1e-5);
    }
  });
});

describe('unsupported operators and unusable models', () => {
  let vad = '';
  beforeAll(() => {
    vad = join(ensureNpmModels(), 'vad-node', 'silero_vad.onnx');
  }, 300_000);

  it('LSTM (lstm_dynamic.onnx) → UnsupportedOpError naming the op and the node', () => {
    const e = caught(() => buildGradientModel(load('lstm_dynamic.onnx'), 'ce')) as UnsupportedOpError;
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.op).toBe('LSTM');
    expect(e.node).toBe('/lstm/LSTM');
    expect(e.ops).toEqual(['LSTM']);
    expect(e.message).toContain('/lstm/LSTM');
  });

  it('every unsupported op on the gradient path is listed; the first one on the path is named; ops off the path do not matter', () => {
    const m = tinyModel({
      inputs: [{ name: 'x', dims: ['N', 4] }],
      inits: [{ name: 'w', dims: [4, 3], values: randn(12, seeded(1)) }],
      nodes: [
        { op: 'Atan', inputs: ['x'], outputs: ['a'], name: 'first_atan' },
        { op: 'Asinh', inputs: ['a'], outputs: ['b'], name: 'the_asinh' },
        { op: 'Acos', inputs: ['x'], outputs: ['unused'], name: 'off_path' },
        { op: 'MatMul', inputs: ['b', 'w'], outputs: ['z'] },
      ],
      outputs: ['z', 'unused'],
    });
    const e = caught(() => buildGradientModel(m, 'ce')) as UnsupportedOpError;
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.ops.sort()).toEqual(['Asinh', 'Atan']);
    expect(e.op).toBe('Atan');
    expect(e.node).toBe('first_atan');
    expect(e.message).toMatch(/Atan.*first_atan.*Asinh/s);
  });

  it('a custom-domain op (com.microsoft.Gelu) and If (silero VAD) are unsupported', () => {
    const contrib = caught(() => buildGradientModel(load('ort_contrib.onnx'), 'logit')) as UnsupportedOpError;
    expect(contrib).toBeInstanceOf(UnsupportedOpError);
    expect(contrib.op).toBe('com.microsoft.Gelu');
    const e = caught(() => buildGradientModel(new Uint8Array(readFileSync(vad)), 'ce')) as UnsupportedOpError;
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.op).toBe('If');
  });

  it('a configuration a rule does not handle is an UnsupportedOpError with the reason', () => {
    const m = tinyModel({
      inputs: [{ name: 'x', dims: [2, 4] }],
      inits: [{ name: 'p', dims: [4], values: [0, 1, 0, 1], elem: 7 }],
      nodes: [
        {
          op: 'Pad',
          inputs: ['x', 'p'],
          outputs: ['z'],
          attrs: [A.string('mode', 'reflect')],
          name: 'reflect_pad',
        },
      ],
      outputs: ['z'],
    });
    const e = caught(() => buildGradientModel(m, 'ce')) as UnsupportedOpError;
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toMatch(/reflect_pad.*constant/);
  });

  it('old opsets, models without a float input, unknown input/output names and outputs not depending on the input are OnnxGraphErrors', () => {
    const gemm = (opset: number, elem = 11) =>
      tinyModel({
        opset,
        elem,
        inputs: [{ name: 'x', dims: [2, 4] }],
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['z'] }],
        outputs: ['z'],
      });
    expect(() => buildGradientModel(gemm(10), 'ce')).toThrow(/opset 10/);
    expect(() => buildGradientModel(gemm(17, 7), 'ce')).toThrow(/no float input/);
    expect(() => buildGradientModel(gemm(17), 'ce', { input: 'nope' })).toThrow(OnnxGraphError);
    expect(() => buildGradientModel(gemm(17), 'ce', { output: 'nope' })).toThrow(OnnxGraphError);
    const constOut = tinyModel({
      inputs: [{ name: 'x', dims: [2, 4] }],
      inits: [{ name: 'c', dims: [2, 3], values: [1, 2, 3, 4, 5, 6] }],
      nodes: [{ op: 'Identity', inputs: ['c'], outputs: ['z'] }],
      outputs: ['z'],
    });
    expect(() => buildGradientModel(constOut, 'ce')).toThrow(/does not depend/);
    expect(() => buildGradientModel(load('cnn.onnx'), 'dlr-targeted')).toThrow(
      /at least 4 classes; the model has 3/,
    );
  });

  it('the gradient graph uses only standard ai.onnx ops and keeps the original outputs', () => {
    const g = buildGradientModel(load('cnn.onnx'), 'dlr');
    const ops = new Set(listNodes(g.bytes).map((n) => n.op));
    for (const op of ops) expect(op).not.toContain('.');
    expect(decodeModel(g.bytes).graph.outputs.map((o) => o.name)).toEqual(['10', g.logits, g.loss, g.grad]);
  });

  it('opset 11 graphs are upgraded (axes/split attributes become inputs) and pass finite differences', async () => {
    const res = await fdCheck(
      {
        opset: 11,
        inputs: [{ name: 'x', dims: [2, 6], declared: ['N', 6] }],
        nodes: [
          { op: 'Unsqueeze', inputs: ['x'], outputs: ['u'], attrs: [A.ints('axes', [1])] },
          {
            op: 'Split',
            inputs: ['u'],
            outputs: ['a', 'b'],
            attrs: [A.int('axis', 2), A.ints('split', [2, 4])],
          },
          {
            op: 'ReduceSum',
            inputs: ['b'],
            outputs: ['s'],
            attrs: [A.ints('axes', [2]), A.int('keepdims', 1)],
          },
          { op: 'Mul', inputs: ['a', 's'], outputs: ['m'] },
          { op: 'Squeeze', inputs: ['m'], outputs: ['q'], attrs: [A.ints('axes', [1])] },
          { op: 'Softmax', inputs: ['q'], outputs: ['y'], attrs: [A.int('axis', 1)] },
        ],
        output: 'y',
      },
      (m, loss) => buildGradientModel(m, loss as 'ce'),
    );
    expect(res.maxAbsGrad).toBeGreaterThan(0);
    expect(res.relErr).toBeLessThanOrEqual(1e-4);
    const softmax3d = tinyModel({
      opset: 11,
      inputs: [{ name: 'x', dims: [2, 3, 4] }],
      nodes: [
        { op: 'Softmax', inputs: ['x'], outputs: ['s'], attrs: [A.int('axis', 1)], name: 'old_softmax' },
        { op: 'Flatten', inputs: ['s'], outputs: ['z'] },
      ],
      outputs: ['z'],
    });
    expect(() => buildGradientModel(softmax3d, 'ce')).toThrow(/old_softmax.*last axis/);
  });

  it('opset 18 graphs (Reduce* and Pad take axes as inputs) keep their opset and pass finite differences', async () => {
    const ints = (name: string, values: number[]) => ({ name, dims: [values.length], values, elem: 7 });
    let out: Uint8Array = new Uint8Array();
    const res = await fdCheck(
      {
        opset: 18,
        inputs: [{ name: 'x', dims: [2, 3, 4] }],
        inits: [ints('ax', [2]), ints('pads', [1, 0]), ints('pax', [1])],
        nodes: [
          { op: 'ReduceMean', inputs: ['x', 'ax'], outputs: ['m'], attrs: [A.int('keepdims', 1)] },
          { op: 'Sub', inputs: ['x', 'm'], outputs: ['c'] },
          { op: 'ReduceMax', inputs: ['c', 'ax'], outputs: ['mx'], attrs: [A.int('keepdims', 0)] },
          { op: 'Pad', inputs: ['mx', 'pads', '', 'pax'], outputs: ['y'] },
        ],
        output: 'y',
      },
      (m, loss) => {
        const g = buildGradientModel(m, loss as 'ce');
        out = g.bytes;
        return g;
      },
    );
    expect(res.relErr).toBeLessThanOrEqual(1e-4);
    expect(res.maxAbsGrad).toBeGreaterThan(0);
    expect(decodeModel(out).opsets.find((o) => o.domain === '')?.version).toBe(18);
  });
});
