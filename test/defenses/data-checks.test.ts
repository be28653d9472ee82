import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/attacks/rng.js';
import { ModelguardError } from '../../src/core/errors.js';
import { averagePathLength, isolationForestScores } from '../../src/defenses/data/iforest.js';
import { mergeFlags, runDataChecks } from '../../src/defenses/data/index.js';

function gaussian(n: number, d: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * d }, () => rng.normal());
}

describe('isolation forest', () => {
  it('normalises path lengths as the paper (c(256) ≈ 10.24)', () => {
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(10.2448, 3);
  });

  it('ranks injected far-away points at the top and flags only them by default', () => {
    const n = 2000;
    const d = 16;
    const x = gaussian(n, d, 1);
    const far = [17, 512, 1999];
    const rng = new Rng(2);
    for (const i of far) for (let j = 0; j < d; j++) x[i * d + j] = 6 + rng.normal();
    const r = runDataChecks(
      { x: { data: x, shape: [n, d] }, y: new Int32Array(n) },
      { checks: ['outliers'] },
    );
    const o = r.checks.outliers!;
    expect(
      o.top
        .slice(0, 3)
        .map((t) => t.index)
        .sort((a, b) => a - b),
    ).toEqual(far);
    expect(o.top[0]!.score).toBeGreaterThan(0.7);
    expect(o.meanScore).toBeLessThan(0.5);
    expect(r.suspects.map((s) => s.index).sort((a, b) => a - b)).toEqual(far);
    expect(r.suspects.every((s) => s.reasons.join() === 'outlier')).toBe(true);
  });

  it('flags a share of the samples with contamination, and is seeded', () => {
    const x = gaussian(500, 4, 3);
    const m = { data: x, n: 500, d: 4 };
    expect(Array.from(isolationForestScores(m, 9))).toEqual(Array.from(isolationForestScores(m, 9)));
    expect(Array.from(isolationForestScores(m, 9))).not.toEqual(Array.from(isolationForestScores(m, 10)));
    const r = runDataChecks(
      { x: { data: x, shape: [500, 4] }, y: new Int32Array(500) },
      { checks: ['outliers'], outliers: { contamination: 0.02 } },
    );
    expect(r.checks.outliers!.flagged).toBe(10);
  });
});

