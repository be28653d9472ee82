import { describe, expect, it } from 'vitest';
import { buildGradientModel } from '../../src/ml/onnx/index.js';
import { DT } from '../../src/ml/onnx/tensor.js';
import { A, type FdCase, fdCheck, randn, seeded } from './support/onnx-builders.js';

/**
 * Finite-difference checks of every gradient rule: a tiny model (the op, then a Flatten→Gemm head to
 * logits), the CE loss head, central differences of the forward model run in ORT. float64 with
 * relative error ≤ 1e-4; ops ORT has no double kernel for (Conv, ConvTranspose, AveragePool,
 * GlobalAveragePool, Erf/Gelu) run in float32 with ≤ 3e-3.
 */
const build = (m: Uint8Array, loss: string) => buildGradientModel(m, loss as 'ce');
const r = seeded(5);
const I64 = DT.INT64;

async function expectFd(c: FdCase, tol = c.elem === DT.FLOAT ? 3e-3 : 1e-4) {
  const res = await fdCheck(c, build);
  expect(res.maxAbsGrad).toBeGreaterThan(0);
  expect(res.relErr).toBeLessThanOrEqual(tol);
  return res;
}

const x = (dims: number[], more: Partial<FdCase['inputs'][number]> = {}) => [{ name: 'x', dims, ...more }];
const w = (name: string, dims: number[], lo = -1, hi = 1) => ({
  name,
  dims,
  values: randn(
    dims.reduce((a, b) => a * b, 1),
    r,
    lo,
    hi,
  ),
});
const ints = (name: string, values: number[], dims = [values.length]) => ({ name, dims, values, elem: I64 });
const one = (op: string, inputs: string[], attrs: FdCase['nodes'][number]['attrs'] = []) => ({
  op,
  inputs,
  outputs: ['y'],
  attrs,
});

describe('binary ops with broadcasting', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
    it(`${op}: input broadcast against a larger operand, and a larger input against a smaller one`, async () => {
      const lo = op === 'Div' ? 0.5 : -1;
      await expectFd({
        inputs: x([3, 1, 4], { lo }),
        inits: [w('b', [2, 3, 2, 4], lo, 2)],
        nodes: [one(op, ['b', 'x'])],
        output: 'y',
      });
      await expectFd({
        inputs: x([2, 3, 4]),
        inits: [w('b', [3, 1], 0.5, 2)],
        nodes: [one(op, ['x', 'b'])],
        output: 'y',
      });
    });
  }
  it('both operands depend on the input (gradients from two consumers are summed), symbolic batch', async () => {
    for (const op of ['Add', 'Sub', 'Mul', 'Div']) {
      await expectFd({
        inputs: x([2, 3, 4], { declared: ['N', 3, 4] }),
        inits: [ints('ax', [2])],
        nodes: [
          { op: 'ReduceSum', inputs: ['x', 'ax'], outputs: ['s'] },
          { op: 'Sigmoid', inputs: ['s'], outputs: ['t'] },
          { op, inputs: ['x', 't'], outputs: ['y'] },
        ],
        output: 'y',
      });
    }
  });
  it('Sum, Where, Pow, Neg, Abs, Exp, Log, Sqrt, Cast', async () => {
    await expectFd({
      inputs: x([2, 3]),
      inits: [w('b', [3])],
      nodes: [one('Sum', ['x', 'b', 'x'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 3]),
      inits: [w('b', [3])],
      nodes: [
        { op: 'Greater', inputs: ['x', 'b'], outputs: ['m'] },
        { op: 'Exp', inputs: ['x'], outputs: ['ex'] },
        one('Where', ['m', 'ex', 'x']),
      ],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 3], { lo: 0.5, hi: 2 }),
      inits: [w('p', [3], 1.5, 3)],
      nodes: [one('Pow', ['x', 'p'])],
      output: 'y',
    });
    for (const op of ['Neg', 'Abs', 'Exp'])
      await expectFd({ inputs: x([2, 3]), nodes: [one(op, ['x'])], output: 'y' });
    for (const op of ['Log', 'Sqrt'])
      await expectFd({ inputs: x([2, 3], { lo: 0.5, hi: 2 }), nodes: [one(op, ['x'])], output: 'y' });
    await expectFd({
      inputs: x([2, 3]),
      nodes: [
        { op: 'Cast', inputs: ['x'], outputs: ['c'], attrs: [A.int('to', DT.DOUBLE)] },
        one('Tanh', ['c']),
      ],
      output: 'y',
    });
  });
});

