import { describe, expect, it } from 'vitest';
import { addOutputs, buildGradientModel } from '../../src/ml/onnx/index.js';
import { A, fdCheck, lossFromLogits, randn, runModel, seeded, tinyModel } from './support/onnx-builders.js';

/**
 * Loss heads: each per-sample loss equals the direct computation from the logits (done inside fdCheck,
 * to 1e-6 relative), and its input gradient passes central differences in float64 (≤ 1e-4 relative).
 */
const build = (m: Uint8Array, loss: string) => buildGradientModel(m, loss as 'ce');
const r = seeded(21);
const W = randn(4 * 6, r, -2, 2);
const B = randn(6, r);

function gemmModel(tail?: 'Softmax' | 'LogSoftmax'): Uint8Array {
  return tinyModel({
    inputs: [{ name: 'x', dims: ['N', 4] }],
    inits: [
      { name: 'w', dims: [4, 6], values: W },
      { name: 'b', dims: [6], values: B },
    ],
    nodes: [
      { op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['z'] },
      ...(tail ? [{ op: tail, inputs: ['z'], outputs: ['p'], attrs: [A.int('axis', 1)] }] : []),
    ],
    outputs: [tail ? 'p' : 'z'],
  });
}

describe('loss heads', () => {
  for (const loss of ['ce', 'margin', 'dlr', 'dlr-targeted', 'logit', 'logit-diff']) {
    it(`${loss}: per-sample loss from the logits and its input gradient`, async () => {
      const res = await fdCheck(
        {
          inputs: [{ name: 'x', dims: [5, 4], declared: ['N', 4], lo: -2, hi: 2 }],
          inits: [
            { name: 'w', dims: [4, 6], values: W },
            { name: 'b', dims: [6], values: randn(6, r) },
          ],
          nodes: [{ op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['z'] }],
          output: 'z',
          noHead: true,
          loss,
          samples: 20,
        },
        build,
      );
      expect(res.maxAbsGrad).toBeGreaterThan(0);
      expect(res.relErr).toBeLessThanOrEqual(1e-4);
    });
  }

  it('dlr-targeted and logit-diff add a targets input; the others do not', () => {
    expect(buildGradientModel(gemmModel(), 'dlr-targeted').targets).toBeDefined();
    expect(buildGradientModel(gemmModel(), 'logit-diff').targets).toBeDefined();
    expect(buildGradientModel(gemmModel(), 'dlr').targets).toBeUndefined();
  });

  for (const tail of ['Softmax', 'LogSoftmax'] as const) {
    it(`a trailing ${tail} is bypassed: same logits, loss and gradient as the model without it`, async () => {
      const withTail = buildGradientModel(gemmModel(tail), 'ce');
      const plain = buildGradientModel(gemmModel(), 'ce');
      expect(withTail.removedSoftmax).toBe(true);
      expect(plain.removedSoftmax).toBe(false);
      expect(withTail.logits).toBe('z');
      const feed = {
        x: { data: Float64Array.from(randn(12, r, -2, 2)), dims: [3, 4] },
        [withTail.labels]: { data: BigInt64Array.from([0n, 3n, 5n]), dims: [3] },
      };
      const a = await runModel(withTail.bytes, feed);
      const b = await runModel(plain.bytes, feed);
      expect(a[withTail.grad]).toEqual(b[plain.grad]);
      expect(a[withTail.loss]).toEqual(b[plain.loss]);
      expect(a.z).toEqual(b.z);
      expect(a.p?.dims).toEqual([3, 6]); // the original output is kept
      const direct = lossFromLogits('ce', a.z?.data ?? [], 6, [0, 3, 5]);
      for (const [i, v] of (a[withTail.loss]?.data ?? []).entries())
        expect(v).toBeCloseTo(direct[i] as number, 10);
    });
  }

  it('the logits output equals the forward pre-softmax tensor', async () => {
    const m = gemmModel('Softmax');
    const g = buildGradientModel(m, 'margin');
    const x = { data: Float64Array.from(randn(8, r)), dims: [2, 4] };
    const out = await runModel(g.bytes, { x, [g.labels]: { data: BigInt64Array.from([1n, 2n]), dims: [2] } });
    const fwd = await runModel(addOutputs(m, ['z']), { x });
    expect(out[g.logits]).toEqual(fwd.z);
  });
});
