import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTACKS } from '../../src/attacks/registry.js';
import { buildGradientModel, buildStepModel } from '../../src/ml/onnx/index.js';
import { decodeModel } from '../../src/ml/onnx/model.js';
import { loadOnnxClassifier } from '../../src/ml/ort/index.js';
import type { Classifier } from '../../src/ml/types.js';
import { ATTACK_FIXTURES, f32, i32, readNpz } from './ort-reference.js';

const data = readNpz(join(ATTACK_FIXTURES, 'digits_test.npz'));
const model = join(ATTACK_FIXTURES, 'digits_cnn.onnx');
const N = 120;
const x = f32(data, 'x').slice(0, N * 64);
const y = i32(data, 'y').slice(0, N);

/** The same classifier without its step loop: attacks then take every step in TypeScript. */
function withoutSteps(c: Classifier): Classifier {
  return {
    profile: c.profile,
    capabilities: c.capabilities,
    queries: c.queries,
    predict: (t) => c.predict(t),
    lossGradient: (t, l, k, tg) => c.lossGradient(t, l, k, tg),
    dispose: () => c.dispose(),
  };
}

describe('the PGD step loop as one ONNX graph (Loop over the gradient graph)', () => {
  it('is a Loop whose body holds the weights, with batch-major inputs only', () => {
    const sm = buildStepModel(buildGradientModel(new Uint8Array(readFileSync(model)), 'ce'), 'linf', 7);
    const g = decodeModel(sm.bytes).graph;
    expect(g.nodes.map((n) => n.opType)).toEqual(['Loop']);
    expect(g.initializers.map((t) => t.name)).toEqual([g.nodes[0]?.input[0]]);
    expect(g.inputs.map((i) => i.name)).toEqual([
      sm.start,
      sm.orig,
      sm.labels,
      sm.alpha,
      sm.eps,
      sm.lo,
      sm.hi,
    ]);
    expect(() =>
      buildStepModel(buildGradientModel(new Uint8Array(readFileSync(model)), 'ce'), 'l2', 0),
    ).toThrow(/steps/);
  });

  for (const [norm, eps, steps] of [
    ['linf', 0.1, 20],
    ['l2', 1.0, 20],
  ] as const) {
    it(`${norm}: PGD through the loop equals PGD step by step in TypeScript (stays in the ball and the range)`, async () => {
      const clf = await loadOnnxClassifier(model, undefined, { threads: 2 });
      try {
        expect(clf.gradientSteps).toBeDefined();
        const opts = { norm, eps, steps, seed: 3, batchSize: 64, randomStart: true } as const;
        const before = clf.queries.gradient;
        const fused = await ATTACKS.pgd.run(clf, { data: x, shape: [N, 1, 8, 8] }, y, opts);
        const fusedQueries = clf.queries.gradient - before;
        const plain = await ATTACKS.pgd.run(withoutSteps(clf), { data: x, shape: [N, 1, 8, 8] }, y, opts);
        expect(clf.queries.gradient - before - fusedQueries).toBe(fusedQueries);
        const a = fused.adversarial.data;
        const b = plain.adversarial.data;
        // float32 in the graph vs float64-then-rounded in TypeScript: a last-bit difference can flip a sign
        // late in the run, so compare outcomes, not bits.
        let close = 0;
        for (let i = 0; i < N; i++) {
          let d = 0;
          let n2 = 0;
          for (let j = 0; j < 64; j++) {
            const v = a[i * 64 + j] as number;
            const o = x[i * 64 + j] as number;
            d = Math.max(d, Math.abs(v - (b[i * 64 + j] as number)));
            n2 += (v - o) ** 2;
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
            if (norm === 'linf') expect(Math.abs(v - o)).toBeLessThanOrEqual(eps + 1e-6);
          }
          if (norm === 'l2') expect(Math.sqrt(n2)).toBeLessThanOrEqual(eps + 1e-5);
          if (d < 1e-4) close++;
        }
        expect(close).toBeGreaterThanOrEqual(N * 0.9);
        const fooled = (r: typeof fused) => r.fooled.filter(Boolean).length;
        expect(Math.abs(fooled(fused) - fooled(plain))).toBeLessThanOrEqual(1);
        expect(fooled(fused)).toBeGreaterThan(10);
      } finally {
        await clf.dispose();
      }
    });
  }
});
