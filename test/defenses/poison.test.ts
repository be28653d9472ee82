import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detectPoison,
  detectPoisonInActivations,
  type PoisonDetectionError,
  type PoisonReport,
  penultimateLayer,
} from '../../src/defenses/poison/index.js';
import { mat } from '../../src/defenses/poison/linalg.js';
import { loadDataset } from '../../src/ml/data/index.js';
import { loadOnnxClassifier, type OnnxClassifier } from '../../src/ml/ort/index.js';
import type { Dataset, Tensor } from '../../src/ml/types.js';
import { POISON_FIXTURES, poisonMeta, precisionRecall } from './poison-support.js';

const meta = poisonMeta();
const read = (f: string) => new Uint8Array(readFileSync(join(POISON_FIXTURES, f)));

// Issue 6 item 4, with one set of settings (the defaults) on both poisoned sets.
describe.each(Object.entries(meta.sets))('poisoned digits set %s', (name, set) => {
  let clf: OnnxClassifier;
  let ds: Dataset;
  let report: PoisonReport;
  const model = read(set.model);
  beforeAll(async () => {
    clf = await loadOnnxClassifier(model);
    ds = await loadDataset(join(POISON_FIXTURES, set.train));
    report = await detectPoison(clf, ds, { model, seed: 0 });
  });
  afterAll(async () => clf.dispose());

  it('uses the penultimate layer (the input of the last Gemm)', () => {
    expect(penultimateLayer(model)).toEqual({ tensor: '/Relu_2_output_0', node: '/fc2/Gemm' });
    expect(report.layer).toBe('/Relu_2_output_0');
    expect(report.features).toBe(64);
  });

  it('finds the poison with recall ≥ 0.9 at precision ≥ 0.8 (spectral-whitened)', () => {
    const d = report.detectors.find((s) => s.detector === 'spectral-whitened')!;
    const pr = precisionRecall(d.indices, set.poisonIndices);
    expect(pr.recall, name).toBeGreaterThanOrEqual(0.9);
    expect(pr.precision, name).toBeGreaterThanOrEqual(0.8);
    const flaggedClasses = d.classes.filter((c) => c.flagged > 0).map((c) => c.label);
    expect(flaggedClasses).toEqual([set.target]);
    const suspects = new Set(
      report.suspects.filter((s) => s.reasons.includes('spectral-whitened')).map((s) => s.index),
    );
    expect([...suspects].sort((a, b) => a - b)).toEqual(d.indices);
  });

  it("the papers' forms fall short here, as §D.5 measured (poison ≈ half its class)", () => {
    for (const det of ['spectral', 'activation-clustering'] as const) {
      const d = report.detectors.find((s) => s.detector === det)!;
      expect(precisionRecall(d.indices, set.poisonIndices).precision).toBeLessThan(0.8);
    }
  });

  // Measured: diag7's trojaned model flags nothing on its poison-free rows. badnets' flags 22 of its 125 ones
  // (class 1, trimmed gap 0.94): ones whose base stroke lights the bottom-right corner, i.e. clean images that
  // look like the trigger and so excite the trojan's features. Not poison (their labels are right), but the
  // detector is right that they stand apart; the test pins that explanation.
  it('on the poison-free rows, flags at most trigger-like samples of one class', async () => {
    const poison = new Set(set.poisonIndices);
    const keep = Array.from(ds.y.keys()).filter((i) => !poison.has(i));
    const acts = await clf.activations!(ds.x, '/Relu_2_output_0');
    const d = 64;
    const x: Tensor = {
      data: Float32Array.from(keep.flatMap((i) => Array.from(acts.data.subarray(i * d, (i + 1) * d)))),
      shape: [keep.length, d],
    };
    const y = Int32Array.from(keep, (i) => ds.y[i]!);
    const clean = await detectPoison(x, { x, y }, { detectors: ['spectral-whitened'] });
    const flagged = clean.detectors[0]!.classes.filter((c) => c.flagged > 0);
    expect(flagged.length).toBeLessThanOrEqual(1);
    expect(clean.suspects.length).toBeLessThan(0.02 * keep.length);
    expect(flagged.map((c) => c.label)).not.toContain(set.target);
    if (clean.suspects.length === 0) return;
    // Mean brightness of the trigger pixels: flagged samples vs the rest of their class.
    const triggerMean = (rows: number[]) => {
      let sum = 0;
      for (const r of rows) for (const [i, j] of set.pixels) sum += ds.x.data[keep[r]! * 64 + i * 8 + j]!;
      return sum / (rows.length * set.pixels.length);
    };
    const sus = new Set(clean.suspects.map((s) => s.index));
    const label = flagged[0]!.label;
    const inClass = Array.from(y.keys()).filter((r) => y[r] === label);
    expect(triggerMean(inClass.filter((r) => sus.has(r)))).toBeGreaterThan(0.5);
    expect(triggerMean(inClass.filter((r) => !sus.has(r)))).toBeLessThan(0.1);
  });
});

