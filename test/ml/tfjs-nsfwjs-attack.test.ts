import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ensureNpmModels } from '../../scripts/fixtures/npm-models.js';
import { run } from '../../src/cli/main.js';
import { writeNpz } from '../../src/ml/npy.js';
import { loadTfjsClassifier } from '../../src/ml/tfjs/index.js';
import type { AttackReport } from '../../src/report/attack/types.js';
import { tempDir } from '../support/temp.js';

/**
 * Issue 5 item 8: a real public TF.js model (nsfwjs MobileNetV2, from its npm package) attacked end to end
 * through `modelguard attack` on a few images. Labels are the model's own predictions, so every point is
 * clean-correct and the attack has something to flip.
 */
const tmp = tempDir('modelguard-nsfwjs-attack-');
let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

describe('modelguard attack on nsfwjs MobileNetV2', () => {
  it('FGSM on two 224×224 images through the CLI: clean accuracy 1 and a bounded FGSM result in the JSON report', async () => {
    const modelJson = join(ensureNpmModels(), 'nsfwjs', 'mobilenet_v2', 'model.json');
    // Two smooth, image-like inputs in [0, 1] (colour ramps), NHWC like the model.
    const per = 224 * 224 * 3;
    const data = new Float32Array(2 * per);
    for (let i = 0; i < per; i++) {
      const px = Math.floor(i / 3);
      const [row, col, ch] = [Math.floor(px / 224), px % 224, i % 3];
      data[i] = (row / 223) * (ch === 0 ? 1 : 0.3);
      data[per + i] = ((col + row) / 446) * (ch === 2 ? 1 : 0.5);
    }
    const x = { data, shape: [2, 224, 224, 3] };
    const model = await loadTfjsClassifier(modelJson, {}, { batchSize: 2 });
    const logits = await model.predict(x);
    await model.dispose();
    const y = Int32Array.from([0, 1], (i) => {
      const row = Array.from(logits.subarray(i * 5, i * 5 + 5));
      return row.indexOf(Math.max(...row));
    });
    const npz = join(tmp.dir, 'two.npz');
    writeNpz(npz, { x, y });

    const out = join(tmp.dir, 'report.json');
    const code = await run([
      'node',
      'modelguard',
      'attack',
      modelJson,
      '--data',
      npz,
      '--attack',
      'fgsm',
      '--eps',
      '0.03',
      '--format',
      'json',
      '--output',
      out,
      '--no-progress',
    ]);
    expect(code, stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as AttackReport;
    expect(report.cleanAccuracy).toBe(1);
    expect(report.model).toMatchObject({ format: 'tfjs' });
    const fgsm = report.attacks[0];
    expect(fgsm).toMatchObject({ name: 'fgsm', norm: 'linf', eps: 0.03 });
    expect(fgsm?.robustAccuracy).toBeGreaterThanOrEqual(0);
    expect(fgsm?.robustAccuracy).toBeLessThanOrEqual(1);
    // A point the attack fooled moved by exactly ε in L∞ (FGSM's sign step, clipped to [0, 1]).
    if ((fgsm?.fooled ?? 0) > 0) expect(fgsm?.meanPerturbation).toBeLessThanOrEqual(0.03 + 1e-6);
    expect(report.robustAccuracy).toBe(fgsm?.robustAccuracy);
  }, 180_000);
});
