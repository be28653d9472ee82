import { describe, expect, it } from 'vitest';
import { ATTACKS } from '../../src/attacks/registry.js';
import { squareP } from '../../src/attacks/square.js';
import { linearToy, mlpToy, toyDataset } from '../support/toy-classifier.js';

const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
const mean = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0) / a.length;

describe('Square', () => {
  it('follows the p schedule of fra31 (resc_schedule=False)', () => {
    expect(
      [0, 10, 11, 50, 51, 200, 201, 500, 501, 1000, 1001, 8000, 8001, 20000].map((i) => squareP(i)),
    ).toEqual([0.8, 0.8, 0.4, 0.4, 0.2, 0.2, 0.1, 0.1, 0.05, 0.05, 0.025, 0.8 / 256, 0.8 / 512, 0.8 / 512]);
  });

  it('fools the linear model at large ε without gradients, within its query budget', async () => {
    const model = linearToy({ blackBox: true });
    const ds = toyDataset(model, 30, 4);
    for (const [norm, eps] of [
      ['linf', 0.3],
      ['l2', 1.2],
    ] as const) {
      const r = await ATTACKS.square.run(model, ds.x, ds.y, { norm, eps, seed: 1, queries: 500 });
      // White-box reference on the same model with gradients: Square matches it.
      const p = await ATTACKS.pgd.run(linearToy(), ds.x, ds.y, { norm, eps, seed: 1 });
      expect(count(r.fooled)).toBeGreaterThanOrEqual(count(p.fooled));
      expect(count(r.fooled)).toBeGreaterThanOrEqual(27);
      for (const q of r.queries) {
        expect(q).toBeGreaterThanOrEqual(2);
        expect(q).toBeLessThanOrEqual(500);
      }
    }
  });

  it('spends exactly its budget on the samples it cannot fool, and stops early on those it fools', async () => {
    const model = mlpToy({ blackBox: true });
    const ds = toyDataset(model, 20, 6);
    const r = await ATTACKS.square.run(model, ds.x, ds.y, { norm: 'linf', eps: 0.03, seed: 2, queries: 200 });
    const fooled = count(r.fooled);
    expect(fooled).toBeGreaterThan(0);
    expect(fooled).toBeLessThan(20);
    for (let i = 0; i < 20; i++) {
      if (r.fooled[i]) expect(r.queries[i]).toBeLessThan(200);
      else expect(r.queries[i]).toBe(200);
    }
    // The model's own counter agrees with the per-sample counts plus the runner's uncounted final check.
    model.queries.forward = 0;
    const again = await ATTACKS.square.run(model, ds.x, ds.y, {
      norm: 'linf',
      eps: 0.03,
      seed: 2,
      queries: 200,
    });
    expect(model.queries.forward).toBe(Math.round(mean(again.queries) * 20) + 20);
  });

  it('is reproducible for a seed and changes with it', async () => {
    const model = mlpToy({ blackBox: true });
    const ds = toyDataset(model, 10, 6);
    const opts = { norm: 'l2' as const, eps: 0.5, queries: 100 };
    const a = await ATTACKS.square.run(model, ds.x, ds.y, { ...opts, seed: 1 });
    const b = await ATTACKS.square.run(model, ds.x, ds.y, { ...opts, seed: 1 });
    const c = await ATTACKS.square.run(model, ds.x, ds.y, { ...opts, seed: 2 });
    expect(Array.from(b.adversarial.data)).toEqual(Array.from(a.adversarial.data));
    expect(Array.from(b.queries)).toEqual(Array.from(a.queries));
    expect(Array.from(c.queries)).not.toEqual(Array.from(a.queries));
  });
});

describe('HopSkipJump', () => {
  it('fools the linear model at large ε with decision queries only, within budget', async () => {
    const model = linearToy({ blackBox: true });
    const ds = toyDataset(model, 10, 4);
    for (const [norm, eps] of [
      ['l2', 1.5],
      ['linf', 0.5],
    ] as const) {
      const r = await ATTACKS.hsj.run(model, ds.x, ds.y, { norm, eps, seed: 1, steps: 10, queries: 1500 });
      expect(count(r.fooled)).toBe(10);
      for (const q of r.queries) expect(q).toBeLessThanOrEqual(1500);
      expect(Math.min(...r.queries)).toBeGreaterThan(100);
    }
    // Probes go to the model in batches of at most batchSize (memory bounded by batchSize·d).
    model.calls.maxBatch = 0;
    const small = await ATTACKS.hsj.run(model, ds.x, ds.y, {
      norm: 'l2',
      eps: 1.5,
      seed: 1,
      steps: 3,
      batchSize: 16,
    });
    expect(model.calls.maxBatch).toBeLessThanOrEqual(16);
    expect(count(small.fooled)).toBe(10);
  });

  it('perturbation norms shrink as iterations go on; robust at ε means the norm found is above ε', async () => {
    const model = mlpToy({ blackBox: true });
    const ds = toyDataset(model, 12, 7);
    const medians: number[] = [];
    const runs: Float32Array[] = [];
    let last: Float32Array | undefined;
    for (const steps of [1, 4, 12]) {
      const r = await ATTACKS.hsj.run(model, ds.x, ds.y, {
        norm: 'l2',
        eps: 0.25,
        seed: 3,
        steps,
        queries: 100_000,
      });
      const norms = Array.from(r.perturbation).sort((a, b) => a - b);
      medians.push((norms[5]! + norms[6]!) / 2);
      for (let i = 0; i < 12; i++) {
        expect(r.perturbation[i]).toBeGreaterThan(0);
        expect(r.fooled[i]).toBe(r.perturbation[i]! <= 0.25 ? 1 : 0);
      }
      last = r.perturbation;
      runs.push(r.perturbation);
    }
    // Each sample has its own stream, so more iterations extend the same trajectory.
    for (let i = 0; i < 12; i++) expect(runs[2]![i]).toBeLessThanOrEqual(runs[0]![i]! + 1e-6);
    expect(medians[1]).toBeLessThan(medians[0]!);
    expect(medians[2]).toBeLessThan(medians[1]!);
    expect(count(Uint8Array.from(last!, (v) => (v > 0.25 ? 1 : 0)))).toBeGreaterThan(0);
  });
});
