import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import type { Attack, AttackOptions } from '../src/attacks/types.js';
import { setAttackRuntime } from '../src/cli/attack.js';
import { run } from '../src/cli/main.js';
import type { AttackReport } from '../src/report/attack/types.js';
import { argmax, ceGradient, dataset, fakeFgsm, fakeRuntime, logits } from './attack-cli-support.js';
import { tempDir } from './support/temp.js';

/**
 * `modelguard attack` and `modelguard grad` in-process through run(argv), on a linear 3-class model with
 * an analytic gradient and honest small attacks (attack-cli-support.ts), so the command's bookkeeping —
 * clean/robust accuracy, the worst case, presets, fallback, files, exit codes — is checked exactly.
 */
const tmp = tempDir('modelguard-attack-cli-');
const MODEL = tmp.write('model.onnx', new Uint8Array([0x08, 0x07, 0x12, 0x04, 0x74, 0x65, 0x73, 0x74]));
const TFJS = tmp.write('model.json', '{"format": "layers-model", "modelTopology": {}}');
const DATA = tmp.write('data.npz', 'fake runtime: not read');
const PY = '/usr/bin/python3';

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(
    JSON.parse(readFileSync(new URL('../schemas/attack.schema.json', import.meta.url), 'utf8')),
  );
}

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());
beforeAll(() => setAttackRuntime(fakeRuntime()));
afterAll(() => setAttackRuntime(undefined));

function errText(): string {
  return stderr.mock.calls.map((c) => String(c[0])).join('');
}

let counter = 0;
async function cli(...args: string[]): Promise<{ code: number; out: string; file: string }> {
  const file = join(tmp.dir, `out-${counter++}`);
  const code = await run(['node', 'modelguard', ...args, '--output', file, '--no-progress']);
  let out = '';
  try {
    out = readFileSync(file, 'utf8');
  } catch {
    // nothing written (error)
  }
  return { code, out, file };
}

/** FGSM on the linear model, computed here independently: robust = correct before and after. */
function expectedFgsm(n: number, eps: number): { clean: number; robust: number } {
  const { x, y } = dataset(n);
  let clean = 0;
  let robust = 0;
  for (let i = 0; i < n; i++) {
    const ok = argmax(logits(x.data, i)) === y[i];
    if (!ok) continue;
    clean++;
    const g = ceGradient(x.data, i, y[i] as number);
    const adv = new Float32Array(16);
    for (let p = 0; p < 16; p++)
      adv[p] = Math.min(1, Math.max(0, (x.data[i * 16 + p] as number) + eps * Math.sign(g[p] as number)));
    if (argmax(logits(adv, 0)) === y[i]) robust++;
  }
  return { clean: clean / n, robust: robust / n };
}

