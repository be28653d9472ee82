import { describe, expect, it } from 'vitest';
import { buildGradientModel } from '../../src/ml/onnx/index.js';
import { decodeModel } from '../../src/ml/onnx/model.js';
import { DT } from '../../src/ml/onnx/tensor.js';
import { A, type FdCase, fdCheck, randn, seeded, tinyModel } from './support/onnx-builders.js';

const build = (m: Uint8Array, loss: string) => buildGradientModel(m, loss as 'ce');
const r = seeded(11);
const DOUBLE_TOL = 1e-4;
const FLOAT_TOL = 3e-3;

async function expectFd(c: FdCase, tol = c.elem === DT.FLOAT ? FLOAT_TOL : DOUBLE_TOL) {
  const res = await fdCheck(c, build);
  if (process.env.FD_DEBUG)
    console.log(
      c.nodes.map((n) => n.op).join(','),
      JSON.stringify(c.nodes[0]?.attrs?.map((a) => a.name)),
      res.relErr,
    );
  expect(res.maxAbsGrad).toBeGreaterThan(0);
  if (!process.env.FD_DEBUG) expect(res.relErr).toBeLessThanOrEqual(tol);
  return res;
}

describe('gradient rules: finite differences (float64 unless ORT lacks a double kernel)', () => {
  it('Gemm with transA/transB/alpha/beta and a broadcast C', async () => {
    for (const [ta, tb] of [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ] as const) {
      await expectFd({
        inputs: [{ name: 'x', dims: ta ? [4, 3] : [3, 4] }],
        inits: [
          { name: 'w', dims: tb ? [6, 4] : [4, 6], values: randn(24, r) },
          { name: 'c', dims: [6], values: randn(6, r) },
        ],
        nodes: [
          {
            op: 'Gemm',
            inputs: ['x', 'w', 'c'],
            outputs: ['y'],
            attrs: [A.int('transA', ta), A.int('transB', tb), A.float('alpha', 0.7), A.float('beta', 1.3)],
          },
        ],
        output: 'y',
      });
    }
  });

  it('Relu', async () => {
    await expectFd({
      inputs: [{ name: 'x', dims: [3, 5] }],
      nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      output: 'y',
    });
  });

  it('Flatten and Reshape (static shape and with 0 / -1)', async () => {
    await expectFd({
      inputs: [{ name: 'x', dims: [2, 3, 4] }],
      inits: [{ name: 's', dims: [3], values: [0, -1, 2], elem: DT.INT64 }],
      nodes: [
        { op: 'Flatten', inputs: ['x'], outputs: ['f'], attrs: [A.int('axis', 2)] },
        { op: 'Reshape', inputs: ['f', 's'], outputs: ['y'] },
      ],
      output: 'y',
    });
  });

  it('Conv (float32: no double kernel in ORT) with strides, pads, dilations, groups, and an input the windows do not cover', async () => {
    const cases = [
      { x: [2, 2, 7, 7], w: [4, 2, 3, 3], attrs: [A.ints('strides', [2, 2]), A.ints('pads', [1, 0, 0, 1])] },
      { x: [1, 4, 6, 5], w: [4, 2, 2, 3], attrs: [A.int('group', 2), A.ints('dilations', [2, 1])] },
      {
        x: [2, 3, 5, 5],
        w: [2, 3, 3, 3],
        attrs: [A.string('auto_pad', 'SAME_UPPER'), A.ints('strides', [2, 2])],
      },
      { x: [2, 2, 9], w: [3, 2, 3], attrs: [A.ints('strides', [2]), A.ints('pads', [2, 1])] },
    ];
    for (const k of cases) {
      const nw = k.w.reduce((a, b) => a * b, 1);
      await expectFd({
        elem: DT.FLOAT,
        inputs: [{ name: 'x', dims: k.x }],
        inits: [
          { name: 'w', dims: k.w, values: randn(nw, r) },
          { name: 'b', dims: [k.w[0] as number], values: randn(k.w[0] as number, r) },
        ],
        nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: k.attrs }],
        output: 'y',
      });
    }
  });

  it('MaxPool (overlapping windows, pads, strides; indices scattered back)', async () => {
    for (const attrs of [
      [A.ints('kernel_shape', [2, 2])],
      [A.ints('kernel_shape', [3, 3]), A.ints('strides', [1, 2]), A.ints('pads', [1, 1, 1, 0])],
      [A.ints('kernel_shape', [2, 2]), A.ints('strides', [2, 2]), A.int('ceil_mode', 1)],
    ]) {
      await expectFd({
        inputs: [{ name: 'x', dims: [2, 2, 5, 5] }],
        nodes: [{ op: 'MaxPool', inputs: ['x'], outputs: ['y'], attrs }],
        output: 'y',
      });
    }
  });

  it('MaxPool tiling a ReLU output (Resize + Where instead of the scatter; ties at zero masked by the ReLU)', async () => {
    for (const [dims, kernel] of [
      [
        [2, 2, 4, 6],
        [2, 2],
      ],
      [
        [2, 3, 6, 4],
        [3, 2],
      ],
      [[2, 2, 8], [2]],
    ] as const) {
      const c: FdCase = {
        elem: DT.FLOAT,
        inputs: [{ name: 'x', dims: [...dims] }],
        nodes: [
          { op: 'Relu', inputs: ['x'], outputs: ['r'] },
          {
            op: 'MaxPool',
            inputs: ['r'],
            outputs: ['y'],
            attrs: [A.ints('kernel_shape', [...kernel]), A.ints('strides', [...kernel])],
          },
        ],
        output: 'y',
      };
      await expectFd(c);
      const headless = tinyModel({
        elem: DT.FLOAT,
        opset: 17,
        inputs: c.inputs,
        nodes: [...c.nodes, { op: 'Flatten', inputs: ['y'], outputs: ['f'] }],
        outputs: ['f'],
      });
      const built = build(headless, 'ce');
      const ops = decodeModel(built.bytes).graph.nodes.map((n) => n.opType);
      expect(ops).toContain('Resize');
      expect(ops).not.toContain('ScatterElements');
    }
  });
});
