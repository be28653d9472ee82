import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  anomalyIndices,
  BACKDOOR_LIMITS,
  BackdoorError,
  batchStep,
  geometryOf,
  neuralCleanse,
  pixelMap,
  stamp,
  TriggerVars,
} from '../../src/defenses/backdoor/index.js';
import { loadOnnxClassifier } from '../../src/ml/ort/index.js';
import type { Classifier, ModelProfile, Tensor } from '../../src/ml/types.js';
import { POISON_FIXTURES } from './poison-support.js';

/** Neural Cleanse's pieces: the MAD anomaly index, the trigger geometry, the chain rule, Adam, errors. */

function profile(inputShape: number[], layout: 'NCHW' | 'NHWC' | 'flat' = 'NCHW', k = 3): ModelProfile {
  return {
    inputShape,
    numClasses: k,
    clipMin: 0,
    clipMax: 1,
    preprocessing: { layout, scale: 1, mean: [], std: [] },
    softmaxOutput: false,
  };
}

/** A linear softmax classifier `z = W x` with its exact cross-entropy input gradient. */
function linear(p: ModelProfile, w: Float64Array, gradients = true): Classifier {
  const d = p.inputShape.reduce((a, b) => a * b, 1);
  const k = p.numClasses;
  const logits = (x: Float32Array, s: number): number[] =>
    Array.from({ length: k }, (_, j) => {
      let z = 0;
      for (let i = 0; i < d; i++) z += w[j * d + i]! * x[s * d + i]!;
      return z;
    });
  return {
    profile: p,
    capabilities: { lossGradient: gradients, classGradient: gradients, activations: false },
    queries: { forward: 0, gradient: 0 },
    async predict(x: Tensor) {
      const n = x.shape[0]!;
      const out = new Float32Array(n * k);
      for (let s = 0; s < n; s++) out.set(logits(x.data, s), s * k);
      return out;
    },
    async lossGradient(x: Tensor, labels: Int32Array) {
      const n = x.shape[0]!;
      const loss = new Float32Array(n);
      const grad = new Float32Array(n * d);
      for (let s = 0; s < n; s++) {
        const z = logits(x.data, s);
        const m = Math.max(...z);
        const e = z.map((v) => Math.exp(v - m));
        const sum = e.reduce((a, b) => a + b, 0);
        const y = labels[s]!;
        loss[s] = Math.log(sum) + m - z[y]!;
        for (let j = 0; j < k; j++) {
          const c = e[j]! / sum - (j === y ? 1 : 0);
          for (let i = 0; i < d; i++) grad[s * d + i] = grad[s * d + i]! + c * w[j * d + i]!;
        }
      }
      return { loss, grad };
    },
    async dispose() {},
  };
}

function seeded(n: number, seed: number): Float64Array {
  let s = seed;
  return Float64Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  });
}

describe('anomalyIndices (MAD, consistency 1.4826)', () => {
  it('flags a norm far below the median, not one far above it', () => {
    const r = anomalyIndices([1, 10, 10, 11, 9, 10, 12, 8, 10, 10]);
    expect(r.median).toBe(10);
    // |deviations| sorted: 0 0 0 0 0 1 1 2 2 9 → median 0.5 → MAD 0.7413.
    expect(r.mad).toBeCloseTo(0.7413, 4);
    expect(r.indices[0]).toBeCloseTo(9 / 0.7413, 3);
    // 12 and 8 are both 2.70 from the median: only the one below it is flagged.
    expect(r.indices[6]).toBeCloseTo(2 / 0.7413, 3);
    expect(r.indices[7]).toBeCloseTo(2 / 0.7413, 3);
    expect(r.flagged).toEqual([0, 7]);
  });

  it('uses the threshold strictly and gives 0 everywhere when MAD is 0', () => {
    expect(anomalyIndices([5, 5, 5, 1]).indices).toEqual([0, 0, 0, 0]);
    expect(anomalyIndices([5, 5, 5, 1]).flagged).toEqual([]);
    // median 4, deviations 2 0 0 2 → MAD 1.4826; index of 2 is 1.35.
    const r = anomalyIndices([2, 4, 4, 6]);
    expect(r.flagged).toEqual([]);
    expect(anomalyIndices([2, 4, 4, 6], 1.3).flagged).toEqual([0]);
  });
});