describe('modelguard attack: JSON report', () => {
  it('FGSM at several ε: exact accuracies, the curve, the worst case, and the schema', async () => {
    const r = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.2,0.05,0.1',
      '--format',
      'json',
    );
    expect(r.code, errText()).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    const validate = validator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.eps).toEqual([0.05, 0.1, 0.2]);
    expect(doc.attacks.map((a) => [a.name, a.eps])).toEqual([
      ['fgsm', 0.05],
      ['fgsm', 0.1],
      ['fgsm', 0.2],
    ]);
    for (const a of doc.attacks) {
      const want = expectedFgsm(60, a.eps);
      expect(doc.cleanAccuracy).toBeCloseTo(want.clean, 10);
      expect(a.robustAccuracy).toBeCloseTo(want.robust, 10);
      expect(a.fooled).toBe(Math.round((want.clean - want.robust) * 60));
      expect(a.attacked).toBe(Math.round(want.clean * 60));
      expect(a.meanPerturbation).toBeLessThanOrEqual(a.eps + 1e-6);
    }
    expect(doc.cleanAccuracy).toBeLessThan(1); // the data has clean errors, which count as not robust
    const worst = doc.curve.worstCase;
    expect(worst).toEqual(doc.attacks.map((a) => a.robustAccuracy));
    expect(worst[0]).toBeGreaterThan(worst[2] as number);
    expect(doc.robustAccuracy).toBe(Math.min(...worst));
    expect(doc.model).toMatchObject({ format: 'onnx', inputShape: [1, 4, 4], classes: 3, gradients: true });
    expect(doc.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(doc.preset).toBeNull();
    expect(doc.seed).toBe(0);
  });

  it('several attacks: the top-level robust accuracy is the per-sample worst case, not the minimum', async () => {
    const r = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm,square',
      '--eps',
      '0.15',
      '--queries',
      '5',
      '--format',
      'json',
    );
    expect(r.code, errText()).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.attacks.map((a) => a.name)).toEqual(['fgsm', 'square']);
    const min = Math.min(...doc.attacks.map((a) => a.robustAccuracy));
    expect(doc.robustAccuracy).toBeLessThanOrEqual(min);
    // Both attack every correct point on their own.
    expect(doc.attacks[0]?.attacked).toBe(doc.attacks[1]?.attacked);
    expect(doc.settings.queries).toBe(5);
  });

  it('--preset autoattack runs its attacks in sequence on the points still robust and says what ran', async () => {
    setAttackRuntime(fakeRuntime({ missing: ['fab-t'] }));
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--preset',
        'autoattack',
        '--eps',
        '0.1',
        '--format',
        'json',
      );
      expect(r.code, errText()).toBe(0);
      const doc = JSON.parse(r.out) as AttackReport;
      expect(validator()(doc)).toBe(true);
      expect(doc.preset).toEqual({
        name: 'autoattack',
        version: 'standard',
        // The linear model has 3 classes: targeted DLR needs 4, so APGD-T is skipped and says why.
        ran: ['apgd-ce', 'square'],
        skipped: [
          { name: 'apgd-t', reason: 'targeted DLR needs at least 4 classes' },
          { name: 'fab-t', reason: 'not available in this build' },
        ],
      });
      const [first, second] = doc.attacks;
      expect(second?.attacked).toBe((first?.attacked ?? 0) - (first?.fooled ?? 0));
      expect(doc.robustAccuracy).toBe(doc.attacks.at(-1)?.robustAccuracy);
      expect(doc.warnings.map((w) => w.code)).toContain('attack-skipped');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });

  it('no gradients: a warning naming the operator and a fallback to the black-box attack', async () => {
    setAttackRuntime(fakeRuntime({ gradients: false }));
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'pgd',
        '--eps',
        '0.2',
        '--format',
        'json',
      );
      expect(r.code, errText()).toBe(0);
      const doc = JSON.parse(r.out) as AttackReport;
      expect(doc.attacks.map((a) => a.name)).toEqual(['square']);
      expect(doc.model.gradients).toBe(false);
      const w = doc.warnings.find((x) => x.code === 'gradients-unavailable');
      expect(w?.message).toContain('Einsum');
      expect(w?.message).toContain('square');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });

  it('every attack flag reaches the attack, and the report says what was used', async () => {
    const seen: AttackOptions[] = [];
    const rt = fakeRuntime();
    const inner = fakeFgsm('pgd');
    const recording: Attack = {
      ...inner,
      run: (m, x, y, opts, a) => {
        seen.push(opts);
        return inner.run(m, x, y, opts, a);
      },
    };
    setAttackRuntime({ ...rt, attack: (n) => (n === 'pgd' ? recording : rt.attack(n)) });
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'pgd',
        '--norm',
        'l2',
        '--eps',
        '0.5',
        '--steps',
        '7',
        '--step-size',
        '0.05',
        '--no-random-start',
        '--restarts',
        '3',
        '--queries',
        '11',
        '--seed',
        '42',
        '--batch-size',
        '8',
        '--format',
        'json',
      );
      expect(r.code, errText()).toBe(0);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({
        norm: 'l2',
        eps: 0.5,
        steps: 7,
        stepSize: 0.05,
        randomStart: false,
        restarts: 3,
        queries: 11,
        seed: 42,
        batchSize: 8,
      });
      const doc = JSON.parse(r.out) as AttackReport;
      expect(doc.settings).toEqual({
        steps: 7,
        stepSize: 0.05,
        randomStart: false,
        restarts: 3,
        queries: 11,
        batchSize: 8,
      });
      expect(doc.norm).toBe('l2');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });

  it('a TF.js model.json is recognised by its content', async () => {
    const r = await cli(
      'attack',
      TFJS,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.1',
      '--format',
      'json',
    );
    expect(r.code, errText()).toBe(0);
    expect((JSON.parse(r.out) as AttackReport).model.format).toBe('tfjs');
  });

  it('--limit, --seed and --batch-size reach the report', async () => {
    const r = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'square',
      '--limit',
      '12',
      '--seed',
      '7',
      '--batch-size',
      '5',
      '--format',
      'json',
    );
    expect(r.code, errText()).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.data.samples).toBe(12);
    expect(doc.seed).toBe(7);
    expect(doc.settings.batchSize).toBe(5);
    expect(doc.eps).toEqual([8 / 255]);
  });
});

