import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/attacks/rng.js';
import { diffNorm, projectSample, randomInBall } from '../../src/attacks/vec.js';
import type { LossKind } from '../../src/ml/types.js';
import { backwardSample, forwardSample, lossAndDz, mlpToy } from '../support/toy-classifier.js';

describe('toy classifier', () => {
  it('has exact input gradients for every loss (central finite differences, float64)', () => {
    const model = mlpToy();
    const rng = new Rng(99);
    const losses: LossKind[] = [
      { kind: 'ce' },
      { kind: 'margin' },
      { kind: 'dlr' },
      { kind: 'dlr-targeted' },
      { kind: 'logit', classIndex: 3 },
    ];
    for (let trial = 0; trial < 5; trial++) {
      const x = Float64Array.from({ length: model.d }, () => rng.uniform());
      const { z, pre } = forwardSample(model.layers, x);
      const order = Array.from(z.keys()).sort((a, b) => z[b]! - z[a]!);
      const y = order[0]!;
      const target = order[2]!;
      for (const loss of losses) {
        const { dz } = lossAndDz(z, y, loss, target);
        const g = backwardSample(model.layers, pre, dz);
        const h = 1e-6;
        for (let j = 0; j < model.d; j++) {
          const xp = Float64Array.from(x);
          const xm = Float64Array.from(x);
          xp[j] = xp[j]! + h;
          xm[j] = xm[j]! - h;
          const fp = lossAndDz(forwardSample(model.layers, xp).z, y, loss, target).value;
          const fm = lossAndDz(forwardSample(model.layers, xm).z, y, loss, target).value;
          expect(g[j]!, `${loss.kind} coordinate ${j}`).toBeCloseTo((fp - fm) / (2 * h), 4);
        }
      }
    }
  });
});

describe('Rng', () => {
  it('repeats for a seed, differs across seeds, and has the right moments', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(sa);
    const r = new Rng(7);
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      const g = r.normal();
      sum += g;
      sq += g * g;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(Math.abs(sum / n)).toBeLessThan(0.03);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
    const counts = [0, 0, 0];
    for (let i = 0; i < 3000; i++) counts[r.int(3)]!++;
    for (const k of counts) expect(k).toBeGreaterThan(900);
  });
});

describe('projections', () => {
  it('land in the ε-ball and the clip range, and leave inside points alone', () => {
    const rng = new Rng(5);
    const d = 10;
    for (const norm of ['linf', 'l2'] as const) {
      for (let t = 0; t < 100; t++) {
        const orig = Float32Array.from({ length: d }, () => rng.uniform());
        const adv = Float32Array.from(orig, (v) => v + 2 * (rng.uniform() - 0.5));
        projectSample(adv, orig, 0, d, 0.1, norm, 0, 1);
        expect(diffNorm(adv, orig, 0, d, norm)).toBeLessThanOrEqual(0.1 + 1e-6);
        for (const v of adv) expect(v >= 0 && v <= 1).toBe(true);
        const noise = new Float32Array(d);
        randomInBall(rng, d, 0.05, norm, noise);
        const inside = Float32Array.from(orig, (v, j) => Math.min(1, Math.max(0, v + noise[j]!)));
        const copy = Float32Array.from(inside);
        projectSample(copy, orig, 0, d, 0.1, norm, 0, 1);
        expect(Array.from(copy)).toEqual(Array.from(inside));
      }
    }
  });
});

describe('image geometry for Square', () => {
  it('maps (channel, row, column) for NCHW, NHWC and flat samples, and sizes windows by p', async () => {
    const { geometryOf, windowFor } = await import('../../src/attacks/geometry.js');
    const nchw = geometryOf([3, 4, 5], 'NCHW');
    expect([nchw.c, nchw.h, nchw.w, nchw.index(2, 1, 3)]).toEqual([3, 4, 5, 2 * 20 + 1 * 5 + 3]);
    const nhwc = geometryOf([4, 5, 3], 'NHWC');
    expect([nhwc.c, nhwc.h, nhwc.w, nhwc.index(2, 1, 3)]).toEqual([3, 4, 5, (1 * 5 + 3) * 3 + 2]);
    const flat = geometryOf([16], 'flat');
    expect([flat.c, flat.h, flat.w, flat.index(0, 0, 7)]).toEqual([1, 1, 16, 7]);
    expect(windowFor(geometryOf([1, 10, 10], 'NCHW'), 0.25, 1)).toEqual({ sh: 5, sw: 5 });
    expect(windowFor(flat, 0.25, 1)).toEqual({ sh: 1, sw: 4 });
    expect(windowFor(geometryOf([1, 10, 10], 'NCHW'), 0.001, 3)).toEqual({ sh: 3, sw: 3 });
  });

  it('Square works on flat (tabular) inputs in both norms', async () => {
    const { ATTACKS } = await import('../../src/attacks/registry.js');
    const { denseLayers, ToyClassifier, toyDataset } = await import('../support/toy-classifier.js');
    const model = new ToyClassifier(denseLayers([16, 3], 4), [16]);
    const ds = toyDataset(model, 10, 2);
    for (const [norm, eps] of [
      ['linf', 0.2],
      ['l2', 0.8],
    ] as const) {
      const r = await ATTACKS.square.run(model, ds.x, ds.y, { norm, eps, seed: 1, queries: 300 });
      expect(r.fooled.reduce((s, v) => s + v, 0)).toBeGreaterThan(5);
      for (let i = 0; i < 10; i++) {
        expect(diffNorm(r.adversarial.data, ds.x.data, i, 16, norm)).toBeLessThanOrEqual(
          eps * (1 + 1e-5) + 1e-6,
        );
      }
    }
  });
});
