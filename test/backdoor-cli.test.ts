import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { Command, CommanderError } from 'commander';
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { registerBackdoor } from '../src/cli/backdoor.js';
import { UsageError } from '../src/cli/errors.js';
import { writeNpz } from '../src/ml/npy.js';
import type { BackdoorReport } from '../src/report/backdoor/types.js';
import { POISON_FIXTURES, poisonMeta } from './defenses/poison-support.js';
import { tempDir } from './support/temp.js';
import { savedConvModel } from './support/tfjs-conv.js';

/**
 * `modelguard backdoor` (Neural Cleanse) end to end on the poison fixtures with a fixed seed: each trojaned
 * digits CNN gets its target class flagged with an anomaly index above 2, and the clean twin flags nothing.
 * The first 200 clean test digits keep each run to a few seconds.
 */
const tmp = tempDir('modelguard-backdoor-cli-');
const FIX = new URL('./fixtures/', import.meta.url).pathname;
const CLEAN = join(POISON_FIXTURES, 'clean_test.npz');
const META = poisonMeta();
const LIMIT = '200';

const schema = JSON.parse(readFileSync(new URL('../schemas/backdoor.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());
const errText = () => stderr.mock.calls.map((c) => String(c[0])).join('');

/** The command alone, run the way cli/main.ts runs every command (usage errors exit 2). */
async function runBackdoorCli(args: readonly string[]): Promise<number> {
  let code = 0;
  const program = new Command('modelguard').exitOverride();
  registerBackdoor(program, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(['node', 'modelguard', 'backdoor', ...args]);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError) {
      process.stderr.write(`modelguard: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

let counter = 0;
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const file = join(tmp.dir, `out-${counter++}`);
  const code = await runBackdoorCli([...args, '--output', file]);
  let out = '';
  try {
    out = readFileSync(file, 'utf8');
  } catch {}
  return { code, out };
}

async function json(model: string, ...args: string[]): Promise<{ code: number; report: BackdoorReport }> {
  const { code, out } = await cli(
    model,
    '--data',
    CLEAN,
    '--limit',
    LIMIT,
    '--seed',
    '0',
    '-f',
    'json',
    ...args,
  );
  expect(out, errText()).not.toBe('');
  const report = JSON.parse(out) as BackdoorReport;
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  return { code, report };
}

const TROJANED = Object.entries(META.sets).map(([name, set]) => ({
  name,
  model: join(POISON_FIXTURES, set!.model),
  target: set!.target,
}));

describe('modelguard backdoor on the trojaned digits CNNs', () => {
  it('has the four trojaned fixtures (badnets, diag7, patch3, line5)', () => {
    expect(TROJANED.map((t) => [t.name, t.target])).toEqual([
      ['badnets', 0],
      ['diag7', 7],
      ['patch3', 3],
      ['line5', 5],
    ]);
  });

  it.each(TROJANED)('$name: flags its target class $target alone (anomaly index > 2), exit 1', async (t) => {
    const { code, report } = await json(t.model);
    expect(code).toBe(1);
    expect(report.flagged).toEqual([t.target]);
    const target = report.classes.find((c) => c.class === t.target)!;
    expect(target.anomalyIndex).toBeGreaterThan(2);
    expect(target.reached).toBe(true);
    expect(target.maskL1).toBeLessThan(report.median);
    // The stamped reversed trigger sends most clean digits of other classes to the target.
    expect(target.asr).toBeGreaterThan(0.9);
    expect(report.classes.map((c) => c.class)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(report.data).toEqual({ path: CLEAN, format: 'npz', samples: 200 });
    expect(report.settings).toEqual({ steps: 200, batch: 32, samples: 200, seed: 0, checkAsr: true });
    expect(report.geometry).toEqual({ height: 8, width: 8, channels: 1, layout: 'NCHW' });
  });
});

describe('modelguard backdoor on the clean twin', () => {
  it('flags nothing (exit 0); every class below 2 on the small side', async () => {
    const { code, report } = await json(join(POISON_FIXTURES, META.clean.model));
    expect(code).toBe(0);
    expect(report.flagged).toEqual([]);
    for (const c of report.classes) {
      expect(c.flagged).toBe(false);
      if (c.maskL1 < report.median) expect(c.anomalyIndex).toBeLessThanOrEqual(2);
      expect(c.asr).toBeUndefined();
    }
  });
});

describe('modelguard backdoor output and options', () => {
  const MODEL = join(POISON_FIXTURES, META.sets.badnets.model);

  it('--classes, --steps and --no-check-asr; text and HTML reports', async () => {
    const args = [
      MODEL,
      '--data',
      CLEAN,
      '--limit',
      '64',
      '--classes',
      '0,1,2',
      '--steps',
      '5',
      '--no-check-asr',
    ];
    const { report } = await json(args[0]!, ...args.slice(1));
    expect(report.classes.map((c) => c.class)).toEqual([0, 1, 2]);
    expect(report.classes.every((c) => c.steps <= 5)).toBe(true);
    expect(report.settings.checkAsr).toBe(false);
    expect(report.classes.some((c) => c.asr !== undefined)).toBe(false);
    expect(report.warnings.join(' ')).not.toContain('classes examined');

    const text = await cli(...args, '-f', 'text');
    expect(text.out).toContain('modelguard backdoor');
    expect(text.out).toMatch(/^ {2}0 +\d+\.\d\d +\d+\.\d\d/m);
    const page = await cli(...args, '-f', 'html');
    expect(page.out).toContain('<svg class="chart"');
    expect(page.out.match(/<rect class="bar/g)).toHaveLength(3);
    // Mask, pattern and mask ⊙ pattern for each of the three classes.
    expect(page.out.match(/<img src="data:image\/png;base64,/g)).toHaveLength(9);
  });

  it('--threads 1 (one in-thread session) gives the same report as the default worker threads', async () => {
    const args = ['--data', CLEAN, '--limit', '48', '--classes', '0,1', '--steps', '3', '--no-check-asr'];
    const a = await json(MODEL, ...args);
    const b = await json(MODEL, ...args, '--threads', '1');
    // Same steps on the same batches; only float summation order may differ between the two set-ups.
    for (const [i, c] of b.report.classes.entries())
      expect(c.maskL1).toBeCloseTo(a.report.classes[i]!.maskL1, 2);
    expect((await cli(MODEL, ...args, '--threads', 'two')).code).toBe(2);
  });

  it('warns when too few classes are examined', async () => {
    const { report } = await json(MODEL, '--classes', '4,0', '--steps', '2', '--no-check-asr');
    expect(report.classes.map((c) => c.class)).toEqual([4, 0]);
    expect(report.warnings.join(' ')).toContain('only 2 classes examined');
  });
});

describe('modelguard backdoor on a TF.js LayersModel with NHWC colour input', () => {
  let modelJson = '';
  let dataFile = '';
  beforeAll(async () => {
    const saved = await savedConvModel(tmp.dir, [6, 6, 3], 4, 5);
    const { rand } = saved;
    modelJson = saved.modelJson;
    const n = 24;
    dataFile = join(tmp.dir, 'rgb.npz');
    writeNpz(dataFile, {
      x: { data: Float32Array.from({ length: n * 108 }, () => rand()), shape: [n, 6, 6, 3] },
      y: Int32Array.from({ length: n }, (_, i) => i % 4),
    });
  }, 60_000);

  it('runs through the TF.js gradients; the mask covers H×W and the pattern has 3 channels', async () => {
    const { code, out } = await cli(
      modelJson,
      '--data',
      dataFile,
      '--steps',
      '3',
      '--batch',
      '8',
      '-f',
      'json',
    );
    expect([0, 1], errText()).toContain(code);
    const r = JSON.parse(out) as BackdoorReport;
    expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
    expect(r.model).toMatchObject({ format: 'tfjs', classes: 4, inputShape: [6, 6, 3] });
    expect(r.geometry).toEqual({ height: 6, width: 6, channels: 3, layout: 'NHWC' });
    expect(r.classes).toHaveLength(4);
    for (const c of r.classes) {
      expect(c.maskL1).toBeGreaterThan(0);
      expect(c.maskL1).toBeLessThanOrEqual(36);
      expect(c.steps).toBeLessThanOrEqual(3);
    }
    const page = await cli(modelJson, '--data', dataFile, '--steps', '2', '--classes', '1', '-f', 'html');
    expect(page.out.match(/<img src="data:image\/png;base64,/g)).toHaveLength(3);
  });
});

describe('modelguard backdoor errors (exit 2, a message naming the problem)', () => {
  const MODEL = join(POISON_FIXTURES, META.sets.badnets.model);
  it.each([
    ['no --data', [MODEL], '--data is required'],
    ['a missing model', [join(tmp.dir, 'nope.onnx'), '--data', CLEAN], 'no such model'],
    ['a missing dataset', [MODEL, '--data', join(tmp.dir, 'nope.npz')], 'no such data'],
    [
      'a class outside the model',
      [MODEL, '--data', CLEAN, '--classes', '3,10'],
      "outside the model's 10 classes",
    ],
    ['a class listed twice', [MODEL, '--data', CLEAN, '--classes', '3,3'], 'twice'],
    ['a bad class list', [MODEL, '--data', CLEAN, '--classes', '1,x'], '--classes must be'],
    ['zero steps', [MODEL, '--data', CLEAN, '--steps', '0'], '--steps must be an integer ≥ 1'],
    ['too many steps', [MODEL, '--data', CLEAN, '--steps', '99999'], 'limit'],
    ['a bad batch', [MODEL, '--data', CLEAN, '--batch', '-3'], '--batch'],
    ['labels out of range', [MODEL, '--data', join(FIX, 'datasets/bad/negative-y.npz')], 'cannot load data'],
    [
      'x and y of different lengths',
      [MODEL, '--data', join(FIX, 'datasets/bad/length-mismatch.npz')],
      'cannot load data',
    ],
    ['non-finite pixels', [MODEL, '--data', join(FIX, 'datasets/bad/nan-x.npz')], 'nan-x.npz'],
    [
      'samples of the wrong shape',
      [MODEL, '--data', join(FIX, 'data/breast_cancer_flipped.csv')],
      'data samples have shape [30]',
    ],
    ['a model that is no model', [CLEAN, '--data', CLEAN], 'cannot load model'],
  ])('%s', async (_what, args, message) => {
    expect((await cli(...(args as string[]))).code).toBe(2);
    expect(errText()).toContain(message);
  });
});
