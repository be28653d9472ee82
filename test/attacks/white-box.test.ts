import { describe, expect, it } from 'vitest';
import { apgdSchedule } from '../../src/attacks/apgd.js';
import { AttackError } from '../../src/attacks/errors.js';
import { ATTACKS } from '../../src/attacks/registry.js';
import type { AttackOptions, AttackResult } from '../../src/attacks/types.js';
import { diffNorm } from '../../src/attacks/vec.js';
import type { Tensor } from '../../src/ml/types.js';
import { linearToy, lossAndDz, mlpToy, type ToyClassifier, toyDataset } from '../support/toy-classifier.js';

const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

function predictOne(model: ToyClassifier, x: Float32Array, i: number): number {
  const z = model.logitsOf(x.subarray(i * model.d, (i + 1) * model.d));
  let best = 0;
  for (let j = 1; j < z.length; j++) if (z[j]! > z[best]!) best = j;
  return best;
}

/** Every sample: within ε (HSJ: only where fooled), in [0,1], `perturbation` is the real norm, fooled ⇔ misclassified. */
function checkResult(model: ToyClassifier, x: Tensor, y: Int32Array, r: AttackResult, opts: AttackOptions) {
  const d = model.d;
  for (let i = 0; i < y.length; i++) {
    const dist = diffNorm(r.adversarial.data, x.data, i, d, opts.norm);
    expect(r.perturbation[i]!).toBeCloseTo(dist, 6);
    if ((r.name !== 'hsj' && r.name !== 'fab-t') || r.fooled[i])
      expect(dist).toBeLessThanOrEqual(opts.eps * (1 + 1e-5) + 1e-6);
    for (let j = 0; j < d; j++) {
      const v = r.adversarial.data[i * d + j]!;
      expect(v >= 0 && v <= 1).toBe(true);
    }
    const wrong = predictOne(model, r.adversarial.data, i) !== y[i];
    if (r.fooled[i]) expect(wrong).toBe(true);
    else if (r.name !== 'hsj' && r.name !== 'fab-t') expect(dist).toBe(0);
  }
}

