/**
 * BIM (PGD without random start, ART's update order) through the real onnxruntime backend on the committed
 * digits models, against the PyTorch reference run of the same attack in test/fixtures/attack/reference.json
 * (scripts/fixtures/make_attack_models.py): robust accuracy within ±1 point; and the stronger attacks
 * at least as strong as BIM there.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ATTACKS } from '../../src/attacks/registry.js';
import { loadDataset } from '../../src/ml/data/index.js';
import { loadOnnxClassifier } from '../../src/ml/ort/index.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'attack');
const reference = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as {
  attacks: { bim: { eps: number[]; steps: number } };
  models: Record<string, { bim: Record<string, number> }>;
};

describe('BIM on the digits models matches PyTorch', () => {
  for (const name of ['digits_cnn', 'digits_mlp']) {
    it(`${name}: BIM L∞ within ±1 point of the reference at every ε; APGD-CE no weaker than BIM − 1 point`, async () => {
      const data = await loadDataset(join(DIR, 'digits_test.npz'));
      const model = await loadOnnxClassifier(join(DIR, `${name}.onnx`));
      try {
        const n = data.y.length;
        for (const eps of reference.attacks.bim.eps) {
          const r = await ATTACKS.bim.run(model, data.x, data.y, {
            norm: 'linf',
            eps,
            seed: 0,
            steps: reference.attacks.bim.steps,
          });
          const robust = (n - r.fooled.reduce((s, v) => s + v, 0)) / n;
          const expected = reference.models[name]!.bim[String(eps)]!;
          expect(Math.abs(robust - expected), `ε=${eps}: ${robust} vs ${expected}`).toBeLessThanOrEqual(0.01);
          if (eps === 0.1) {
            const a = await ATTACKS['apgd-ce'].run(model, data.x, data.y, {
              norm: 'linf',
              eps,
              seed: 0,
              steps: 50,
            });
            expect((n - a.fooled.reduce((s, v) => s + v, 0)) / n).toBeLessThanOrEqual(robust + 0.01);
          }
        }
      } finally {
        await model.dispose();
      }
    });
  }
});
