import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureNpmModels } from '../../scripts/fixtures/npm-models.js';
import { loadTfjsClassifier, lossHead, readModelArtifacts, tfjsRuntime } from '../../src/ml/tfjs/index.js';

/** A seeded PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('nsfwjs MobileNetV2 (real public TF.js layers model)', () => {
  it('loads offline on wasm, predicts 5 classes like the original model, has finite non-zero input gradients', async () => {
    const modelJson = join(ensureNpmModels(), 'nsfwjs', 'mobilenet_v2', 'model.json');
    const c = await loadTfjsClassifier(modelJson, {}, { batchSize: 2 });
    expect(c.backend).toBe('wasm');
    expect(c.logitsFrom).toBe('softmax-removed');
    expect(c.profile).toMatchObject({ inputShape: [224, 224, 3], numClasses: 5, softmaxOutput: true });
    // Two inputs in [0, 1]: seeded noise and a smooth colour ramp.
    const r = rng(3);
    const per = 224 * 224 * 3;
    const data = new Float32Array(2 * per);
    for (let i = 0; i < per; i++) data[i] = r();
    for (let i = 0; i < per; i++) data[per + i] = ((i % 672) / 672 + Math.floor(i / 672) / 224) / 2;
    const x = { data, shape: [2, 224, 224, 3] };
    const z = await c.predict(x);
    expect(z.length).toBe(10);
    expect(z.every(Number.isFinite)).toBe(true);

    // The unmodified model (softmax kept), run directly, gives the softmax of our logits.
    const { tf, layers } = await tfjsRuntime();
    const original = await layers.loadLayersModel(tf.io.fromMemory(readModelArtifacts(modelJson)));
    const probs = tf.tidy(() =>
      (
        original.predict(tf.tensor(data, [2, 224, 224, 3])) as import('@tensorflow/tfjs-core').Tensor
      ).dataSync(),
    );
    original.dispose();
    for (let s = 0; s < 2; s++) {
      const row = Array.from(z.subarray(s * 5, s * 5 + 5));
      const m = Math.max(...row);
      const e = row.map((v) => Math.exp(v - m));
      const sum = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j < 5; j++) expect((e[j] as number) / sum).toBeCloseTo(probs[s * 5 + j] as number, 4);
    }

    // One gradient (the backward pass is the slow part on wasm): the ramp image, cross-entropy of class 1.
    const one = { data: data.subarray(per), shape: [1, 224, 224, 3] };
    const { loss, grad } = await c.lossGradient(one, Int32Array.from([1]), { kind: 'ce' });
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(grad.every(Number.isFinite)).toBe(true);
    expect(grad.reduce((a, v) => a + Math.abs(v), 0)).toBeGreaterThan(1e-6);
    // Directional finite difference (float32; h = 1e-4 sits between float32 noise and the curvature of
    // relu6/batch-norm at larger steps, where it agreed to 0.7% when written).
    const r2 = rng(9);
    const d = Float32Array.from(one.data, () => r2() - 0.5);
    const h = 1e-4;
    const lossAt = async (sign: number) => {
      const xs = {
        data: Float32Array.from(one.data, (v, i) => v + sign * h * (d[i] as number)),
        shape: one.shape,
      };
      return lossHead(await c.predict(xs), 5, Int32Array.from([1]), { kind: 'ce' }).loss[0] as number;
    };
    const fd = ((await lossAt(1)) - (await lossAt(-1))) / (2 * h);
    const an = grad.reduce((a, g, i) => a + g * (d[i] as number), 0);
    expect(Math.abs(fd - an)).toBeLessThan(0.1 * Math.abs(an));
    expect(c.queries).toEqual({ forward: 4, gradient: 1 });
    await c.dispose();
  }, 120_000);
});
