import { describe, expect, it } from 'vitest';
import { buildGradientModel } from '../../src/ml/onnx/index.js';
import { DT } from '../../src/ml/onnx/tensor.js';
import { A, type FdCase, fdCheck, randn, seeded } from './support/onnx-builders.js';

/** Finite-difference checks of the rules beyond the operator list (float64 unless noted). */
const build = (m: Uint8Array, loss: string) => buildGradientModel(m, loss as 'ce');
const r = seeded(33);

async function expectFd(c: FdCase, tol = c.elem === DT.FLOAT ? 3e-3 : 1e-4) {
  const res = await fdCheck(c, build);
  expect(res.maxAbsGrad).toBeGreaterThan(0);
  expect(res.relErr).toBeLessThanOrEqual(tol);
}

const one = (op: string, inputs: string[], attrs: FdCase['nodes'][number]['attrs'] = []) => ({
  op,
  inputs,
  outputs: ['y'],
  attrs,
});

describe('more element-wise ops', () => {
  const cases: [string, number, FdCase['nodes'][number]['attrs'], number, number][] = [
    ['Reciprocal', DT.DOUBLE, [], 0.5, 2],
    ['Sin', DT.DOUBLE, [], -3, 3],
    ['Cos', DT.DOUBLE, [], -3, 3],
    ['Elu', DT.FLOAT, [A.float('alpha', 0.7)], -2, 2],
    ['Selu', DT.FLOAT, [], -2, 2],
    ['Softplus', DT.FLOAT, [], -3, 3],
    ['HardSigmoid', DT.FLOAT, [A.float('alpha', 0.3)], -4, 4],
    ['HardSwish', DT.FLOAT, [], -5, 5],
  ];
  for (const [op, elem, attrs, lo, hi] of cases)
    it(`${op}${elem === DT.FLOAT ? ' (float32: no double kernel in ORT)' : ''}`, async () => {
      await expectFd({
        elem,
        inputs: [{ name: 'x', dims: [2, 7], lo, hi }],
        nodes: [one(op, ['x'], attrs)],
        output: 'y',
      });
    });

  it('Max and Min with broadcasting (gradient to the selected operand)', async () => {
    for (const op of ['Max', 'Min'])
      await expectFd({
        inputs: [{ name: 'x', dims: [2, 3, 4] }],
        inits: [{ name: 'b', dims: [3, 1], values: randn(3, r, -0.5, 0.5) }],
        nodes: [one(op, ['x', 'b'])],
        output: 'y',
      });
  });
});

describe('more pooling and normalisation', () => {
  it('GlobalMaxPool (float32: no double kernel in ORT)', async () => {
    await expectFd({
      elem: DT.FLOAT,
      inputs: [{ name: 'x', dims: [2, 3, 3, 4] }],
      nodes: [one('GlobalMaxPool', ['x'])],
      output: 'y',
    });
  });
  it('InstanceNormalization (float32: no double kernel in ORT)', async () => {
    await expectFd({
      elem: DT.FLOAT,
      inputs: [{ name: 'x', dims: [2, 3, 3, 4] }],
      inits: [
        { name: 's', dims: [3], values: randn(3, r) },
        { name: 'b', dims: [3], values: randn(3, r) },
      ],
      nodes: [one('InstanceNormalization', ['x', 's', 'b'], [A.float('epsilon', 1e-3)])],
      output: 'y',
    });
  });
});
