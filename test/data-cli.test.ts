import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import pngjs from 'pngjs';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { emptyClasses } from '../src/cli/data.js';
import { csvRecordTexts, jsonlRecordTexts } from '../src/cli/data-export.js';
import { run } from '../src/cli/main.js';
import { loadDataset } from '../src/ml/data/index.js';
import { writeNpz } from '../src/ml/npy.js';
import type { DataReport } from '../src/report/data/types.js';
import { poisonMeta, precisionRecall } from './defenses/poison-support.js';
import { tempDir } from './support/temp.js';

/**
 * `modelguard data` in-process through run(argv) on the committed fixtures: the label-flipped breast-cancer
 * table (test/fixtures/data) and the BadNets digits with their trojaned CNN (test/fixtures/poison).
 */
const tmp = tempDir('modelguard-data-cli-');
const FIX = new URL('./fixtures/', import.meta.url).pathname;
const CSV = join(FIX, 'data/breast_cancer_flipped.csv');
const FLIPPED: number[] = JSON.parse(
  readFileSync(join(FIX, 'data/breast_cancer_flipped.json'), 'utf8'),
).flipped;
const BADNETS = poisonMeta().sets.badnets;
const NPZ = join(FIX, 'poison', BADNETS.train);
const MODEL = join(FIX, 'poison', BADNETS.model);

