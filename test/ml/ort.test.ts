import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  GradientUnavailableError,
  loadOnnxClassifier,
  type OnnxClassifier,
  OrtBackendError,
} from '../../src/ml/ort/index.js';
import type { ModelProfile, Tensor } from '../../src/ml/types.js';
import { ATTACK_FIXTURES, argmaxRows, f32, i32, readNpz, readReference, relErr } from './ort-reference.js';

const ref = readReference();
const data = readNpz(join(ATTACK_FIXTURES, 'digits_test.npz'));
const grads = readNpz(join(ATTACK_FIXTURES, 'reference_grads.npz'));
const x: Tensor = { data: f32(data, 'x'), shape: [450, 1, 8, 8] };
const y = i32(data, 'y');
const modelPath = (name: string) => join(ATTACK_FIXTURES, `${name}.onnx`);

function head(t: Tensor, n: number): Tensor {
  const per = t.data.length / (t.shape[0] as number);
  return { data: t.data.slice(0, n * per), shape: [n, ...t.shape.slice(1)] };
}

describe('onnxruntime-node classifier: forward parity with PyTorch', () => {
  for (const [name, m] of Object.entries(ref.models)) {
    it(`${name}: outputs equal PyTorch's to 1e-4 relative and give the reference clean accuracy`, async () => {
      const clf = await loadOnnxClassifier(modelPath(name), undefined, { intraOpNumThreads: 1 });
      try {
        expect(clf.profile.inputShape).toEqual([1, 8, 8]);
        expect(clf.profile.numClasses).toBe(10);
        expect(clf.profile.softmaxOutput).toBe(m.softmaxOutput);
        const out = await clf.predict(x);
        expect(relErr(out, f32(grads, `${name}_output`))).toBeLessThan(1e-4);
        const pred = argmaxRows(out, 10);
        const acc = pred.reduce((a, p, i) => a + (p === y[i] ? 1 : 0), 0) / 450;
        expect(acc).toBeCloseTo(m.cleanAccuracy, 6);
        expect(clf.queries.forward).toBe(450);
      } finally {
        await clf.dispose();
      }
    });
  }

  it('splits large inputs into batches without changing the outputs', async () => {
    const a = await loadOnnxClassifier(modelPath('digits_cnn'), undefined, { batchSize: 7 });
    const out = await a.predict(head(x, 40));
    expect(relErr(out, f32(grads, 'digits_cnn_output').slice(0, 400))).toBeLessThan(1e-4);
    expect(a.queries.forward).toBe(40);
    await a.dispose();
  });

  it('accepts model bytes and rejects inputs of the wrong shape with a typed error', async () => {
    const clf = await loadOnnxClassifier(new Uint8Array(readFileSync(modelPath('digits_mlp'))));
    await expect(clf.predict({ data: new Float32Array(64), shape: [1, 64] })).rejects.toBeInstanceOf(
      OrtBackendError,
    );
    await expect(clf.predict({ data: new Float32Array(10), shape: [1, 1, 8, 8] })).rejects.toThrow(
      /does not match/,
    );
    await clf.dispose();
  });

  it('passes execution providers through to onnxruntime', async () => {
    const cpu = await loadOnnxClassifier(modelPath('digits_mlp'), undefined, { executionProviders: ['cpu'] });
    expect((await cpu.predict(head(x, 2))).length).toBe(20);
    await cpu.dispose();
    await expect(
      loadOnnxClassifier(modelPath('digits_mlp'), undefined, { executionProviders: ['no-such-provider'] }),
    ).rejects.toBeInstanceOf(OrtBackendError);
  });

  it('rejects bytes that are not a model with a typed error', async () => {
    await expect(loadOnnxClassifier(new Uint8Array([1, 2, 3, 4]))).rejects.toBeInstanceOf(OrtBackendError);
  });
});

