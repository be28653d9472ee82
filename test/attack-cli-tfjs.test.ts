import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { run } from '../src/cli/main.js';
import { writeNpz } from '../src/ml/npy.js';
import { tfjsRuntime } from '../src/ml/tfjs/index.js';
import type { AttackReport } from '../src/report/attack/types.js';
import { tempDir } from './support/temp.js';
import { savedConvModel } from './support/tfjs-conv.js';

/**
 * `modelguard attack` / `grad` on a TF.js LayersModel (NHWC 8×8×1, conv → dense → softmax) saved by
 * tfjs-layers in the test. FGSM is recomputed here with tf.grad through the saved model itself, so the
 * command's number is checked against TF.js, not against our own code.
 */
const tmp = tempDir('modelguard-attack-tfjs-');
const N = 48;
let modelJson = '';
let dataFile = '';
let expected = { clean: 0, robust: 0 };
const EPS = 0.15;

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

beforeAll(async () => {
  const { tf } = await tfjsRuntime();
  const saved = await savedConvModel(tmp.dir, [8, 8, 1], 5, 3);
  const { model, rand } = saved;
  modelJson = saved.modelJson;

  const xData = Float32Array.from({ length: N * 64 }, () => rand());
  const x = tf.tensor(xData, [N, 8, 8, 1]);
  const probs = model.predict(x) as import('@tensorflow/tfjs-core').Tensor;
  const pred = (await tf.argMax(probs, -1).data()) as Int32Array;
  // Labels: the prediction for most points, a wrong class for every sixth (clean errors).
  const y = Int32Array.from(pred, (p, i) => (i % 6 === 5 ? (p + 1) % 5 : p));
  dataFile = join(tmp.dir, 'data.npz');
  writeNpz(dataFile, { x: { data: xData, shape: [N, 8, 8, 1] }, y });

  // FGSM with tf.grad of the cross-entropy through the saved model's probabilities.
  const oneHot = tf.oneHot(tf.tensor1d(y, 'int32'), 5);
  const ce = (xx: import('@tensorflow/tfjs-core').Tensor) =>
    tf.neg(
      tf.sum(
        tf.mul(oneHot, tf.log(tf.add(model.predict(xx) as import('@tensorflow/tfjs-core').Tensor, 1e-30))),
      ),
    );
  const g = tf.grad(ce)(x);
  const adv = tf.clipByValue(tf.add(x, tf.mul(tf.sign(g), EPS)), 0, 1);
  const advPred = (await tf
    .argMax(model.predict(adv) as import('@tensorflow/tfjs-core').Tensor, -1)
    .data()) as Int32Array;
  let clean = 0;
  let robust = 0;
  for (let i = 0; i < N; i++) {
    if (pred[i] !== y[i]) continue;
    clean++;
    if (advPred[i] === y[i]) robust++;
  }
  expected = { clean: clean / N, robust: robust / N };
}, 60_000);

async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const file = join(tmp.dir, `out-${Math.random().toString(36).slice(2)}`);
  const code = await run(['node', 'modelguard', ...args, '--output', file, '--no-progress']);
  let out = '';
  try {
    out = readFileSync(file, 'utf8');
  } catch {
    out = stderr.mock.calls.map((c) => String(c[0])).join('');
  }
  return { code, out };
}

describe('modelguard attack on a TF.js LayersModel', () => {
  it('FGSM: the same clean and robust accuracy as tf.grad computes; softmax removed for the attacks', async () => {
    const r = await cli(
      'attack',
      modelJson,
      '--data',
      dataFile,
      '--attack',
      'fgsm',
      '--eps',
      String(EPS),
      '--format',
      'json',
    );
    expect(r.code, r.out).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.model).toMatchObject({
      format: 'tfjs',
      inputShape: [8, 8, 1],
      classes: 5,
      layout: 'NHWC',
      gradients: true,
    });
    expect(doc.model.removedSoftmax).toBe(true);
    expect(doc.cleanAccuracy).toBeCloseTo(expected.clean, 10);
    expect(expected.clean).toBeLessThan(1);
    // Sign ties on near-zero gradient entries may differ between the two computations: at most one point.
    expect(Math.abs(doc.robustAccuracy - expected.robust)).toBeLessThanOrEqual(1 / N + 1e-9);
    expect(expected.robust).toBeLessThan(expected.clean);
  }, 60_000);

  it('Square (black-box) runs; HTML draws NHWC images', async () => {
    const r = await cli(
      'attack',
      modelJson,
      '--data',
      dataFile,
      '--attack',
      'square',
      '--eps',
      '0.1,0.2',
      '--queries',
      '50',
      '--limit',
      '12',
      '--format',
      'html',
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('<svg class="chart"');
    expect(r.out).toContain('NHWC');
  }, 60_000);

  it('grad writes [N, 8, 8, 1] gradients', async () => {
    const file = join(tmp.dir, 'grad.npy');
    expect(
      await run([
        'node',
        'modelguard',
        'grad',
        modelJson,
        '--data',
        dataFile,
        '--limit',
        '10',
        '--output',
        file,
        '--no-progress',
      ]),
    ).toBe(0);
    const shape = execFileSync(
      '/usr/bin/python3',
      [
        '-c',
        'import sys, numpy as np; g = np.load(sys.argv[1]); print(list(g.shape), bool(np.abs(g).sum() > 0))',
        file,
      ],
      { encoding: 'utf8' },
    );
    expect(shape.trim()).toBe('[10, 8, 8, 1] True');
  }, 60_000);
});
