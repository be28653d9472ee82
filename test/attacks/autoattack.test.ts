import { describe, expect, it } from 'vitest';
import { autoAttackSequence, runAutoAttack } from '../../src/attacks/autoattack.js';
import { ATTACKS } from '../../src/attacks/registry.js';
import { diffNorm } from '../../src/attacks/vec.js';
import { denseLayers, mlpToy, ToyClassifier, toyDataset } from '../support/toy-classifier.js';

const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);

describe('runAutoAttack', () => {
  it('runs the standard sequence on still-robust points only and takes the worst case per sample', async () => {
    const model = mlpToy();
    const wrong = [0, 7];
    const ds = toyDataset(model, 40, 21, wrong);
    const eps = 0.02;
    const aa = await runAutoAttack(model, ds.x, ds.y, {
      norm: 'linf',
      eps,
      seed: 5,
      steps: 30,
      queries: 400,
    });
    expect(aa.ran).toEqual(autoAttackSequence());
    expect(aa.ran).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    expect(aa.results.map((r) => r.name)).toEqual(aa.ran);
    for (const i of wrong) {
      expect(aa.cleanCorrect[i]).toBe(0);
      expect(aa.robust[i]).toBe(0);
      for (const r of aa.results) expect(r.queries[i]).toBe(0);
    }
    // Walk the stages: each attack spends queries exactly on the points robust before it.
    const robust = Uint8Array.from(aa.cleanCorrect);
    for (const [stage, r] of aa.results.entries()) {
      for (let i = 0; i < 40; i++) {
        expect(r.queries[i]! > 0, `stage ${stage} sample ${i}`).toBe(robust[i] === 1);
        if (!robust[i]) expect(r.fooled[i]).toBe(0);
      }
      for (let i = 0; i < 40; i++) if (robust[i] && r.fooled[i]) robust[i] = 0;
    }
    expect(Array.from(aa.robust)).toEqual(Array.from(robust));
    // The stages split the work: APGD-CE fools some, APGD-T more, something survives.
    expect(count(aa.results[0]!.fooled)).toBeGreaterThan(0);
    expect(count(aa.results[1]!.fooled)).toBeGreaterThan(0);
    expect(count(aa.robust)).toBeGreaterThan(0);
    // Worst case: a point fooled by any attack is non-robust, and its adversarial example is kept.
    for (let i = 0; i < 40; i++) {
      if (!aa.cleanCorrect[i] || aa.robust[i]) {
        expect(aa.fooledBy[i]).toBe(-1);
        continue;
      }
      const by = aa.results[aa.fooledBy[i]!]!;
      expect(by.fooled[i]).toBe(1);
      expect(Array.from(aa.adversarial.data.subarray(i * 36, i * 36 + 36))).toEqual(
        Array.from(by.adversarial.data.subarray(i * 36, i * 36 + 36)),
      );
      expect(diffNorm(aa.adversarial.data, ds.x.data, i, 36, 'linf')).toBeLessThanOrEqual(
        eps * (1 + 1e-5) + 1e-6,
      );
    }
    // The first stage is APGD-CE on the clean-correct points: the same seed reproduces it alone.
    const alone = await ATTACKS['apgd-ce'].run(model, ds.x, ds.y, { norm: 'linf', eps, seed: 5, steps: 20 });
    expect(Array.from(alone.fooled)).toEqual(
      Array.from(aa.results[0]!.fooled, (v, i) => (wrong.includes(i) ? 1 : v)),
    );
  });

  it('without gradients runs only Square and says so', async () => {
    const model = mlpToy({ blackBox: true });
    const ds = toyDataset(model, 10, 3);
    const aa = await runAutoAttack(model, ds.x, ds.y, { norm: 'l2', eps: 0.3, seed: 1, queries: 100 });
    expect(aa.ran).toEqual(['square']);
    expect(aa.skipped.map((x) => x.name)).toEqual(['apgd-ce', 'apgd-t', 'fab-t']);
    for (const q of aa.results[0]!.queries) expect(q).toBeLessThanOrEqual(100);
  });

  it('leaves APGD-T out on a model with fewer than 4 classes and says why', async () => {
    const model = new ToyClassifier(denseLayers([16, 3], 4), [16]);
    const ds = toyDataset(model, 12, 1);
    const aa = await runAutoAttack(model, ds.x, ds.y, {
      norm: 'linf',
      eps: 0.05,
      seed: 1,
      steps: 10,
      queries: 50,
    });
    expect(aa.ran).toEqual(['apgd-ce', 'fab-t', 'square']);
    expect(aa.skipped).toEqual([
      { name: 'apgd-t', reason: 'targeted DLR needs at least 4 classes, the model has 3' },
    ]);
  });
});
