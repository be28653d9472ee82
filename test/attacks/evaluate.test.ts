import { describe, expect, it } from 'vitest';
import { checkAttackSummaries, checkModel } from '../../src/attacks/checks.js';
import { evaluate } from '../../src/attacks/evaluate.js';
import { ATTACKS } from '../../src/attacks/registry.js';
import type { AttackSummary } from '../../src/attacks/summary.js';
import type { Attack, AttackName } from '../../src/attacks/types.js';
import type { Dataset } from '../../src/ml/types.js';
import { linearToy, mlpToy, ToyClassifier, toyDataset } from '../support/toy-classifier.js';

/** z = (x₀ − 0.5, 0.5 − x₀): class 0 iff x₀ > 0.5; x₁ is ignored (zero gradient). */
function thresholdModel(): ToyClassifier {
  return new ToyClassifier(
    [{ w: Float64Array.from([1, 0, -1, 0]), b: Float64Array.from([-0.5, 0.5]), inputs: 2, outputs: 2 }],
    [2],
  );
}

function thresholdData(): Dataset {
  const x0 = [0.9, 0.7, 0.55, 0.3, 0.2, 0.45];
  const y = [0, 0, 0, 0, 1, 1]; // 0.3 labelled 0 is a clean error
  return {
    x: { data: Float32Array.from(x0.flatMap((v) => [v, 0.5])), shape: [6, 2] },
    y: Int32Array.from(y),
  };
}

describe('evaluate', () => {
  it('gives the numbers worked out by hand on a threshold model', async () => {
    const model = thresholdModel();
    const progress: string[] = [];
    const ev = await evaluate(model, thresholdData(), ['fgsm', 'bim'], [0.1, 0.25], {
      norm: 'linf',
      seed: 1,
      steps: 5,
      onProgress: (e) => progress.push(`${e.attack}@${e.eps}:${e.done}/${e.total}`),
    });
    expect(ev.cleanAccuracy).toBeCloseTo(5 / 6, 10);
    expect(Array.from(ev.cleanCorrect)).toEqual([1, 1, 1, 0, 1, 1]);
    // ε = 0.1: FGSM moves x₀ by 0.1 towards the threshold: 0.55 → 0.45 and 0.45 → 0.55 flip.
    // ε = 0.25: 0.7 → 0.45, 0.55 → 0.30, 0.45 → 0.70 flip; 0.9 → 0.65 and 0.2 → 0.45 hold.
    expect(ev.robustAccuracy).toEqual([
      { eps: 0.1, robustAccuracy: 3 / 6 },
      { eps: 0.25, robustAccuracy: 2 / 6 },
    ]);
    expect(Array.from(ev.perEps[0]!.robust)).toEqual([1, 1, 0, 0, 1, 0]);
    expect(Array.from(ev.perEps[1]!.robust)).toEqual([1, 0, 0, 0, 1, 0]);
    const table = ev.attacks.map((a) => [
      a.name,
      a.eps,
      a.robustAccuracy,
      a.successRate,
      a.attacked,
      a.fooled,
      a.queries,
    ]);
    expect(table).toEqual([
      ['fgsm', 0.1, 3 / 6, 2 / 5, 5, 2, 2],
      ['bim', 0.1, 3 / 6, 2 / 5, 5, 2, 6],
      ['fgsm', 0.25, 2 / 6, 3 / 5, 5, 3, 2],
      ['bim', 0.25, 2 / 6, 3 / 5, 5, 3, 6],
    ]);
    for (const a of ev.attacks) {
      expect(a.meanPerturbation).toBeCloseTo(a.eps, 6);
      expect(a.medianPerturbation).toBeCloseTo(a.eps, 6);
      expect(a.norm).toBe('linf');
    }
    // The worst-case adversarial of 0.55 at ε = 0.1 is (0.45, 0.5).
    expect(ev.perEps[0]!.adversarial.data[4]).toBeCloseTo(0.45, 6);
    expect(ev.perEps[0]!.adversarial.data[5]).toBe(0.5);
    expect(ev.warnings).toEqual([]);
    expect(progress).toContain('fgsm@0.1:5/5');
  });

  it('worst case over attacks: a point fooled by any attack is not robust', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 50, 12, [4]);
    const ev = await evaluate(model, ds, ['fgsm', 'pgd', 'square'], [0.03], {
      norm: 'linf',
      seed: 2,
      steps: 10,
      queries: 200,
    });
    const per = ev.perEps[0]!;
    const fooledAny = new Set<number>();
    for (const name of ['fgsm', 'pgd', 'square'] as const) {
      const single = await evaluate(model, ds, [name], [0.03], {
        norm: 'linf',
        seed: 2,
        steps: 10,
        queries: 200,
        checks: false,
      });
      single.perEps[0]!.robust.forEach((r, i) => {
        if (!r && ev.cleanCorrect[i]) fooledAny.add(i);
      });
      expect(per.robustAccuracy).toBeLessThanOrEqual(single.robustAccuracy[0]!.robustAccuracy);
    }
    for (let i = 0; i < 50; i++) expect(per.robust[i]).toBe(ev.cleanCorrect[i] && !fooledAny.has(i) ? 1 : 0);
    expect(per.robustAccuracy).toBe((50 - 1 - fooledAny.size) / 50);
  });

  it('runs the AutoAttack preset and reports its stages with cumulative robust accuracy', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 20, 13);
    const ev = await evaluate(model, ds, ['autoattack'], [0.02], {
      norm: 'linf',
      seed: 3,
      steps: 20,
      queries: 100,
    });
    expect(ev.attacks.map((a) => [a.name, a.preset])).toEqual([
      ['apgd-ce', 'autoattack'],
      ['apgd-t', 'autoattack'],
      ['fab-t', 'autoattack'],
      ['square', 'autoattack'],
    ]);
    const accs = ev.attacks.map((a) => a.robustAccuracy);
    expect(accs[1]).toBeLessThanOrEqual(accs[0]!);
    expect(accs[2]).toBeLessThanOrEqual(accs[1]!);
    expect(accs[3]).toBeLessThanOrEqual(accs[2]!);
    expect(ev.robustAccuracy[0]!.robustAccuracy).toBe(accs[3]);
    expect(ev.attacks[1]!.attacked).toBe(20 - ev.attacks[0]!.fooled);
  });
});