describe('runDataChecks', () => {
  it('merges reasons per sample, counts suspects per class and measures balance', () => {
    const n = 300;
    const d = 5;
    const x = gaussian(n, d, 4);
    const y = Int32Array.from({ length: n }, (_, i) => (i < 200 ? 0 : i < 280 ? 1 : 2));
    for (let i = 0; i < n; i++) x[i * d] = x[i * d]! + 4 * y[i]!; // separable along feature 0
    for (let j = 0; j < d; j++) x[5 * d + j] = 30; // sample 5: an outlier …
    x.set(x.subarray(5 * d, 6 * d), 6 * d); // … duplicated by 6,
    y[6] = 2; //                               with another label.
    const r = runDataChecks({ x: { data: x, shape: [n, d] }, y, classNames: ['a', 'b', 'c'] }, { seed: 3 });
    const s5 = r.suspects.find((s) => s.index === 5)!;
    expect(s5.reasons).toContain('conflicting-duplicate');
    expect(s5.reasons).toContain('outlier');
    expect(s5.score).toBe(1);
    expect(new Set(r.suspects.map((s) => s.index)).size).toBe(r.suspects.length);
    const b = r.checks.balance!;
    expect(b.classes.map((c) => [c.name, c.count])).toEqual([
      ['a', 199],
      ['b', 80],
      ['c', 21],
    ]);
    expect(b.imbalanceRatio).toBeCloseTo(199 / 21, 12);
    expect(b.classes.reduce((a, c) => a + c.suspects, 0)).toBe(r.suspects.length);
    expect(b.classes[2]!.meanNorm).toBeGreaterThan(b.classes[0]!.meanNorm);
    for (const name of ['labels', 'duplicates', 'outliers', 'balance'] as const)
      expect(r.checks[name]!.seconds).toBeGreaterThanOrEqual(0);
  });

  it('uses embeddings when given and runs only the chosen checks', () => {
    const n = 200;
    const emb = gaussian(n, 3, 5);
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    for (let i = 0; i < n; i++) emb[i * 3] = emb[i * 3]! + 5 * y[i]!;
    y[10] = 1 - y[10]!; // one flipped label, visible only in the embedding
    const x = new Float32Array(n * 4); // the raw features say nothing
    const r = runDataChecks(
      { x: { data: x, shape: [n, 4] }, y },
      { embeddings: { data: emb, shape: [n, 3] }, checks: ['labels'] },
    );
    expect(r.checks.labels!.parameters.features).toBe('embeddings');
    expect(r.suspects.map((s) => s.index)).toEqual([10]);
    expect(Object.keys(r.checks)).toEqual(['labels']);
  });

  it('projects wide inputs (pixels) to fewer dimensions for the label check', () => {
    const n = 300;
    const d = 1000;
    // Like pixels: 1000 correlated values from 4 latent factors (+ a little noise); the class moves factor 0.
    const rank = 4;
    const mix = gaussian(rank, d, 8);
    const latent = gaussian(n, rank, 9);
    const noise = gaussian(n, d, 10);
    const y = Int32Array.from({ length: n }, (_, i) => i % 2);
    const x = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      latent[i * rank] = latent[i * rank]! + 8 * y[i]!;
      for (let j = 0; j < d; j++) {
        let v = 0.1 * noise[i * d + j]!;
        for (let r = 0; r < rank; r++) v += latent[i * rank + r]! * mix[r * d + j]!;
        x[i * d + j] = v;
      }
    }
    for (const i of [4, 99, 201]) y[i] = 1 - y[i]!;
    const r = runDataChecks(
      { x: { data: x, shape: [n, d] }, y },
      { checks: ['labels'], labels: { maxDims: 32 } },
    );
    expect(r.checks.labels!.parameters.dims).toBe(32);
    expect(r.checks.labels!.parameters.projectedFrom).toBe(1000);
    expect(r.suspects.map((s) => s.index).sort((a, b) => a - b)).toEqual([4, 99, 201]);
  });

  it('labels texts without embeddings through hashed word features', () => {
    const pos = ['great fun film', 'a great cast and fun', 'fun and great music', 'great great story'];
    const neg = ['dull boring plot', 'boring and slow film', 'slow dull acting', 'a boring dull story'];
    const texts = Array.from({ length: 80 }, (_, i) => `${(i % 2 ? neg : pos)[(i % 4) >> 1]!} ${i}`);
    const y = Int32Array.from({ length: 80 }, (_, i) => i % 2);
    y[7] = 0;
    const r = runDataChecks({ x: { data: new Float32Array(0), shape: [80, 0] }, y, texts } as never, {
      checks: ['labels'],
    });
    expect(r.checks.labels!.parameters.features).toBe('hashed-text');
    expect(r.suspects.map((s) => s.index)).toEqual([7]);
  });

  it('skips the label check on one class and refuses malformed input', () => {
    const x = { data: gaussian(20, 2, 6), shape: [20, 2] };
    const one = runDataChecks({ x, y: new Int32Array(20) }, { checks: ['labels'] });
    expect(one.checks.labels!.skipped).toBe('fewer than 2 classes');
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ModelguardError);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err(() => runDataChecks({ x, y: new Int32Array(19) }))).toMatch(/20 samples but 19 labels/);
    expect(
      err(() => runDataChecks({ x, y: Int32Array.from({ length: 20 }, () => 3) }, { numClasses: 2 })),
    ).toMatch(/label 3 is out of range for 2 classes/);
    const nan = { data: Float32Array.from(x.data), shape: x.shape };
    nan.data[5] = Number.NaN;
    expect(err(() => runDataChecks({ x: nan, y: new Int32Array(20) }))).toMatch(
      /sample 2, feature 1 is not finite/,
    );
    expect(err(() => runDataChecks({ x, y: new Int32Array(20) }, { folds: 1 }))).toMatch(/folds 1/);
    expect(
      err(() =>
        runDataChecks(
          { x, y: new Int32Array(20) },
          { embeddings: { data: new Float32Array(6), shape: [3, 2] } },
        ),
      ),
    ).toMatch(/20 samples but 3 embeddings/);
  });

  it('mergeFlags keeps the highest score and the first-seen reason order', () => {
    const merged = mergeFlags(
      [
        { index: 2, reason: 'outlier', score: 0.7 },
        { index: 1, reason: 'duplicate', score: 1 },
        { index: 2, reason: 'label-issue', score: 0.9 },
        { index: 2, reason: 'outlier', score: 0.6 },
      ],
      Int32Array.from([0, 1, 1]),
    );
    expect(merged).toEqual([
      { index: 1, label: 1, reasons: ['duplicate'], score: 1 },
      { index: 2, label: 1, reasons: ['outlier', 'label-issue'], score: 0.9 },
    ]);
  });
});