describe('white-box attacks on the toy models', () => {
  it('FGSM on the linear model is the closed form clip(x + ε·sign(Wᵀ(softmax(z) − e_y))) (and the L2 analogue)', async () => {
    const model = linearToy();
    const ds = toyDataset(model, 30, 1);
    for (const norm of ['linf', 'l2'] as const) {
      const eps = norm === 'linf' ? 0.05 : 0.3;
      const r = await ATTACKS.fgsm.run(model, ds.x, ds.y, { norm, eps, seed: 0 });
      const { w } = model.layers[0]!;
      let fooled = 0;
      for (let i = 0; i < 30; i++) {
        const x = ds.x.data.subarray(i * 16, (i + 1) * 16);
        const { dz } = lossAndDz(model.logitsOf(x), ds.y[i]!, { kind: 'ce' });
        const g = Array.from({ length: 16 }, (_, j) => dz.reduce((s, v, o) => s + v * w[o * 16 + j]!, 0));
        const gn = Math.hypot(...g);
        const closed = Float32Array.from(x, (v, j) =>
          Math.min(1, Math.max(0, v + (norm === 'linf' ? eps * Math.sign(g[j]!) : (eps * g[j]!) / gn))),
        );
        const zc = model.logitsOf(closed);
        const wrong = zc.indexOf(Math.max(...zc)) !== ds.y[i];
        expect(r.fooled[i]).toBe(wrong ? 1 : 0);
        if (wrong) {
          fooled++;
          for (let j = 0; j < 16; j++) expect(r.adversarial.data[i * 16 + j]!).toBeCloseTo(closed[j]!, 5);
        }
        expect(r.queries[i]).toBe(2);
      }
      expect(fooled).toBeGreaterThan(5);
      expect(fooled).toBeLessThan(30);
    }
  });

  it('every attack stays within ε and [clipMin, clipMax], and fooled means misclassified', async () => {
    for (const model of [linearToy(), mlpToy()]) {
      const ds = toyDataset(model, 12, 2, [3]);
      for (const norm of ['linf', 'l2'] as const) {
        const eps = norm === 'linf' ? 0.08 : 0.4;
        for (const name of ['fgsm', 'bim', 'pgd', 'apgd-ce', 'apgd-t', 'fab-t', 'square', 'hsj'] as const) {
          const opts: AttackOptions = { norm, eps, seed: 3, steps: 10, queries: 300 };
          const r = await ATTACKS[name].run(model, ds.x, ds.y, opts);
          checkResult(model, ds.x, ds.y, r, opts);
          expect(r.fooled[3], `${name}: the clean error counts as fooled`).toBe(1);
          expect(r.queries[3], `${name}: the clean error costs only the clean query`).toBe(1);
          expect(r.perturbation[3]).toBe(0);
        }
      }
    }
  });

  it('PGD and BIM fool at least the points FGSM fools in aggregate; APGD at least PGD at equal steps (MLP)', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 200, 5);
    for (const [norm, eps] of [
      ['linf', 0.05],
      ['l2', 0.3],
    ] as const) {
      const opts = { norm, eps, seed: 1, steps: 20 };
      const f = count((await ATTACKS.fgsm.run(model, ds.x, ds.y, opts)).fooled);
      const b = count((await ATTACKS.bim.run(model, ds.x, ds.y, opts)).fooled);
      const p = count((await ATTACKS.pgd.run(model, ds.x, ds.y, opts)).fooled);
      const ce = count((await ATTACKS['apgd-ce'].run(model, ds.x, ds.y, opts)).fooled);
      const t = count((await ATTACKS['apgd-t'].run(model, ds.x, ds.y, opts)).fooled);
      expect(p).toBeGreaterThan(f);
      expect(b).toBeGreaterThan(f);
      expect(ce).toBeGreaterThanOrEqual(p);
      expect(t).toBeGreaterThan(p);
    }
  });

  it('robust accuracy is non-increasing in ε and equals clean accuracy at ε = 0', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 60, 8, [0, 1]);
    for (const name of ['fgsm', 'pgd', 'apgd-ce'] as const) {
      let last = Number.POSITIVE_INFINITY;
      for (const eps of [0, 0.01, 0.03, 0.06, 0.1, 0.2]) {
        const r = await ATTACKS[name].run(model, ds.x, ds.y, { norm: 'linf', eps, seed: 4, steps: 10 });
        const robust = 60 - count(r.fooled);
        if (eps === 0) expect(robust).toBe(58);
        expect(robust).toBeLessThanOrEqual(last);
        last = robust;
      }
      expect(last).toBeLessThan(10);
    }
  });

  it('same seed gives identical results, another seed another random start; batch size changes nothing', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 40, 9);
    const run = (seed: number, batchSize?: number) =>
      ATTACKS.pgd.run(model, ds.x, ds.y, {
        norm: 'linf',
        eps: 0.2,
        seed,
        steps: 1,
        stepSize: 0.01,
        ...(batchSize ? { batchSize } : {}),
      });
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(Array.from(b.adversarial.data)).toEqual(Array.from(a.adversarial.data));
    expect(Array.from(b.fooled)).toEqual(Array.from(a.fooled));
    const both = Array.from(a.fooled).findIndex((v, i) => v === 1 && c.fooled[i] === 1);
    expect(both).toBeGreaterThanOrEqual(0);
    expect(a.adversarial.data.subarray(both * 36, both * 36 + 36)).not.toEqual(
      c.adversarial.data.subarray(both * 36, both * 36 + 36),
    );
    model.calls.maxBatch = 0;
    const small = await run(1, 7);
    expect(model.calls.maxBatch).toBe(7);
    expect(Array.from(small.adversarial.data)).toEqual(Array.from(a.adversarial.data));
    const apgd1 = await ATTACKS['apgd-ce'].run(model, ds.x, ds.y, {
      norm: 'l2',
      eps: 0.3,
      seed: 5,
      steps: 10,
    });
    const apgd2 = await ATTACKS['apgd-ce'].run(model, ds.x, ds.y, {
      norm: 'l2',
      eps: 0.3,
      seed: 5,
      steps: 10,
      batchSize: 3,
    });
    expect(Array.from(apgd2.adversarial.data)).toEqual(Array.from(apgd1.adversarial.data));
  });

  it('APGD checkpoints follow the spec schedule; query counts are clean + one per gradient step', async () => {
    expect(apgdSchedule(100)).toEqual({ first: 22, decrease: 3, min: 6 });
    expect(apgdSchedule(10)).toEqual({ first: 2, decrease: 1, min: 1 });
    const model = linearToy();
    const ds = toyDataset(model, 10, 1);
    const r = await ATTACKS['apgd-ce'].run(model, ds.x, ds.y, {
      norm: 'linf',
      eps: 0.01,
      seed: 1,
      steps: 25,
    });
    for (let i = 0; i < 10; i++) expect(r.queries[i]).toBe(1 + 1 + 25);
    const b = await ATTACKS.bim.run(model, ds.x, ds.y, { norm: 'linf', eps: 0.01, seed: 1, steps: 25 });
    for (let i = 0; i < 10; i++) expect(b.queries[i]).toBe(26);
  });

  it('inactive samples are not attacked; bad options and missing gradients are typed errors', async () => {
    const model = linearToy();
    const ds = toyDataset(model, 6, 1);
    const active = Uint8Array.from([1, 0, 1, 0, 0, 0]);
    const r = await ATTACKS.pgd.run(model, ds.x, ds.y, { norm: 'linf', eps: 0.5, seed: 1, steps: 3 }, active);
    expect(Array.from(r.queries)).toEqual([4, 0, 4, 0, 0, 0]);
    expect(Array.from(r.fooled).filter((_, i) => !active[i])).toEqual([0, 0, 0, 0]);
    const bad: Array<[Partial<AttackOptions>, string]> = [
      [{ eps: -1 }, 'INVALID_OPTIONS'],
      [{ eps: Number.NaN }, 'INVALID_OPTIONS'],
      [{ steps: 0 }, 'INVALID_OPTIONS'],
      [{ batchSize: 1.5 }, 'INVALID_OPTIONS'],
      [{ stepSize: -0.1 }, 'INVALID_OPTIONS'],
    ];
    for (const [o, code] of bad) {
      await expect(
        ATTACKS.pgd.run(model, ds.x, ds.y, { norm: 'linf', eps: 0.1, seed: 1, ...o }),
      ).rejects.toMatchObject({ code });
    }
    await expect(
      ATTACKS.pgd.run(model, ds.x, ds.y.slice(1), { norm: 'linf', eps: 0.1, seed: 1 }),
    ).rejects.toBeInstanceOf(AttackError);
    await expect(
      ATTACKS.fgsm.run(
        model,
        ds.x,
        Int32Array.from(ds.y, () => 9),
        { norm: 'linf', eps: 0.1, seed: 1 },
      ),
    ).rejects.toMatchObject({ code: 'SHAPE_MISMATCH' });
    const blind = linearToy({ blackBox: true });
    await expect(
      ATTACKS['apgd-t'].run(blind, ds.x, ds.y, { norm: 'linf', eps: 0.1, seed: 1 }),
    ).rejects.toMatchObject({
      code: 'NEEDS_GRADIENTS',
    });
  });
});