describe('detectPoison on synthetic activations', () => {
  // Class 0: 60 points around the origin plus 40 shifted by 6 along one axis; class 1: 100 plain points.
  function synthetic(): { x: Float32Array; y: Int32Array; poison: number[] } {
    let s = 12345;
    const rnd = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32 - 0.5;
    };
    const n = 200;
    const d = 5;
    const x = new Float32Array(n * d);
    const y = new Int32Array(n);
    const poison: number[] = [];
    for (let i = 0; i < n; i++) {
      y[i] = i < 100 ? 0 : 1;
      for (let k = 0; k < d; k++) x[i * d + k] = rnd();
      if (i >= 60 && i < 100) {
        x[i * d + 2]! += 6;
        poison.push(i);
      }
    }
    return { x, y, poison };
  }

  it('whitened spectral and clustering find a separated 40% cluster; results are deterministic', () => {
    const { x, y, poison } = synthetic();
    const m = mat(200, 5, Float64Array.from(x));
    const a = detectPoisonInActivations(m, y, { seed: 3 });
    const b = detectPoisonInActivations(m, y, { seed: 3 });
    expect(a.suspects).toEqual(b.suspects);
    const w = a.detectors.find((d) => d.detector === 'spectral-whitened')!;
    expect(w.indices).toEqual(poison);
    const ac = detectPoisonInActivations(m, y, {
      detectors: ['activation-clustering'],
      clusteringRule: 'smaller',
    });
    expect(ac.detectors[0]!.indices.filter((i) => i < 100)).toEqual(poison);
    const sp = detectPoisonInActivations(m, y, { detectors: ['spectral'], eps: 0.4, epsMultiplier: 1 });
    expect(sp.detectors[0]!.indices.filter((i) => i < 100)).toEqual(poison);
    expect(sp.detectors[0]!.flagged).toBe(80); // floor(0.4 · 100) in each class, by design
  });

  it('refuses malformed input with typed errors', async () => {
    const { x, y } = synthetic();
    const t: Tensor = { data: x, shape: [200, 5] };
    const ds = { x: t, y };
    const code = async (p: Promise<unknown>) =>
      p.then(
        () => 'ok',
        (e: PoisonDetectionError) => e.code,
      );
    expect(await code(detectPoison({ data: x, shape: [199, 5] }, ds))).toBe('POISON_INPUT');
    expect(await code(detectPoison(t, { x: t, y: new Int32Array(0) }))).toBe('POISON_INPUT');
    expect(await code(detectPoison(t, { x: t, y: Int32Array.from(y, (v, i) => (i === 7 ? -1 : v)) }))).toBe(
      'POISON_INPUT',
    );
    const nan = Float32Array.from(x);
    nan[3] = Number.NaN;
    expect(await code(detectPoison({ data: nan, shape: [200, 5] }, ds))).toBe('POISON_INPUT');
    expect(await code(detectPoison(t, ds, { eps: 2 }))).toBe('POISON_INPUT');
    expect(await code(detectPoison(t, ds, { detectors: ['nope' as 'spectral'] }))).toBe('POISON_INPUT');
    const big = new Float32Array(20 * 2000);
    expect(await code(detectPoison({ data: big, shape: [20, 2000] }, { x: t, y: new Int32Array(20) }))).toBe(
      'POISON_INPUT',
    );
  });

  it('skips classes that are too small to examine', () => {
    const { x, y } = synthetic();
    const y2 = Int32Array.from(y, (v, i) => (i < 5 ? 2 : v));
    const r = detectPoisonInActivations(mat(200, 5, Float64Array.from(x)), y2, {
      detectors: ['spectral-whitened'],
    });
    expect(r.detectors[0]!.classes.find((c) => c.label === 2)).toMatchObject({
      size: 5,
      skipped: 'too few samples',
    });
  });
});

describe('penultimateLayer', () => {
  it('needs a hidden layer', () => {
    // The attack fixtures' MLP has one; a model whose last Gemm reads the input has none (checked via the
    // clean CNN's structure: its penultimate tensor is the ReLU after fc1).
    expect(penultimateLayer(read(meta.clean.model)).tensor).toBe('/Relu_2_output_0');
  });
});
