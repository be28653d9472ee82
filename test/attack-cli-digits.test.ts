import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { run } from '../src/cli/main.js';
import type { AttackReport } from '../src/report/attack/types.js';
import { tempDir } from './support/temp.js';

/**
 * `modelguard attack` / `grad` end to end with the real engines (onnxruntime-node, the gradient builder,
 * the attacks) on the committed digits fixtures, against the PyTorch reference numbers in
 * test/fixtures/attack/reference.json (made by scripts/fixtures/make_attack_models.py).
 */
const FIX = new URL('fixtures/attack/', import.meta.url).pathname;
const DATA = join(FIX, 'digits_test.npz');
const REF = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as {
  models: Record<string, { cleanAccuracy: number; fgsm: Record<string, number>; softmaxOutput: boolean }>;
};
const tmp = tempDir('modelguard-attack-digits-');
const PY = '/usr/bin/python3';

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

let counter = 0;
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const file = join(tmp.dir, `out-${counter++}`);
  const code = await run(['node', 'modelguard', ...args, '--output', file, '--no-progress']);
  const err = stderr.mock.calls.map((c) => String(c[0])).join('');
  let out = '';
  try {
    out = readFileSync(file, 'utf8');
  } catch {
    out = err;
  }
  return { code, out };
}

describe('modelguard attack on the digits models (onnxruntime)', () => {
  it.each(['digits_cnn', 'digits_softmax'])(
    '%s: FGSM robust accuracy within ±1 point of PyTorch at every ε; JSON valid',
    async (name) => {
      const ref = REF.models[name];
      if (!ref) throw new Error(`no reference for ${name}`);
      const r = await cli(
        'attack',
        join(FIX, `${name}.onnx`),
        '--data',
        DATA,
        '--attack',
        'fgsm',
        '--eps',
        '0.05,0.1,0.2,0.3',
        '--format',
        'json',
      );
      expect(r.code, r.out).toBe(0);
      const doc = JSON.parse(r.out) as AttackReport;
      const ajv = new Ajv({ allErrors: true, strict: false });
      const validate = ajv.compile(
        JSON.parse(readFileSync(new URL('../schemas/attack.schema.json', import.meta.url), 'utf8')),
      );
      expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
      expect(doc.data.samples).toBe(450);
      expect(doc.model.gradients).toBe(true);
      expect(doc.model.softmaxOutput).toBe(ref.softmaxOutput);
      expect(Math.abs(doc.cleanAccuracy - ref.cleanAccuracy)).toBeLessThan(0.5 / 450);
      for (const a of doc.attacks) {
        const want = ref.fgsm[String(a.eps)];
        expect(want, `reference at ε=${a.eps}`).toBeDefined();
        expect(Math.abs(a.robustAccuracy - (want as number)), `ε=${a.eps}`).toBeLessThanOrEqual(0.01);
      }
      expect(doc.robustAccuracy).toBe(doc.attacks.at(-1)?.robustAccuracy);
      // The sanity checks ran: the softmax model is flagged, the logits model is not.
      expect(doc.warnings.some((w) => w.code === 'softmax-output')).toBe(ref.softmaxOutput);
    },
    60_000,
  );

  it('a model with an operator the gradient builder refuses: warning naming it, black-box fallback', async () => {
    const r = await cli(
      'attack',
      join(FIX, 'digits_cumsum.onnx'),
      '--data',
      DATA,
      '--attack',
      'pgd',
      '--eps',
      '0.2',
      '--limit',
      '20',
      '--queries',
      '50',
      '--format',
      'json',
    );
    expect(r.code, r.out).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.model.gradients).toBe(false);
    expect(doc.model.gradientUnavailable).toContain('CumSum');
    expect(doc.attacks.map((a) => a.name)).toEqual(['square']);
    const w = doc.warnings.find((x) => x.code === 'gradients-unavailable');
    expect(w?.message).toMatch(/CumSum.*square instead of pgd/);
    // grad cannot fall back: it is a tool error naming the operator.
    const g = await run([
      'node',
      'modelguard',
      'grad',
      join(FIX, 'digits_cumsum.onnx'),
      '--data',
      DATA,
      '--limit',
      '2',
      '--output',
      join(tmp.dir, 'x.npy'),
      '--no-progress',
    ]);
    expect(g).toBe(2);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('CumSum');
  }, 60_000);

  it('--preset autoattack runs APGD-CE, APGD-T, FAB-T, Square in sequence and agrees with evaluate()', async () => {
    const args = [
      '--data',
      DATA,
      '--eps',
      '0.1',
      '--limit',
      '12',
      '--steps',
      '10',
      '--queries',
      '100',
      '--format',
      'json',
    ];
    const r = await cli('attack', join(FIX, 'digits_cnn.onnx'), '--preset', 'autoattack', ...args);
    expect(r.code, r.out).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.preset?.ran).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    expect(doc.preset?.skipped).toEqual([]);
    for (let i = 1; i < doc.attacks.length; i++) {
      const prev = doc.attacks[i - 1];
      expect(doc.attacks[i]?.attacked).toBe((prev?.attacked ?? 0) - (prev?.fooled ?? 0));
    }
    // The command runs through attacks/evaluate; the library's own AutoAttack (runAutoAttack, which stops
    // once nothing is left robust) gives the same numbers, stage by stage, and the same worst case.
    const { loadOnnxClassifier } = await import('../src/ml/ort/index.js');
    const { loadDataset } = await import('../src/ml/data/index.js');
    const { evaluate } = await import('../src/attacks/index.js');
    const model = await loadOnnxClassifier(join(FIX, 'digits_cnn.onnx'));
    try {
      const ev = await evaluate(model, await loadDataset(DATA, { limit: 12 }), ['autoattack'], [0.1], {
        norm: 'linf',
        seed: 0,
        steps: 10,
        queries: 100,
        batchSize: 64,
        checks: false,
      });
      expect(doc.cleanAccuracy).toBe(ev.cleanAccuracy);
      expect(doc.robustAccuracy).toBe(ev.robustAccuracy[0]?.robustAccuracy);
      expect(ev.attacks.length).toBeGreaterThan(1);
      const row = (a: {
        name: string;
        attacked: number;
        fooled: number;
        robustAccuracy: number;
        successRate: number;
        queries: number;
      }) => [a.name, a.attacked, a.fooled, a.robustAccuracy, a.successRate, a.queries];
      expect(doc.attacks.slice(0, ev.attacks.length).map(row)).toEqual(ev.attacks.map(row));
      for (const a of doc.attacks.slice(ev.attacks.length)) expect(a.attacked).toBe(0);
    } finally {
      await model.dispose();
    }
  }, 60_000);

  it('HTML on the CNN: a curve and digit images', async () => {
    const r = await cli(
      'attack',
      join(FIX, 'digits_cnn.onnx'),
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.1,0.2',
      '--limit',
      '60',
      '--format',
      'html',
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out.match(/<polyline/g)?.length).toBe(3);
    expect(r.out.match(/<img src="data:image\/png;base64,/g)?.length).toBe(12);
  }, 60_000);

  it('--fail-under: PGD at ε = 0.3 takes the CNN below 50%', async () => {
    const r = await cli(
      'attack',
      join(FIX, 'digits_cnn.onnx'),
      '--data',
      DATA,
      '--attack',
      'pgd',
      '--steps',
      '10',
      '--eps',
      '0.3',
      '--limit',
      '40',
      '--fail-under',
      '50%',
      '--format',
      'json',
    );
    expect(r.code).toBe(1);
    expect((JSON.parse(r.out) as AttackReport).robustAccuracy).toBeLessThan(0.5);
  }, 60_000);
});