describe('trigger geometry', () => {
  it('puts the mask over the spatial dims of the attack-space layout', () => {
    expect(geometryOf(profile([3, 4, 5]))).toEqual({ height: 4, width: 5, channels: 3, layout: 'NCHW' });
    expect(geometryOf(profile([4, 5, 3], 'NHWC'))).toEqual({
      height: 4,
      width: 5,
      channels: 3,
      layout: 'NHWC',
    });
    // The dataset's layout (inputLayout) decides, not the model's.
    const nhwcData = {
      ...profile([4, 5, 3], 'NCHW'),
      preprocessing: { ...profile([1]).preprocessing, inputLayout: 'NHWC' as const },
    };
    expect(geometryOf(nhwcData).layout).toBe('NHWC');
    expect(geometryOf(profile([6, 7]))).toEqual({ height: 6, width: 7, channels: 1, layout: 'NCHW' });
    expect(geometryOf(profile([30], 'flat'))).toEqual({ height: 1, width: 30, channels: 1, layout: 'NCHW' });
    expect(Array.from(pixelMap({ height: 1, width: 2, channels: 2, layout: 'NCHW' }))).toEqual([0, 1, 0, 1]);
    expect(Array.from(pixelMap({ height: 1, width: 2, channels: 2, layout: 'NHWC' }))).toEqual([0, 0, 1, 1]);
  });

  it('stamps (1 − m)·x + m·p with the mask shared over channels', () => {
    const v = new TriggerVars(pixelMap({ height: 1, width: 2, channels: 2, layout: 'NCHW' }), 0, 1, 2);
    v.init([0, 1], [0.25, 0.5, 0.75, 1]);
    const out = stamp(Float32Array.of(0.1, 0.2, 0.3, 0.4), 1, v);
    // Mask ≈ [0, 1] (kept 1e-6 inside the tanh range): pixel 0 keeps x, pixel 1 takes the pattern.
    expect(Array.from(out).map((x) => Number(x.toFixed(4)))).toEqual([0.1, 0.5, 0.3, 1]);
  });
});

/** Total loss `mean CE + cost · L1` in Float64, straight from the definition. */
async function totalLoss(
  clf: Classifier,
  x: Float32Array,
  n: number,
  t: number,
  v: TriggerVars,
  cost: number,
) {
  const { loss } = await clf.lossGradient(
    { data: stamp(x, n, v), shape: [n, ...clf.profile.inputShape] },
    new Int32Array(n).fill(t),
    { kind: 'ce' },
  );
  return loss.reduce((a, b) => a + b, 0) / n + cost * v.l1();
}

async function checkAgainstFiniteDifferences(
  clf: Classifier,
  x: Float32Array,
  n: number,
  cost: number,
  lo = 0,
  hi = 1,
) {
  const g = geometryOf(clf.profile);
  const hw = g.height * g.width;
  const v = new TriggerVars(pixelMap(g), lo, hi, hw);
  v.init(seeded(hw, 7), seeded(pixelMap(g).length, 11));
  const r = await batchStep(clf, x, n, 1, v, cost);
  const h = 1e-3;
  const fd = async (arr: Float64Array, j: number) => {
    const keep = arr[j]!;
    arr[j] = keep + h;
    v.refresh();
    const up = await totalLoss(clf, x, n, 1, v, cost);
    arr[j] = keep - h;
    v.refresh();
    const down = await totalLoss(clf, x, n, 1, v, cost);
    arr[j] = keep;
    v.refresh();
    return (up - down) / (2 * h);
  };
  let checked = 0;
  for (let j = 0; j < v.a.length; j += 2) {
    expect(r.ga[j]).toBeCloseTo(await fd(v.a, j), 3);
    checked++;
  }
  for (let j = 0; j < v.b.length; j += 3) {
    expect(r.gb[j]).toBeCloseTo(await fd(v.b, j), 3);
    checked++;
  }
  expect(checked).toBeGreaterThan(4);
  // The gradient is not trivially zero.
  expect(Math.max(...r.ga.map(Math.abs), ...r.gb.map(Math.abs))).toBeGreaterThan(1e-3);
}