describe('modelguard attack: text and HTML', () => {
  it('text: warnings first, then the accuracies and one row per attack × ε', async () => {
    setAttackRuntime(fakeRuntime({ gradients: false }));
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'fgsm',
        '--eps',
        '0.1,0.2',
        '--no-color',
      );
      expect(r.code, errText()).toBe(0);
      const lines = r.out.split('\n');
      expect(lines[0]).toMatch(/^warning: input gradients are unavailable/);
      expect(r.out).toContain('clean accuracy:');
      expect(r.out).toMatch(/square\s+linf\s+0\.1\s/);
      expect(r.out).toMatch(/square\s+linf\s+0\.2\s/);
      expect(r.out).toContain('accuracy vs ε');
      expect(errText()).toContain('Robust accuracy');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });

  it('HTML: examples come from a smaller ε when the largest fooled nothing', async () => {
    const rt = fakeRuntime();
    const inner = fakeFgsm('fgsm');
    // An attack that only works at small ε (FGSM is not monotone in ε on real models either).
    const fussy: Attack = {
      ...inner,
      run: (model, x, y, opts, active) =>
        inner.run(model, x, y, opts, opts.eps < 0.2 ? active : new Uint8Array(y.length)),
    };
    setAttackRuntime({ ...rt, attack: (n) => (n === 'fgsm' ? fussy : rt.attack(n)) });
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'fgsm',
        '--eps',
        '0.15,0.3',
        '--format',
        'html',
      );
      expect(r.code, errText()).toBe(0);
      expect((r.out.match(/<img src="data:image\/png;base64,/g) ?? []).length).toBe(4 * 3);
      expect(r.out).toContain('fgsm linf ε=0.15');
      expect(r.out).not.toContain('ε=0.3</figcaption>');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });

  it('HTML: chart, table and example images, escaped', async () => {
    const r = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.1,0.3',
      '--format',
      'html',
    );
    expect(r.code, errText()).toBe(0);
    expect(r.out).toMatch(/^<!DOCTYPE html>/);
    expect(r.out).toContain('<svg class="chart"');
    expect((r.out.match(/<polyline/g) ?? []).length).toBe(3); // clean, fgsm, worst case
    expect((r.out.match(/<img src="data:image\/png;base64,/g) ?? []).length).toBeGreaterThanOrEqual(3);
    expect(r.out).not.toContain('<script');
  });
});

describe('modelguard attack: files and exit codes', () => {
  it('--save-adversarial writes an npz numpy reads: x, y, x_adv within ε, fooled, eps', async () => {
    const npz = join(tmp.dir, 'adv.npz');
    const r = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.1,0.25',
      '--save-adversarial',
      npz,
      '--format',
      'json',
    );
    expect(r.code, errText()).toBe(0);
    const doc = JSON.parse(r.out) as AttackReport;
    expect(doc.adversarialFile).toBe(npz);
    const script = `
import json, sys, numpy as np
d = np.load(sys.argv[1])
x, xa = d['x'], d['x_adv']
print(json.dumps({'keys': sorted(d.files), 'shape': list(xa.shape), 'dtype': str(xa.dtype), 'ydtype': str(d['y'].dtype),
  'linf': float(np.abs(xa - x).max()), 'fooled': int(d['fooled'].sum()), 'eps': d['eps'].tolist(),
  'moved': int((np.abs(xa - x).reshape(len(x), -1).max(1) > 0).sum())}))`;
    const out = JSON.parse(execFileSync(PY, ['-c', script, npz], { encoding: 'utf8' })) as Record<
      string,
      unknown
    >;
    expect(out['keys']).toEqual([
      'eps',
      'fooled',
      'fooled_0',
      'fooled_1',
      'x',
      'x_adv',
      'x_adv_0',
      'x_adv_1',
      'y',
    ]);
    expect(out['shape']).toEqual([60, 1, 4, 4]);
    expect(out['dtype']).toBe('float32');
    expect(out['linf']).toBeLessThanOrEqual(0.25 + 1e-6);
    const last = doc.attacks.at(-1);
    expect(out['fooled']).toBe(last?.fooled);
    expect(out['moved']).toBe(last?.fooled); // only fooled points carry an adversarial example
    expect((out['eps'] as number[])[1]).toBeCloseTo(0.25, 6);
  });

  it('--fail-under: exit 1 below it, 0 at or above it, and it is in --help', async () => {
    const low = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.3',
      '--fail-under',
      '0.99',
      '--format',
      'json',
    );
    expect(low.code).toBe(1);
    expect(errText()).toContain('below --fail-under');
    const ok = await cli(
      'attack',
      MODEL,
      '--data',
      DATA,
      '--attack',
      'fgsm',
      '--eps',
      '0.3',
      '--fail-under',
      '0%',
      '--format',
      'json',
    );
    expect(ok.code).toBe(0);
    const help = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await run(['node', 'modelguard', 'attack', '--help'])).toBe(0);
      const text = help.mock.calls.map((c) => String(c[0])).join('');
      expect(text).toContain('--fail-under <acc>');
      expect(text).toContain('exit 1 when the robust accuracy is below ACC');
    } finally {
      help.mockRestore();
    }
  });

  it.each([
    ['no --data', ['attack', MODEL]],
    ['missing model', ['attack', join(tmp.dir, 'nope.onnx'), '--data', DATA]],
    ['bad ε', ['attack', MODEL, '--data', DATA, '--eps', '0.1,-1']],
    ['bad attack', ['attack', MODEL, '--data', DATA, '--attack', 'deepfool']],
    ['bad norm', ['attack', MODEL, '--data', DATA, '--norm', 'l1']],
    ['bad steps', ['attack', MODEL, '--data', DATA, '--steps', '0']],
    ['bad fail-under', ['attack', MODEL, '--data', DATA, '--fail-under', '1.5']],
    ['not a model', ['attack', DATA, '--data', DATA]],
    ['grad without --output', ['grad', MODEL, '--data', DATA]],
    ['grad bad loss', ['grad', MODEL, '--data', DATA, '--loss', 'hinge', '--output', join(tmp.dir, 'g.npy')]],
    [
      'grad logit out of range',
      ['grad', MODEL, '--data', DATA, '--loss', 'logit:3', '--output', join(tmp.dir, 'g.npy')],
    ],
  ])('%s → exit 2', async (_name, args) => {
    const code = await run(['node', 'modelguard', ...args, '--no-progress']);
    expect(code).toBe(2);
  });
});