describe('onnxruntime-node classifier: gradients and preprocessing', () => {
  let clf: OnnxClassifier;
  beforeAll(async () => {
    clf = await loadOnnxClassifier(modelPath('digits_mlp'));
  });
  afterAll(async () => {
    await clf.dispose();
  });

  it('has gradients, counts gradient queries per sample', async () => {
    expect(clf.capabilities.lossGradient).toBe(true);
    expect(clf.gradientUnavailable).toBeUndefined();
    const n = ref.gradients.samples;
    const before = clf.queries.gradient;
    const r = await clf.lossGradient(head(x, n), y.slice(0, n), { kind: 'ce' });
    expect(clf.queries.gradient - before).toBe(n);
    expect(relErr(r.grad, f32(grads, 'digits_mlp_ce_grad'))).toBeLessThan(1e-4);
    expect(relErr(r.loss, f32(grads, 'digits_mlp_ce_loss'))).toBeLessThan(1e-4);
  });

  it('applies scale/mean/std before the model and chain-rules the gradient back', async () => {
    // A profile whose preprocessing maps u to (2u − 0.2) / 0.5 = 4u − 0.4, fed u = (x + 0.4) / 4 so that the
    // model sees exactly x: logits must not change and ∂L/∂u = 4 · ∂L/∂x.
    const profile: ModelProfile = {
      ...clf.profile,
      clipMin: 0.1,
      clipMax: 0.35,
      preprocessing: { layout: 'NCHW', scale: 2, mean: [0.2], std: [0.5] },
    };
    const pre = await loadOnnxClassifier(modelPath('digits_mlp'), profile);
    const n = ref.gradients.samples;
    const u: Tensor = { data: head(x, n).data.map((v) => (v + 0.4) / 4), shape: [n, 1, 8, 8] };
    const out = await pre.predict(u);
    expect(relErr(out, f32(grads, 'digits_mlp_output').slice(0, n * 10))).toBeLessThan(1e-4);
    const r = await pre.lossGradient(u, y.slice(0, n), { kind: 'margin' });
    const want = f32(grads, 'digits_mlp_margin_grad').map((g) => 4 * g);
    expect(relErr(r.grad, want)).toBeLessThan(1e-4);
    await pre.dispose();
  });

  it('takes attack-space samples in another layout and returns gradients in that layout', async () => {
    // NHWC [8, 8, 1] samples for an NCHW [1, 8, 8] model: with one channel the bytes are the same, so the
    // outputs and gradients must equal the NCHW reference exactly where the shapes are handled right.
    const profile = {
      ...clf.profile,
      inputShape: [8, 8, 1],
      preprocessing: { layout: 'NCHW' as const, inputLayout: 'NHWC' as const, scale: 1, mean: [], std: [] },
    };
    const nhwc = await loadOnnxClassifier(modelPath('digits_cnn'), profile);
    const n = ref.gradients.samples;
    const u: Tensor = { data: head(x, n).data, shape: [n, 8, 8, 1] };
    expect(relErr(await nhwc.predict(u), f32(grads, 'digits_cnn_output').slice(0, n * 10))).toBeLessThan(
      1e-4,
    );
    const r = await nhwc.lossGradient(u, y.slice(0, n), { kind: 'ce' });
    expect(relErr(r.grad, f32(grads, 'digits_cnn_ce_grad'))).toBeLessThan(1e-4);
    await expect(nhwc.predict(head(x, 2))).rejects.toBeInstanceOf(OrtBackendError);
    await nhwc.dispose();
  });

  it('returns the activations of a named tensor', async () => {
    const a = await clf.activations!(head(x, 5), '/Relu_output_0');
    expect(a.shape).toEqual([5, 64]);
    expect(a.data.every((v) => v >= 0)).toBe(true);
    expect(a.data.some((v) => v > 0)).toBe(true);
    await expect(clf.activations!(head(x, 1), 'no-such-tensor')).rejects.toThrow();
  });
});

describe('onnxruntime-node classifier: models without a gradient rule', () => {
  it('predicts, reports the unsupported operator and refuses gradients with a typed error', async () => {
    const clf = await loadOnnxClassifier(modelPath('digits_cumsum'));
    expect(clf.capabilities.lossGradient).toBe(false);
    expect(clf.capabilities.classGradient).toBe(false);
    expect(clf.gradientUnavailable).toMatch(/CumSum/);
    const out = await clf.predict(head(x, 3));
    expect(out.length).toBe(30);
    const err = await clf.lossGradient(head(x, 3), y.slice(0, 3), { kind: 'ce' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GradientUnavailableError);
    expect((err as GradientUnavailableError).code).toBe('GRADIENT_UNAVAILABLE');
    expect((err as Error).message).toMatch(/CumSum/);
    await clf.dispose();
  });
});

describe('labels and the softmax flag', () => {
  it('labels, targets or a logit class outside [0, K) are refused, never a silent zero gradient', async () => {
    const clf = await loadOnnxClassifier(modelPath('digits_mlp'));
    const two: Tensor = { data: x.data.subarray(0, 128), shape: [2, 1, 8, 8] };
    const ok = await clf.lossGradient(two, Int32Array.of(0, 9), { kind: 'ce' });
    expect(ok.grad.some((v) => v !== 0)).toBe(true);
    await expect(clf.lossGradient(two, Int32Array.of(0, 10), { kind: 'ce' })).rejects.toThrow(
      /labels\[1\] is 10/,
    );
    await expect(clf.lossGradient(two, Int32Array.of(-1, 0), { kind: 'margin' })).rejects.toThrow(
      /labels\[0\]/,
    );
    await expect(
      clf.lossGradient(two, Int32Array.of(0, 1), { kind: 'logit', classIndex: 12 }),
    ).rejects.toThrow(/logit class/);
    await expect(
      clf.lossGradient(two, Int32Array.of(0, 1), { kind: 'dlr-targeted' }, Int32Array.of(2, 99)),
    ).rejects.toThrow(/targets\[1\] is 99/);
    expect(clf.removedSoftmax).toBe(false);
    await clf.dispose();
    const soft = await loadOnnxClassifier(modelPath('digits_softmax'));
    expect(soft.removedSoftmax).toBe(true);
    await soft.dispose();
  });
});