describe('evaluate: sequences, injected attacks and per-run data (what the CLI builds its report from)', () => {
  /** The registry's attack, recording which points it was asked to attack. */
  function recording(calls: string[]): (name: AttackName) => Attack | undefined {
    return (name) => {
      if (name !== 'fgsm' && name !== 'bim') return undefined;
      const inner = ATTACKS[name];
      return {
        ...inner,
        run: (m, x, y, o, active) => {
          calls.push(`${name}@${o.eps}:${Array.from(active ?? []).join('')}`);
          return inner.run(m, x, y, o, active);
        },
      };
    };
  }

  it('sequential: each attack sees only the points still robust; rows, runs and who fooled each point', async () => {
    const calls: string[] = [];
    const ends: string[] = [];
    const progress: string[] = [];
    const ev = await evaluate(thresholdModel(), thresholdData(), ['fgsm', 'bim'], [0.1, 0.5], {
      norm: 'linf',
      seed: 1,
      steps: 5,
      checks: false,
      sequential: true,
      attackOf: recording(calls),
      onRunEnd: (e) => ends.push(`${e.attack}@${e.eps}:${e.run}/${e.runs}`),
      onProgress: (e) => progress.push(`${e.attack}@${e.eps}:${e.run}/${e.runs}`),
    });
    // ε = 0.1: FGSM fools 0.55 and 0.45; BIM gets the other three robust points and fools none.
    // ε = 0.5: FGSM fools every correct point; BIM has nothing left and does not run (an empty row).
    expect(calls).toEqual(['fgsm@0.1:111011', 'bim@0.1:110010', 'fgsm@0.5:111011']);
    expect(ends).toEqual(['fgsm@0.1:0/4', 'bim@0.1:1/4', 'fgsm@0.5:2/4', 'bim@0.5:3/4']);
    expect(progress).toContain('bim@0.1:1/4');
    expect(ev.attacks.map((a) => [a.name, a.eps, a.attacked, a.fooled, a.robustAccuracy])).toEqual([
      ['fgsm', 0.1, 5, 2, 3 / 6],
      ['bim', 0.1, 3, 0, 3 / 6],
      ['fgsm', 0.5, 5, 5, 0],
      ['bim', 0.5, 0, 0, 0],
    ]);
    expect(
      ev.runs.map((r) => [r.name, r.eps, Array.from(r.attacked).join(''), Array.from(r.fooled).join('')]),
    ).toEqual([
      ['fgsm', 0.1, '111011', '001001'],
      ['bim', 0.1, '110010', '000000'],
      ['fgsm', 0.5, '111011', '111011'],
      ['bim', 0.5, '000000', '000000'],
    ]);
    expect(ev.runs[3]!.result.seconds).toBe(0);
    expect(ev.perEps[0]!.firstFooledBy).toEqual([null, null, 'fgsm', null, null, 'fgsm']);
    expect(ev.perEps[1]!.firstFooledBy).toEqual(['fgsm', 'fgsm', 'fgsm', null, 'fgsm', 'fgsm']);
    expect(ev.perEps.map((p) => p.ran)).toEqual([
      ['fgsm', 'bim'],
      ['fgsm', 'bim'],
    ]);
    expect(ev.robustAccuracy.map((r) => r.robustAccuracy)).toEqual([3 / 6, 0]);
  });

  it('not sequential (the default): every attack sees every clean-correct point; runs match the rows', async () => {
    const calls: string[] = [];
    const ev = await evaluate(thresholdModel(), thresholdData(), ['fgsm', 'bim'], [0.1], {
      norm: 'linf',
      seed: 1,
      steps: 5,
      checks: false,
      attackOf: recording(calls),
    });
    expect(calls).toEqual(['fgsm@0.1:111011', 'bim@0.1:111011']);
    expect(ev.runs.map((r) => Array.from(r.fooled).join(''))).toEqual(['001001', '001001']);
    expect(ev.perEps[0]!.firstFooledBy).toEqual([null, null, 'fgsm', null, null, 'fgsm']);
    ev.runs.forEach((r, i) => {
      expect(r.fooled.reduce((a, v) => a + v, 0)).toBe(ev.attacks[i]!.fooled);
    });
  });

  it('an attack the injected source does not know is an UNKNOWN_ATTACK error before anything runs', async () => {
    const calls: string[] = [];
    await expect(
      evaluate(thresholdModel(), thresholdData(), ['fgsm', 'pgd'], [0.1], {
        norm: 'linf',
        seed: 1,
        attackOf: recording(calls),
      }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_ATTACK' });
    expect(calls).toEqual([]);
  });

  it('the AutoAttack choice reports one run per stage and who fooled each point', async () => {
    const model = mlpToy();
    const ds = toyDataset(model, 20, 13);
    const ends: string[] = [];
    const ev = await evaluate(model, ds, ['autoattack'], [0.02], {
      norm: 'linf',
      seed: 3,
      steps: 20,
      queries: 100,
      checks: false,
      onRunEnd: (e) => ends.push(`${e.attack}:${e.run}/${e.runs}`),
    });
    expect(ends).toEqual(['autoattack:0/1']);
    expect(ev.runs.map((r) => [r.name, r.preset])).toEqual(ev.attacks.map((a) => [a.name, 'autoattack']));
    ev.runs.forEach((r, i) => {
      expect(r.attacked.reduce((a, v) => a + v, 0)).toBe(ev.attacks[i]!.attacked);
      expect(r.fooled.reduce((a, v) => a + v, 0)).toBe(ev.attacks[i]!.fooled);
    });
    const per = ev.perEps[0]!;
    for (let i = 0; i < 20; i++) {
      const by = per.firstFooledBy[i];
      expect(by === null).toBe(per.robust[i] === 1 || ev.cleanCorrect[i] === 0);
      if (by !== null) expect(ev.runs.find((r) => r.name === by)!.fooled[i]).toBe(1);
    }
  });
});

describe('sanity checks', () => {
  const data = (model: ToyClassifier) => toyDataset(model, 20, 1);

  it('stay quiet on a well-behaved model', async () => {
    expect(await checkModel(linearToy(), data(linearToy()))).toEqual([]);
  });

  it('flag softmax outputs (declared or seen), zero gradients, randomised outputs, out-of-range inputs', async () => {
    const codes = async (m: ToyClassifier, ds: Dataset = data(linearToy())) =>
      (await checkModel(m, ds)).map((w) => w.code);
    expect(await codes(linearToy({ softmaxOutput: true }))).toEqual(['softmax-output']);
    expect(await codes(linearToy({ softmaxOutput: true, hideSoftmax: true }))).toEqual(['softmax-output']);
    const zero = await checkModel(linearToy({ zeroGradient: true }), data(linearToy()));
    expect(zero.map((w) => w.code)).toEqual(['zero-gradients']);
    expect(zero[0]!.value).toBe(1);
    expect(await codes(linearToy({ noise: 1e-3 }))).toEqual(['randomised-output']);
    const ds = data(linearToy());
    const bad = Float32Array.from(ds.x.data);
    bad[3] = 1.5;
    bad[7] = -0.2;
    const range = await checkModel(linearToy(), { ...ds, x: { data: bad, shape: ds.x.shape } });
    expect(range.map((w) => [w.code, w.value])).toEqual([['input-range', 2]]);
  });

  it('flag a black-box attack beating the white-box ones (masked gradients) inside evaluate', async () => {
    const model = mlpToy({ zeroGradient: true });
    const ds = toyDataset(mlpToy(), 20, 2);
    const ev = await evaluate(model, ds, ['fgsm', 'bim', 'square'], [0.05], {
      norm: 'linf',
      seed: 1,
      steps: 5,
      queries: 300,
    });
    expect(ev.attacks.map((a) => a.fooled)).toEqual([0, 0, expect.any(Number)]);
    expect(ev.attacks[2]!.fooled).toBeGreaterThan(0);
    expect(ev.warnings.map((w) => w.code).sort()).toEqual(['black-box-stronger', 'zero-gradients']);
  });

  it('flag Square lowering AutoAttack robust accuracy after the white-box stages', () => {
    const base = {
      norm: 'linf' as const,
      eps: 0.1,
      successRate: 0,
      meanPerturbation: 0,
      medianPerturbation: 0,
      queries: 1,
      seconds: 0,
      attacked: 10,
      fooled: 0,
    };
    const stage = (name: AttackSummary['name'], robustAccuracy: number): AttackSummary => ({
      ...base,
      name,
      preset: 'autoattack',
      robustAccuracy,
    });
    expect(checkAttackSummaries([stage('apgd-ce', 0.5), stage('apgd-t', 0.4), stage('square', 0.4)])).toEqual(
      [],
    );
    const w = checkAttackSummaries([stage('apgd-ce', 0.5), stage('apgd-t', 0.4), stage('square', 0.3)]);
    expect(w.map((x) => x.code)).toEqual(['black-box-stronger']);
    expect(w[0]!.value).toBeCloseTo(0.1, 10);
  });
});