describe('modelguard attack: profiles and image folders with the real loaders', () => {
  it('--profile overrides are used; a profile that does not fit the data is exit 2 naming both shapes', async () => {
    const good = tmp.write('profile.json', JSON.stringify({ clipMin: -1, clipMax: 2 }));
    const bad = tmp.write('bad-profile.json', JSON.stringify({ inputShape: [8, 8, 1] }));
    const wrong = tmp.write('wrong-profile.json', '{"inputShape": "big"}');
    const model = join(FIX, 'digits_cnn.onnx');
    const ok = await cli(
      'attack',
      model,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.1',
      '--limit',
      '20',
      '--profile',
      good,
      '--format',
      'json',
    );
    expect(ok.code, ok.out).toBe(0);
    expect((JSON.parse(ok.out) as AttackReport).model).toMatchObject({ clipMin: -1, clipMax: 2 });
    const r = await cli(
      'attack',
      model,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--limit',
      '20',
      '--profile',
      bad,
    );
    expect(r.code).toBe(2);
    expect(r.out).toContain('[1, 8, 8] but the model takes [8, 8, 1]');
    const w = await cli('attack', model, '--data', DATA, '--limit', '20', '--profile', wrong);
    expect(w.code).toBe(2);
    expect(w.out).toContain('inputShape');
  }, 60_000);

  it('a folder of PNG digits (one subfolder per class) is attacked like the npz', async () => {
    const { loadDataset } = await import('../src/ml/data/index.js');
    const { PNG } = await import('pngjs');
    const ds = await loadDataset(DATA, { limit: 40 });
    for (let i = 0; i < 40; i++) {
      const png = new PNG({ width: 8, height: 8, colorType: 0 });
      for (let p = 0; p < 64; p++) {
        const v = Math.round((ds.x.data[i * 64 + p] as number) * 255);
        png.data.set([v, v, v, 255], p * 4);
      }
      tmp.write(`digits/${ds.y[i]}/${i}.png`, PNG.sync.write(png, { colorType: 0 }));
    }
    const r = await cli(
      'attack',
      join(FIX, 'digits_cnn.onnx'),
      '--data',
      join(tmp.dir, 'digits'),
      '--attack',
      'fgsm',
      '--eps',
      '0.1',
      '--format',
      'json',
    );
    expect(r.code, r.out).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.data.samples).toBe(40);
    expect(doc.data.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(doc.cleanAccuracy).toBeGreaterThan(0.9);
  }, 60_000);
});

