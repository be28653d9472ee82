import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findLabelIssues, roundPreservingRowTotals } from '../../src/defenses/data/confident.js';
import { stratifiedFolds } from '../../src/defenses/data/crossval.js';
import { runDataChecks } from '../../src/defenses/data/index.js';
import { fitLogReg, predictProba } from '../../src/defenses/data/logreg.js';
import { loadDataset } from '../../src/ml/data/index.js';
import { loadTabular } from '../../src/ml/data/tabular.js';

const FIXTURES = new URL('../fixtures/data/', import.meta.url).pathname;
const truth = new Set<number>(
  JSON.parse(readFileSync(`${FIXTURES}breast_cancer_flipped.json`, 'utf8')).flipped,
);

function labelFlags(ds: Parameters<typeof runDataChecks>[0], seed: number): number[] {
  const r = runDataChecks(ds, { seed, checks: ['labels'] });
  return r.suspects.filter((s) => s.reasons.includes('label-issue')).map((s) => s.index);
}

describe('confident learning on the label-flip fixture (breast cancer, 57 of 569 labels flipped)', () => {
  const flipped = loadTabular(`${FIXTURES}breast_cancer_flipped.csv`);

  it('finds the flips with precision and recall ≥ 0.8 for each of ten seeds', () => {
    expect(truth.size).toBe(57);
    const rows: string[] = [];
    for (let seed = 0; seed < 10; seed++) {
      const found = labelFlags(flipped, seed);
      const tp = found.filter((i) => truth.has(i)).length;
      const precision = tp / found.length;
      const recall = tp / truth.size;
      rows.push(`seed ${seed}: ${found.length} flagged, P ${precision.toFixed(3)} R ${recall.toFixed(3)}`);
      expect(precision, rows.join('\n')).toBeGreaterThanOrEqual(0.8);
      expect(recall, rows.join('\n')).toBeGreaterThanOrEqual(0.8);
    }
  });

  it('reads the same from the npz copy, and is deterministic', async () => {
    const npz = await loadDataset(`${FIXTURES}breast_cancer_flipped.npz`);
    expect(labelFlags(npz, 0)).toEqual(labelFlags(flipped, 0));
    expect(labelFlags(flipped, 0)).toEqual(labelFlags(flipped, 0));
  });

  it('flags at most 2 of 569 samples in the clean twin', () => {
    const clean = loadTabular(`${FIXTURES}breast_cancer_clean.csv`);
    const r = runDataChecks(clean, { seed: 0, checks: ['labels'] });
    expect(r.checks.labels!.flagged).toBeLessThanOrEqual(2);
    expect(r.checks.labels!.crossValAccuracy).toBeGreaterThan(0.95);
  });

  it('reports suggested labels, confident joint and quality scores', () => {
    const r = runDataChecks(flipped, { seed: 0, checks: ['labels'] });
    const s = r.checks.labels!;
    expect(s.confidentJoint.flat().reduce((a, b) => a + b, 0)).toBe(569);
    for (const issue of s.issues) {
      expect(issue.suggested).not.toBe(issue.given);
      expect(issue.selfConfidence).toBeLessThan(0.5);
    }
    expect(s.issues.map((i) => i.selfConfidence)).toEqual(
      [...s.issues.map((i) => i.selfConfidence)].sort((a, b) => a - b),
    );
    expect(r.suspects[0]!.score).toBeCloseTo(1 - s.issues[0]!.selfConfidence, 12);
  });
});

describe('confident learning pieces', () => {
  it("matches cleanlab's find_label_issues and confident joint on its own output (2–11 classes)", () => {
    const ref = JSON.parse(readFileSync(`${FIXTURES}cleanlab_reference.json`, 'utf8')) as {
      cases: { k: number; labels: number[]; probs: number[]; issues: number[]; confidentJoint: number[] }[];
    };
    expect(ref.cases.map((c) => c.k)).toEqual([2, 3, 5, 8, 11]);
    for (const c of ref.cases) {
      const r = findLabelIssues(Float64Array.from(c.probs), Int32Array.from(c.labels), c.k);
      expect(Array.from(r.confidentJoint), `k=${c.k}`).toEqual(c.confidentJoint);
      const ours = Array.from(r.issue.keys()).filter((i) => r.issue[i]);
      expect(ours, `k=${c.k}`).toEqual(c.issues);
    }
  });

  it('rounds rows keeping their totals', () => {
    // As numpy: halves to even, ties between columns go to the later one when adding.
    expect(
      Array.from(roundPreservingRowTotals(Float64Array.from([2.4, 2.4, 2.2, 0.5, 0.5, 0, 1, 1, 1]), 3)),
    ).toEqual([2, 3, 2, 0, 1, 0, 1, 1, 1]);
  });

  it('prunes by noise rate as cleanlab does on a hand-made case', () => {
    // 6 samples, 2 classes; sample 2 (labelled 0) and sample 5 (labelled 1) look like the other class.
    const p = Float64Array.from([0.9, 0.1, 0.8, 0.2, 0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.95, 0.05]);
    const y = Int32Array.from([0, 0, 0, 1, 1, 1]);
    const r = findLabelIssues(p, y, 2);
    expect(Array.from(r.thresholds).map((t) => t.toFixed(4))).toEqual(['0.6000', '0.5167']);
    expect(Array.from(r.confidentJoint)).toEqual([2, 1, 1, 2]);
    expect(Array.from(r.issue)).toEqual([0, 0, 1, 0, 0, 1]);
    expect(r.normalizedMargin[2]).toBeCloseTo((0.1 - 0.9 + 1) / 2, 12);
  });

  it('deals stratified folds evenly', () => {
    const y = Int32Array.from({ length: 103 }, (_, i) => (i < 90 ? 0 : i < 100 ? 1 : 2));
    const f = stratifiedFolds(y, 3, 5, 1);
    for (let c = 0; c < 3; c++) {
      const per = [0, 0, 0, 0, 0];
      y.forEach((v, i) => {
        if (v === c) per[f[i]!]!++;
      });
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
  });

  it('fits a separable softmax regression', () => {
    const x = Float32Array.from([-2, 0, -1, 0.5, 1, 1, 2, -0.5, 0, 3, 0.2, 2.5]);
    const y = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const m = fitLogReg({ data: x, n: 6, d: 2 }, y, 3, { l2: 1e-3, maxIter: 200 });
    const p = predictProba(m, { data: x, n: 6, d: 2 });
    for (let i = 0; i < 6; i++) expect(p[i * 3 + y[i]!]!).toBeGreaterThan(0.5);
  });
});