describe('MatMul', () => {
  const cases: [number[], number[]][] = [
    [
      [3, 4],
      [4, 5],
    ],
    [
      [2, 3, 4],
      [4, 5],
    ],
    [
      [2, 1, 3, 4],
      [3, 4, 2],
    ],
    [[4], [2, 4, 3]],
    [[2, 3, 4], [4]],
    [[4], [4]],
  ];
  for (const [a, b] of cases) {
    it(`${JSON.stringify(a)} × ${JSON.stringify(b)}: gradient for either operand`, async () => {
      await expectFd({
        inputs: x(a),
        inits: [w('b', b)],
        nodes: [one('MatMul', ['x', 'b'])],
        output: 'y',
        flattenAxis: 0,
      });
      await expectFd({
        inputs: x(b),
        inits: [w('a', a)],
        nodes: [one('MatMul', ['a', 'x'])],
        output: 'y',
        flattenAxis: 0,
      });
    });
  }
  it('x·xᵀ (both operands from the input, symbolic batch)', async () => {
    await expectFd({
      inputs: x([2, 3, 4], { declared: ['N', 3, 4] }),
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: [A.ints('perm', [0, 2, 1])] },
        one('MatMul', ['x', 't']),
      ],
      output: 'y',
    });
  });
});

describe('activations', () => {
  const cases: [string, FdCase['nodes'][number]['attrs']][] = [
    ['LeakyRelu', [A.float('alpha', 0.2)]],
    ['Sigmoid', []],
    ['Tanh', []],
    ['Softmax', [A.int('axis', 1)]],
    ['LogSoftmax', [A.int('axis', 1)]],
    ['Softmax', [A.int('axis', -1)]],
    ['Identity', []],
    ['Dropout', []],
  ];
  for (const [op, attrs] of cases)
    it(`${op} ${JSON.stringify(attrs?.map((a) => a.i ?? a.f))}`, async () => {
      await expectFd({
        inputs: x([2, 3, 4], { lo: -2, hi: 2 }),
        nodes: [one(op, ['x'], attrs)],
        output: 'y',
      });
    });
  it('PRelu with a per-channel slope', async () => {
    await expectFd({
      inputs: x([2, 3, 4]),
      inits: [w('s', [3, 1], 0.1, 0.5)],
      nodes: [one('PRelu', ['x', 's'])],
      output: 'y',
    });
  });
  it('Clip with min/max inputs, with one bound, and with none', async () => {
    await expectFd({
      inputs: x([2, 6], { lo: -2, hi: 2 }),
      inits: [w('lo', [], -0.5, -0.4), w('hi', [], 0.4, 0.5)],
      nodes: [one('Clip', ['x', 'lo', 'hi'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 6], { lo: -2, hi: 2 }),
      inits: [w('lo', [], -0.5, -0.4)],
      nodes: [one('Clip', ['x', 'lo'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 6], { lo: -2, hi: 2 }),
      inits: [w('hi', [], 0.4, 0.5)],
      nodes: [one('Clip', ['x', '', 'hi'])],
      output: 'y',
    });
  });
  it('Erf and Gelu (exact and tanh) in float32 (ORT has no double Erf)', async () => {
    await expectFd({
      elem: DT.FLOAT,
      inputs: x([2, 5], { lo: -2, hi: 2 }),
      nodes: [one('Erf', ['x'])],
      output: 'y',
    });
    await expectFd({
      elem: DT.FLOAT,
      opset: 20,
      inputs: x([2, 5], { lo: -2, hi: 2 }),
      nodes: [one('Gelu', ['x'])],
      output: 'y',
    });
    await expectFd({
      elem: DT.FLOAT,
      opset: 20,
      inputs: x([2, 5], { lo: -2, hi: 2 }),
      nodes: [one('Gelu', ['x'], [A.string('approximate', 'tanh')])],
      output: 'y',
    });
  });
});

describe('convolution and pooling (float32: no double kernels in ORT)', () => {
  const F = DT.FLOAT;
  it('ConvTranspose with strides, pads, groups', async () => {
    await expectFd({
      elem: F,
      inputs: x([2, 2, 3, 4]),
      inits: [w('w', [2, 3, 3, 2])],
      nodes: [one('ConvTranspose', ['x', 'w'], [A.ints('strides', [2, 1]), A.ints('pads', [1, 0, 0, 1])])],
      output: 'y',
    });
    await expectFd({
      elem: F,
      inputs: x([1, 4, 3, 3]),
      inits: [w('w', [4, 1, 2, 2])],
      nodes: [one('ConvTranspose', ['x', 'w'], [A.int('group', 2), A.ints('strides', [2, 2])])],
      output: 'y',
    });
  });
  it('Conv with a symbolic batch and spatial size (run-time fitting)', async () => {
    await expectFd({
      elem: F,
      inputs: x([2, 2, 7, 6], { declared: ['N', 2, 'H', 'W'] }),
      inits: [w('w', [3, 2, 3, 3])],
      nodes: [one('Conv', ['x', 'w'], [A.ints('strides', [2, 2]), A.ints('pads', [2, 1, 1, 0])])],
      output: 'y',
    });
  });
  it('AveragePool: plain, strided with pads (count_include_pad 0 and 1)', async () => {
    for (const attrs of [
      [A.ints('kernel_shape', [2, 2])],
      [A.ints('kernel_shape', [3, 3]), A.ints('strides', [2, 2]), A.ints('pads', [1, 1, 1, 1])],
      [
        A.ints('kernel_shape', [3, 2]),
        A.ints('strides', [2, 1]),
        A.ints('pads', [1, 0, 0, 1]),
        A.int('count_include_pad', 1),
      ],
    ])
      await expectFd({
        elem: F,
        inputs: x([2, 3, 5, 5]),
        nodes: [one('AveragePool', ['x'], attrs)],
        output: 'y',
      });
  });
  it('GlobalAveragePool', async () => {
    await expectFd({
      elem: F,
      inputs: x([2, 3, 4, 5]),
      nodes: [one('GlobalAveragePool', ['x'])],
      output: 'y',
    });
  });
});

describe('normalization', () => {
  it('BatchNormalization (inference) on 4-D and 2-D inputs', async () => {
    for (const dims of [
      [2, 3, 2, 2],
      [4, 3],
    ])
      await expectFd({
        inputs: x(dims),
        inits: [w('s', [3]), w('b', [3]), w('m', [3]), w('v', [3], 0.5, 2)],
        nodes: [one('BatchNormalization', ['x', 's', 'b', 'm', 'v'], [A.float('epsilon', 1e-3)])],
        output: 'y',
      });
  });
  it('LayerNormalization over the last axis and the last two', async () => {
    await expectFd({
      inputs: x([2, 3, 4]),
      inits: [w('g', [4]), w('b', [4])],
      nodes: [one('LayerNormalization', ['x', 'g', 'b'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 3, 4]),
      inits: [w('g', [3, 4])],
      nodes: [one('LayerNormalization', ['x', 'g'], [A.int('axis', 1), A.float('epsilon', 1e-3)])],
      output: 'y',
    });
  });
});

describe('shape ops', () => {
  it('Transpose, Squeeze, Unsqueeze', async () => {
    await expectFd({
      inputs: x([2, 3, 4]),
      nodes: [one('Transpose', ['x'], [A.ints('perm', [0, 2, 1])])],
      output: 'y',
    });
    await expectFd({ inputs: x([2, 3, 4]), nodes: [one('Transpose', ['x'])], output: 'y', flattenAxis: 0 });
    await expectFd({
      inputs: x([2, 1, 4]),
      inits: [ints('a', [1])],
      nodes: [one('Squeeze', ['x', 'a'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 4]),
      inits: [ints('a', [1, -1])],
      nodes: [one('Unsqueeze', ['x', 'a'])],
      output: 'y',
    });
  });
  it('Concat (the input used twice) and Split (one output unused)', async () => {
    await expectFd({
      inputs: x([2, 3]),
      inits: [w('b', [2, 2])],
      nodes: [one('Concat', ['x', 'b', 'x'], [A.int('axis', 1)])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 6]),
      inits: [ints('s', [1, 3, 2])],
      nodes: [
        { op: 'Split', inputs: ['x', 's'], outputs: ['p', 'q', 'u'], attrs: [A.int('axis', 1)] },
        one('Mul', ['p', 'u']),
      ],
      output: 'y',
    });
  });
  it('Slice: steps 1, 2, −1, negative starts, clamped ends', async () => {
    const cases = [
      { starts: [1], ends: [3], axes: [1], steps: [1] },
      { starts: [0, 1], ends: [100, -1], axes: [1, 2], steps: [2, 1] },
      { starts: [-1], ends: [-100], axes: [2], steps: [-2] },
    ];
    for (const k of cases)
      await expectFd({
        inputs: x([2, 4, 5]),
        inits: [ints('s', k.starts), ints('e', k.ends), ints('a', k.axes), ints('t', k.steps)],
        nodes: [one('Slice', ['x', 's', 'e', 'a', 't'])],
        output: 'y',
      });
  });
  it('Gather on axes 0, 1 and 2 with repeated and negative indices', async () => {
    await expectFd({
      inputs: x([3, 4]),
      inits: [ints('i', [2, 0, 2, -1])],
      nodes: [one('Gather', ['x', 'i'], [A.int('axis', 0)])],
      output: 'y',
      flattenAxis: 0,
    });
    await expectFd({
      inputs: x([2, 4, 3]),
      inits: [ints('i', [1, -1, 1, 0], [2, 2])],
      nodes: [one('Gather', ['x', 'i'], [A.int('axis', 1)])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 3, 4]),
      inits: [ints('i', [3], [])],
      nodes: [one('Gather', ['x', 'i'], [A.int('axis', 2)])],
      output: 'y',
    });
  });
  it('Pad (constant) with positive and negative pads', async () => {
    await expectFd({
      inputs: x([2, 3, 4]),
      inits: [ints('p', [0, 1, 2, 0, 2, -1])],
      nodes: [one('Pad', ['x', 'p'])],
      output: 'y',
    });
  });
  it('Expand (static shapes, and a symbolic one: axes found at run time)', async () => {
    await expectFd({
      inputs: x([2, 1, 3], { declared: ['N', 'M', 3] }),
      inits: [ints('s', [2, 4, 3])],
      nodes: [one('Expand', ['x', 's'])],
      output: 'y',
    });
    await expectFd({
      inputs: x([2, 1, 3]),
      inits: [ints('s', [2, 4, 3])],
      nodes: [one('Expand', ['x', 's'])],
      output: 'y',
    });
  });
  it('Constant / Shape-derived subgraphs: Reshape to a shape computed from Shape, Gather, Concat', async () => {
    await expectFd({
      inputs: x([2, 3, 4], { declared: ['N', 3, 4] }),
      nodes: [
        { op: 'Shape', inputs: ['x'], outputs: ['sh'] },
        { op: 'Constant', inputs: [], outputs: ['z'], attrs: [A.tensor('value', intTensor([0]))] },
        { op: 'Gather', inputs: ['sh', 'z'], outputs: ['n'], attrs: [A.int('axis', 0)] },
        { op: 'Constant', inputs: [], outputs: ['m1'], attrs: [A.tensor('value', intTensor([-1]))] },
        { op: 'Concat', inputs: ['n', 'm1'], outputs: ['s2'], attrs: [A.int('axis', 0)] },
        { op: 'Reshape', inputs: ['x', 's2'], outputs: ['f'] },
        one('Tanh', ['f']),
      ],
      output: 'y',
    });
  });
});

describe('reductions', () => {
  for (const op of ['ReduceSum', 'ReduceMean', 'ReduceMax'])
    it(`${op} with keepdims 1 and 0, and over all axes`, async () => {
      const axesIn = op === 'ReduceSum';
      const nodeFor = (axes: number[], keep: number) =>
        axesIn
          ? one(op, axes.length ? ['x', 'ax'] : ['x'], [A.int('keepdims', keep)])
          : one(op, ['x'], [...(axes.length ? [A.ints('axes', axes)] : []), A.int('keepdims', keep)]);
      for (const [axes, keep] of [
        [[2], 1],
        [[1, -1], 0],
      ] as const)
        await expectFd({
          inputs: x([2, 3, 4]),
          inits: axesIn ? [ints('ax', [...axes])] : [],
          nodes: [nodeFor([...axes], keep)],
          output: 'y',
        });
      await expectFd({ inputs: x([2, 3, 4]), nodes: [nodeFor([], 1)], output: 'y', flattenAxis: 0 });
    });
});

function intTensor(values: number[]): Uint8Array {
  return makeTensor('', I64, [values.length], values);
}

import { makeTensor } from '../../src/ml/onnx/tensor.js';