describe('modelguard grad on the digits CNN', () => {
  it('CE, margin and logit:3 gradients match PyTorch autograd (1e-4 relative)', async () => {
    for (const [loss, key] of [
      ['ce', 'ce'],
      ['margin', 'margin'],
      ['logit:3', 'logit3'],
    ] as const) {
      const file = join(tmp.dir, `grad-${key}.npy`);
      const code = await run([
        'node',
        'modelguard',
        'grad',
        join(FIX, 'digits_cnn.onnx'),
        '--data',
        DATA,
        '--loss',
        loss,
        '--limit',
        '40',
        '--output',
        file,
        '--no-progress',
      ]);
      expect(code).toBe(0);
      // reference_grads.npz holds the gradients of the samples listed in grad_index (all below 450).
      const script = `
import sys, json, numpy as np
g = np.load(sys.argv[1]); ref = np.load(sys.argv[2])
idx = ref['grad_index']; keep = idx < g.shape[0]
want = ref['digits_cnn_${key}_grad'][keep]; got = g[idx[keep]]
err = float(np.abs(got - want).max() / max(np.abs(want).max(), 1e-12))
print(json.dumps({'shape': list(g.shape), 'dtype': str(g.dtype), 'compared': int(keep.sum()), 'err': err}))`;
      const out = JSON.parse(
        execFileSync(PY, ['-c', script, file, join(FIX, 'reference_grads.npz')], { encoding: 'utf8' }),
      ) as { shape: number[]; dtype: string; compared: number; err: number };
      expect(out.shape).toEqual([40, 1, 8, 8]);
      expect(out.dtype).toBe('float32');
      expect(out.compared).toBeGreaterThan(0);
      expect(out.err, loss).toBeLessThan(1e-4);
    }
  }, 60_000);
});