describe('chain rule from the input gradient to the mask and pattern variables', () => {
  it('matches finite differences on a linear model, NCHW with 2 channels, cost > 0', async () => {
    const p = profile([2, 3, 3]);
    const clf = linear(
      p,
      seeded(3 * 18, 3).map((w) => (w - 0.5) * 4),
    );
    await checkAgainstFiniteDifferences(clf, Float32Array.from(seeded(4 * 18, 5)), 4, 0.01);
  });

  it('matches finite differences with NHWC samples and a clip range of [−1, 2]', async () => {
    const p = { ...profile([3, 2, 2], 'NHWC'), clipMin: -1, clipMax: 2 };
    const clf = linear(
      p,
      seeded(3 * 12, 9).map((w) => (w - 0.5) * 3),
    );
    await checkAgainstFiniteDifferences(clf, Float32Array.from(seeded(3 * 12, 13)), 3, 0.05, -1, 2);
  });

  it('matches finite differences through the ONNX gradient graph of the trojaned CNN', async () => {
    const clf = await loadOnnxClassifier(join(POISON_FIXTURES, 'trojaned_cnn.onnx'));
    try {
      const g = geometryOf(clf.profile);
      const hw = g.height * g.width;
      const v = new TriggerVars(pixelMap(g), 0, 1, hw);
      v.init(seeded(hw, 1), seeded(hw, 2));
      const x = Float32Array.from(seeded(2 * hw, 4));
      const r = await batchStep(clf, x, 2, 1, v, 0.001);
      const h = 1e-2;
      for (const j of [0, 9, 27, 63]) {
        for (const [arr, grad] of [
          [v.a, r.ga],
          [v.b, r.gb],
        ] as const) {
          const keep = arr[j]!;
          arr[j] = keep + h;
          v.refresh();
          const up = await totalLoss(clf, x, 2, 1, v, 0.001);
          arr[j] = keep - h;
          v.refresh();
          const down = await totalLoss(clf, x, 2, 1, v, 0.001);
          arr[j] = keep;
          v.refresh();
          const want = (up - down) / (2 * h);
          expect(Math.abs(grad[j]! - want)).toBeLessThan(0.02 * Math.abs(want) + 2e-4);
        }
      }
    } finally {
      await clf.dispose();
    }
  });
});

describe('Adam', () => {
  it('first step moves each variable by lr against the sign of its gradient', () => {
    const p = Float64Array.of(1, 1, 1);
    new Adam(3, 0.1, 0.5, 0.9, 1e-8).step([p], [Float64Array.of(3, -0.001, 0)]);
    expect(p[0]).toBeCloseTo(0.9, 5);
    expect(p[1]).toBeCloseTo(1.1, 4);
    expect(p[2]).toBe(1);
  });
});