describe('FAB-T', () => {
  it('projects onto a hyperplane with the closed forms when the box does not bind, and stays in the box when it does', async () => {
    const { projectOnHyperplane } = await import('../../src/attacks/fab-projection.js');
    const w = [0.5, -2, 1, 0];
    const x = [0.5, 0.5, 0.5, 0.5];
    const out = new Float64Array(4);
    // c = b − w·x = 0.1: L2 δ = c·w/‖w‖², L∞ δ = c·sign(w)/‖w‖₁.
    projectOnHyperplane(x, w, 0.1 + (0.25 - 1 + 0.5), 'l2', 0, 1, out);
    for (const [j, v] of w.entries()) expect(out[j]).toBeCloseTo((0.1 * v) / 5.25, 10);
    projectOnHyperplane(x, w, 0.1 + (0.25 - 1 + 0.5), 'linf', 0, 1, out);
    for (const [j, v] of w.entries()) expect(out[j]).toBeCloseTo((0.1 * Math.sign(v)) / 3.5, 10);
    // Near the box edge: x₂ = 0.99 cannot move up by much, so the others take over; result feasible.
    const xe = [0.5, 0.5, 0.99, 0.5];
    for (const norm of ['l2', 'linf'] as const) {
      const b = 0.6 + (0.25 - 1 + 0.99);
      projectOnHyperplane(xe, w, b, norm, 0, 1, out);
      const reached = w.reduce((s, v, j) => s + v * (xe[j]! + out[j]!), 0);
      expect(reached).toBeCloseTo(b, 8);
      for (const [j, v] of out.entries()) {
        expect(xe[j]! + v).toBeGreaterThanOrEqual(-1e-12);
        expect(xe[j]! + v).toBeLessThanOrEqual(1 + 1e-12);
      }
    }
    // Unreachable inside the box: the largest move towards the plane.
    projectOnHyperplane(x, w, 100, 'linf', 0, 1, out);
    expect(Array.from(out)).toEqual([0.5, -0.5, 0.5, 0]);
  });

  it('finds the minimal perturbation to the decision boundary of a linear model', async () => {
    const { ToyClassifier } = await import('../support/toy-classifier.js');
    const model = new ToyClassifier(
      [{ w: Float64Array.from([1, 0, -1, 0]), b: Float64Array.from([-0.5, 0.5]), inputs: 2, outputs: 2 }],
      [2],
    );
    const x = { data: Float32Array.from([0.7, 0.3, 0.62, 0.9, 0.2, 0.1]), shape: [3, 2] };
    const y = Int32Array.from([0, 0, 1]);
    for (const norm of ['l2', 'linf'] as const) {
      const r = await ATTACKS['fab-t'].run(model, x, y, { norm, eps: 0.15, seed: 1, steps: 20 });
      // Distances to x₀ = 0.5: 0.2, 0.12, 0.3 (x₁ does not matter, so L2 = L∞).
      [0.2, 0.12, 0.3].forEach((dist, i) => {
        expect(r.perturbation[i]!).toBeGreaterThanOrEqual(dist - 1e-6);
        expect(r.perturbation[i]!).toBeLessThanOrEqual(dist * 1.06);
        expect(r.fooled[i]).toBe(dist <= 0.15 ? 1 : 0);
      });
    }
  });
});