const schema = JSON.parse(readFileSync(new URL('../schemas/data.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());
const errText = () => stderr.mock.calls.map((c) => String(c[0])).join('');

let counter = 0;
async function cli(...args: string[]): Promise<{ code: number; out: string }> {
  const file = join(tmp.dir, `out-${counter++}`);
  const code = await run(['node', 'modelguard', 'data', ...args, '--output', file]);
  let out = '';
  try {
    out = readFileSync(file, 'utf8');
  } catch {}
  return { code, out };
}

async function json(...args: string[]): Promise<DataReport> {
  const { code, out } = await cli(...args, '--format', 'json');
  expect(code, errText()).toBe(0);
  const report = JSON.parse(out);
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  return report;
}

describe('modelguard data on the label-flipped table', () => {
  it('flags the flipped rows (precision and recall ≥ 0.8), as schema-valid JSON', async () => {
    const r = await json(CSV);
    expect(r.dataset).toMatchObject({ format: 'csv', samples: 569, classes: 2, sampleShape: [30] });
    expect(r.checks).toEqual(['labels', 'duplicates', 'outliers', 'balance']);
    expect(r.model).toBeNull();
    const labelled = r.suspects.filter((s) => s.reasons.includes('label-issue')).map((s) => s.index);
    const pr = precisionRecall(labelled, FLIPPED);
    expect(pr.precision).toBeGreaterThanOrEqual(0.8);
    expect(pr.recall).toBeGreaterThanOrEqual(0.8);
    expect(r.summaries.labels?.flagged).toBe(labelled.length);
    // Suspects come highest score first, each score in [0, 1].
    const scores = r.suspects.map((s) => s.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    expect(r.summaries.balance?.classes.map((c) => c.count)).toEqual([215, 354]);
    const perClass = r.summaries.balance!.classes.reduce((a, c) => a + c.suspects, 0);
    expect(perClass).toBe(r.suspects.length);
  });

  it('--export-clean writes the table without the suspects, and it loads back', async () => {
    const clean = join(tmp.dir, 'clean.csv');
    const r = await json(CSV, '--export-clean', clean, '--checks', 'labels');
    const dropped = new Set(r.suspects.map((s) => s.index));
    expect(r.exportClean).toEqual({ path: clean, kept: 569 - dropped.size, removed: dropped.size });
    const before = await loadDataset(CSV);
    const after = await loadDataset(clean);
    expect(after.y.length).toBe(569 - dropped.size);
    const kept = Array.from(before.y.keys()).filter((i) => !dropped.has(i));
    expect(Array.from(after.y)).toEqual(kept.map((i) => before.y[i]));
    // The rows are the original text: the first kept row is byte for byte the source's.
    const src = csvRecordTexts(readFileSync(CSV, 'utf8'));
    expect(csvRecordTexts(readFileSync(clean, 'utf8'))[1]).toBe(src[kept[0]! + 1]);
  });

  it('--export-clean keeps JSONL lines too', async () => {
    const lines = [
      '{"text":"a b c","label":"x"}',
      '',
      '{"text":"d e f","label":"y"}',
      '{"text":"a b c","label":"x"}',
    ];
    const file = tmp.write('t.jsonl', `${lines.join('\n')}\n`);
    const clean = join(tmp.dir, 'clean.jsonl');
    const r = await json(file, '--checks', 'duplicates', '--export-clean', clean);
    expect(r.suspects.map((s) => [s.index, s.reasons])).toEqual([[2, ['duplicate']]]);
    expect(readFileSync(clean, 'utf8')).toBe(`${lines[0]}\n${lines[2]}\n`);
    expect(jsonlRecordTexts(readFileSync(file, 'utf8'))).toHaveLength(3);
  });

  it('text output lists the checks and the top suspects; --fail-on-suspects gives exit 1', async () => {
    const { code, out } = await cli(CSV, '--checks', 'labels,balance', '--fail-on-suspects', '10');
    expect(code).toBe(1);
    expect(out).toMatch(/labels\s+\d+ label issues/);
    expect(out).toMatch(/Suspects: \d+ of 569 samples/);
    expect(out).toContain('label-issue');
    expect((await cli(CSV, '--checks', 'balance', '--fail-on-suspects', '0')).code).toBe(0);
  });
});

describe('modelguard data --model on the BadNets digits', () => {
  it('flags mostly poisoned samples, from the penultimate embedding and the spectral detector', async () => {
    const clean = join(tmp.dir, 'clean.npz');
    // Duplicates are left out: 8×8 digits are too small for perceptual hashes (see docs/data.md).
    const r = await json(
      NPZ,
      '--model',
      MODEL,
      '--checks',
      'labels,outliers,balance,spectral',
      '--export-clean',
      clean,
    );
    expect(r.model).toMatchObject({ embeddingLayer: '/Relu_2_output_0', embeddingDims: 64 });
    expect(r.summaries.labels?.parameters.features).toBe('embeddings');
    expect(r.summaries.spectral).toMatchObject({ detector: 'spectral-whitened', layer: '/Flatten_output_0' });
    const pr = precisionRecall(
      r.suspects.map((s) => s.index),
      BADNETS.poisonIndices,
    );
    expect(pr.recall).toBeGreaterThanOrEqual(0.9);
    expect(pr.precision).toBeGreaterThanOrEqual(0.8);
    const back = await loadDataset(clean);
    expect(back.x.shape).toEqual([1347 - r.suspects.length, 1, 8, 8]);
  }, 30_000);

  it('--checks clustering runs Activation Clustering on the same layer', async () => {
    const r = await json(NPZ, '--model', MODEL, '--checks', 'clustering', '--limit', '600');
    expect(r.checks).toEqual(['clustering']);
    expect(r.dataset.samples).toBe(600);
    const c = r.summaries.clustering!;
    expect(c).toMatchObject({ detector: 'activation-clustering', layer: '/Flatten_output_0' });
    expect(c.classes).toHaveLength(10);
    expect(r.suspects.map((s) => s.index).sort((a, b) => a - b)).toEqual(c.indices);
    for (const s of r.suspects) expect(s.reasons).toEqual(['activation-clustering']);
  }, 20_000);

  it('the HTML report draws the flagged samples as images', async () => {
    const { code, out } = await cli(
      NPZ,
      '--checks',
      'labels,outliers,balance',
      '--format',
      'html',
      '--limit',
      '400',
    );
    expect(code, errText()).toBe(0);
    const flagged = Number(/<span class="n">(\d+)<\/span><span class="l">suspects/.exec(out)?.[1]);
    expect(flagged).toBeGreaterThan(0);
    const images = out.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+"/g) ?? [];
    expect(images.length).toBe(Math.min(48, flagged));
    expect(out).toContain('id="classes"');
    expect(out).toMatch(/Content-Security-Policy" content="default-src 'none'/);
  });
});

/** A 16×16 RGB PNG of seeded noise (pixel blocks of 4×4, so the perceptual hash sees it). */
function png(seed: number): Buffer {
  let state = seed * 2654435761 + 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state >>> 24;
  };
  const blocks = Array.from({ length: 16 }, () => [next(), next(), next()]);
  const p = new pngjs.PNG({ width: 16, height: 16 });
  for (let y = 0; y < 16; y++)
    for (let x = 0; x < 16; x++) p.data.set([...blocks[(y >> 2) * 4 + (x >> 2)]!, 255], (y * 16 + x) * 4);
  return pngjs.PNG.sync.write(p);
}

describe('modelguard data on an image folder', () => {
  it('finds an image filed under two classes and draws the suspects', async () => {
    for (let i = 0; i < 6; i++) {
      tmp.write(`imgs/red/r${i}.png`, png(i));
      tmp.write(`imgs/blue/b${i}.png`, png(100 + i));
    }
    tmp.write('imgs/blue/copy.png', png(2));
    const dir = join(tmp.dir, 'imgs');
    const r = await json(dir, '--checks', 'duplicates,balance');
    expect(r.dataset).toMatchObject({ format: 'image-folder', samples: 13, sampleShape: [3, 16, 16] });
    expect(r.dataset.classNames).toEqual(['blue', 'red']);
    expect(r.summaries.duplicates?.conflictingGroups).toBe(1);
    expect(r.suspects.map((s) => s.reasons)).toEqual([['conflicting-duplicate'], ['conflicting-duplicate']]);
    const { code, out } = await cli(dir, '--checks', 'duplicates,balance', '--format', 'html');
    expect(code).toBe(0);
    expect(out.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(out).toContain('conflicting-duplicate');
    const clean = join(tmp.dir, 'imgs-clean.npz');
    await json(dir, '--checks', 'duplicates', '--export-clean', clean);
    expect((await loadDataset(clean)).x.shape).toEqual([11, 3, 16, 16]);
  });
});

describe('--export-clean record splitting', () => {
  it('splits CSV as the loader does: quoted newlines and quotes, CRLF, BOM, blank lines', async () => {
    const text = '\ufeffa,text,label\r\n1,"two\nlines, ""quoted""",x\r\n\r\n2,plain,y\n""\n3,"",x';
    expect(csvRecordTexts(text)).toEqual([
      'a,text,label\r\n',
      '1,"two\nlines, ""quoted""",x\r\n',
      '2,plain,y\n',
      '3,"",x',
    ]);
    const file = tmp.write('q.csv', text);
    const ds = await loadDataset(file, { text: 'text' });
    expect(ds.texts).toEqual(['two\nlines, "quoted"', 'plain', '']);
    const clean = join(tmp.dir, 'q-clean.csv');
    const r = await json(file, '--text', 'text', '--checks', 'balance', '--export-clean', clean);
    expect(r.suspects).toEqual([]);
    expect(readFileSync(clean, 'utf8')).toBe(
      'a,text,label\r\n1,"two\nlines, ""quoted""",x\r\n2,plain,y\n3,"",x\n',
    );
    expect((await loadDataset(clean, { text: 'text' })).texts).toEqual(ds.texts);
  });
});

describe('modelguard data errors (exit 2, a message naming the problem)', () => {
  it.each([
    ['a ragged CSV row', 'a,b,label\n1,2,0\n1,0\n', 'ragged row'],
    ['a non-numeric feature', 'a,label\n1,0\nx,1\n', "feature 'a' is not a finite number"],
    ['a table without rows', 'a,label\n', 'no data rows'],
  ])('%s', async (_what, text, message) => {
    const file = tmp.write(`bad-${counter++}.csv`, text);
    expect((await cli(file)).code).toBe(2);
    expect(errText()).toContain(message);
  });

  it('an npz whose x and y lengths differ', async () => {
    expect((await cli(join(FIX, 'datasets/bad/length-mismatch.npz'))).code).toBe(2);
    expect(errText()).toMatch(/cannot load dataset .*length-mismatch\.npz/);
  });

  it('an npz whose labels skip a class (empty class) is refused; gaps only above the highest label are fine', async () => {
    const gap = join(tmp.dir, 'gap.npz');
    const x = { data: Float32Array.from({ length: 8 * 4 }, (_, i) => (i * 37) % 11), shape: [8, 4] };
    writeNpz(gap, { x, y: Int32Array.from([0, 0, 2, 2, 0, 2, 0, 2]) });
    expect((await cli(gap)).code).toBe(2);
    expect(errText()).toMatch(/class 1 has no samples \(empty class\)/);
    expect(emptyClasses(Int32Array.from([0, 3, 3]))).toEqual([1, 2]);
    expect(emptyClasses(Int32Array.from([0, 1, 1]))).toEqual([]);
  });

  it('--threads and --execution-provider reach the model; bad values and no model are usage errors', async () => {
    const ok = await cli(
      NPZ,
      '--model',
      MODEL,
      '--checks',
      'balance,spectral',
      '--threads',
      '1',
      '--limit',
      '300',
    );
    expect(ok.code).toBe(0);
    expect((await cli(NPZ, '--model', MODEL, '--threads', '0')).code).toBe(2);
    expect(errText()).toContain('--threads');
    expect((await cli(NPZ, '--model', MODEL, '--execution-provider', 'gpu9')).code).toBe(2);
    expect((await cli(CSV, '--threads', '2')).code).toBe(2);
    expect(errText()).toContain('give --model');
  });

  it('bad flags', async () => {
    expect((await cli(CSV, '--checks', 'spectral')).code).toBe(2);
    expect(errText()).toContain('--checks spectral needs --model');
    expect((await cli(CSV, '--checks', 'nope')).code).toBe(2);
    expect((await cli(CSV, '--folds', '1')).code).toBe(2);
    expect((await cli(join(tmp.dir, 'missing.csv'))).code).toBe(2);
    expect(errText()).toContain('no such dataset');
    writeFileSync(join(tmp.dir, 'x.txt'), 'hello');
    expect((await cli(join(tmp.dir, 'x.txt'))).code).toBe(2);
  });

  it('samples that do not fit the model', async () => {
    expect((await cli(CSV, '--model', MODEL, '--checks', 'spectral')).code).toBe(2);
    expect(errText()).toMatch(
      /data samples have shape \[30\] but the model takes \[1, 8, 8\]|cannot load dataset/,
    );
  });
});