describe('modelguard attack: progress', () => {
  it('draws a progress bar on a terminal, labelled with the attack and ε, and clears it', async () => {
    const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
    Object.defineProperty(process.stderr, 'isTTY', { value: true, configurable: true });
    try {
      const out = join(tmp.dir, 'progress.json');
      const code = await run([
        'node',
        'modelguard',
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'fgsm,square',
        '--eps',
        '0.1',
        '--format',
        'json',
        '--output',
        out,
      ]);
      expect(code).toBe(0);
    } finally {
      if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
      else delete (process.stderr as { isTTY?: boolean }).isTTY;
    }
    const text = errText();
    expect(text).toMatch(/\[#+\.*\] \d+\/120 fgsm ε=0\.1/);
    expect(text).toContain('120/120 square ε=0.1');
    expect(text).toContain('\r\x1b[2K');
  });
});

describe('modelguard grad', () => {
  it('writes per-sample CE gradients shaped like x that match the analytic gradient', async () => {
    const file = join(tmp.dir, 'grad.npy');
    const code = await run([
      'node',
      'modelguard',
      'grad',
      MODEL,
      '--data',
      DATA,
      '--limit',
      '9',
      '--batch-size',
      '4',
      '--output',
      file,
      '--no-progress',
    ]);
    expect(code, errText()).toBe(0);
    const script =
      'import sys, json, numpy as np; g = np.load(sys.argv[1]); print(json.dumps({"shape": list(g.shape), "dtype": str(g.dtype), "v": g.reshape(-1).tolist()}))';
    const out = JSON.parse(execFileSync(PY, ['-c', script, file], { encoding: 'utf8' })) as {
      shape: number[];
      dtype: string;
      v: number[];
    };
    expect(out.shape).toEqual([9, 1, 4, 4]);
    expect(out.dtype).toBe('float32');
    const { x, y } = dataset(60);
    for (let i = 0; i < 9; i++) {
      const want = ceGradient(x.data, i, y[i] as number);
      for (let p = 0; p < 16; p++) expect(out.v[i * 16 + p]).toBeCloseTo(want[p] as number, 5);
    }
  });

  it('logit:K writes the class-K weights; a model without gradients is an error naming why', async () => {
    const file = join(tmp.dir, 'logit.npy');
    expect(
      await run([
        'node',
        'modelguard',
        'grad',
        MODEL,
        '--data',
        DATA,
        '--loss',
        'logit:2',
        '--limit',
        '2',
        '--output',
        file,
        '--no-progress',
      ]),
    ).toBe(0);
    const v = execFileSync(
      PY,
      ['-c', 'import sys, numpy as np; print(np.load(sys.argv[1])[1].reshape(-1).tolist())', file],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(v)).toEqual([
      -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, -0.5, 1, 1, 1, 1,
    ]);
    setAttackRuntime(fakeRuntime({ gradients: false }));
    try {
      expect(
        await run(['node', 'modelguard', 'grad', MODEL, '--data', DATA, '--output', file, '--no-progress']),
      ).toBe(2);
      expect(errText()).toContain('Einsum');
    } finally {
      setAttackRuntime(fakeRuntime());
    }
  });
});

describe('modelguard attack and grad: --threads and --execution-provider', () => {
  function spying(): { calls: unknown[][]; restore: () => void } {
    const rt = fakeRuntime();
    const calls: unknown[][] = [];
    setAttackRuntime({
      ...rt,
      loadModel: (...args) => {
        calls.push(args);
        return rt.loadModel(...args);
      },
    });
    return { calls, restore: () => setAttackRuntime(fakeRuntime()) };
  }

  it('reach the model loader as { threads, executionProviders }; absent flags pass nothing', async () => {
    const spy = spying();
    try {
      const r = await cli(
        'attack',
        MODEL,
        '--data',
        DATA,
        '--attack',
        'fgsm',
        '--threads',
        '3',
        '--execution-provider',
        'cuda, CPU',
        '--format',
        'json',
      );
      expect(r.code, errText()).toBe(0);
      const g = await run([
        'node',
        'modelguard',
        'grad',
        MODEL,
        '--data',
        DATA,
        '--limit',
        '2',
        '--threads',
        '2',
        '--execution-provider',
        'cpu',
        '--output',
        join(tmp.dir, 'threads.npy'),
        '--no-progress',
      ]);
      expect(g, errText()).toBe(0);
      expect(
        await cli('attack', MODEL, '--data', DATA, '--attack', 'fgsm', '--format', 'json'),
      ).toMatchObject({
        code: 0,
      });
      expect(spy.calls.map((c) => c[3])).toEqual([
        { threads: 3, executionProviders: ['cuda', 'cpu'] },
        { threads: 2, executionProviders: ['cpu'] },
        {},
      ]);
      expect(spy.calls[0]?.slice(0, 2)).toEqual([MODEL, 'onnx']);
    } finally {
      spy.restore();
    }
  });

  it.each([
    [['--threads', '0'], '--threads must be an integer ≥ 1'],
    [['--threads', 'two'], '--threads must be an integer ≥ 1'],
    [['--threads', '1.5'], '--threads must be an integer ≥ 1'],
    [['--execution-provider', 'cdua'], '--execution-provider must list cpu, cuda'],
    [['--execution-provider', 'cuda,'], '--execution-provider must list'],
    [['--execution-provider', ''], '--execution-provider must list'],
    [['--execution-provider', 'cpu,cpu'], 'names a provider twice'],
  ])('%j is a usage error (exit 2) for attack and grad, before any model loads', async (flags, message) => {
    const spy = spying();
    try {
      const a = await cli('attack', MODEL, '--data', DATA, '--attack', 'fgsm', ...flags);
      expect(a.code).toBe(2);
      const g = await run([
        'node',
        'modelguard',
        'grad',
        MODEL,
        '--data',
        DATA,
        ...flags,
        '--output',
        join(tmp.dir, 'bad.npy'),
        '--no-progress',
      ]);
      expect(g).toBe(2);
      expect(errText().split(message).length - 1).toBe(2);
      expect(spy.calls).toEqual([]);
    } finally {
      spy.restore();
    }
  });

  it('apply to ONNX models only: given for a TF.js model.json they are a usage error', async () => {
    const r = await cli('attack', TFJS, '--data', DATA, '--attack', 'fgsm', '--threads', '2');
    expect(r.code).toBe(2);
    expect(errText()).toContain('--threads and --execution-provider apply to ONNX models');
  });

  it('are in --help of both commands', async () => {
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (const command of ['attack', 'grad']) {
        out.mockClear();
        expect(await run(['node', 'modelguard', command, '--help'])).toBe(0);
        const help = out.mock.calls.map((c) => String(c[0])).join('');
        expect(help).toContain('--threads <n>');
        expect(help).toContain('--execution-provider <list>');
      }
    } finally {
      out.mockRestore();
    }
  });
});