describe('neuralCleanse', () => {
  // Class 0 is reached by one bright pixel (weight 40 on pixel 0); the others need the whole image.
  const p = profile([1, 3, 3], 'NCHW', 4);
  const w = new Float64Array(4 * 9);
  w[0] = 40;
  for (let j = 1; j < 4; j++)
    for (let i = 0; i < 9; i++) w[j * 9 + i] = ((i + j) % 4 === 0 ? 3 : -1) * (j === 3 ? 1.2 : 1);
  const x = Float32Array.from(seeded(40 * 9, 21).map((v) => v * 0.2));
  const data = { x: { data: x, shape: [40, 1, 3, 3] }, y: Int32Array.from({ length: 40 }, (_, i) => i % 4) };

  it('finds the one-pixel trigger, is reproducible with its seed, and stamps it on other classes', async () => {
    const clf = linear(p, w);
    const a = await neuralCleanse(clf, data, { steps: 60, batch: 8, samples: 40, seed: 3, checkAsr: true });
    const b = await neuralCleanse(clf, data, { steps: 60, batch: 8, samples: 40, seed: 3 });
    expect(a.classes.map((c) => c.maskL1)).toEqual(b.classes.map((c) => c.maskL1));
    expect(a.classes[0]!.reached).toBe(true);
    expect(a.classes[0]!.maskL1).toBeLessThan(Math.min(...a.classes.slice(1).map((c) => c.maskL1)));
    // A few hundredths of pixel 0 are enough (weight 40); the rest of the mask is near zero.
    const m0 = Array.from(a.classes[0]!.trigger.mask);
    expect(m0.indexOf(Math.max(...m0))).toBe(0);
    expect(m0[0]! / a.classes[0]!.maskL1).toBeGreaterThan(0.9);
    expect(a.flagged).toEqual([0]);
    expect(a.classes[0]!.anomalyIndex).toBeGreaterThan(2);
    expect(a.geometry).toEqual({ height: 3, width: 3, channels: 1, layout: 'NCHW' });
    expect(a.classes.every((c) => c.steps >= 1 && c.steps <= 60)).toBe(true);
    // Four norms: the statistic is computed, and the warning about few classes is absent.
    expect(a.warnings.some((s) => s.includes('classes examined'))).toBe(false);
    expect(a.classes[0]!.asr).toBeGreaterThan(0.9);
    expect(a.classes[1]!.asr).toBeUndefined();
    expect(b.classes[0]!.asr).toBeUndefined();
  });

  it('refuses what it cannot use, with typed errors', async () => {
    const clf = linear(p, w);
    const bad = async (f: () => Promise<unknown>, code: string, text: RegExp) => {
      const e = await f().then(
        () => null,
        (err: unknown) => err,
      );
      expect(e).toBeInstanceOf(BackdoorError);
      expect((e as BackdoorError).code).toBe(code);
      expect((e as Error).message).toMatch(text);
    };
    await bad(() => neuralCleanse(linear(p, w, false), data), 'BACKDOOR_MODEL', /input gradients/);
    await bad(
      () => neuralCleanse(clf, { ...data, x: { data: x, shape: [40, 9] } }),
      'BACKDOOR_INPUT',
      /shape/,
    );
    await bad(
      () => neuralCleanse(clf, data, { classes: [0, 4] }),
      'BACKDOOR_INPUT',
      /outside the model's 4 classes/,
    );
    await bad(() => neuralCleanse(clf, data, { classes: [1, 1] }), 'BACKDOOR_INPUT', /twice/);
    await bad(() => neuralCleanse(clf, data, { classes: [] }), 'BACKDOOR_INPUT', /no classes/);
    await bad(() => neuralCleanse(clf, data, { steps: 0 }), 'BACKDOOR_INPUT', /steps/);
    await bad(
      () => neuralCleanse(clf, data, { steps: BACKDOOR_LIMITS.maxSteps + 1 }),
      'BACKDOOR_LIMIT',
      /maxSteps|limit/,
    );
    await bad(() => neuralCleanse(clf, data, { batch: 2.5 }), 'BACKDOOR_INPUT', /batch/);
    await bad(
      () => neuralCleanse(clf, { ...data, y: new Int32Array(3) }, { checkAsr: true }),
      'BACKDOOR_INPUT',
      /3 labels for 40 samples/,
    );
    const nan = Float32Array.from(x);
    nan[5] = Number.NaN;
    await bad(
      () => neuralCleanse(clf, { ...data, x: { data: nan, shape: [40, 1, 3, 3] } }),
      'BACKDOOR_INPUT',
      /not finite/,
    );
    await bad(
      () =>
        neuralCleanse(clf, { x: { data: new Float32Array(0), shape: [0, 1, 3, 3] }, y: new Int32Array(0) }),
      'BACKDOOR_INPUT',
      /at least one/,
    );
  });
});
