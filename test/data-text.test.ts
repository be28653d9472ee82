import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { run } from '../src/cli/main.js';
import type { DataReport } from '../src/report/data/types.js';
import { precisionRecall } from './defenses/poison-support.js';
import { tempDir } from './support/temp.js';

/**
 * `modelguard data` on the committed text fixture (test/fixtures/data/text_flipped.jsonl, made by
 * scripts/fixtures/make_text_fixtures.py): 606 synthetic texts of four topics, 61 labels (10%) flipped to
 * another topic, and 6 planted near-duplicate pairs. The texts are synthetic (templated sentences; no text
 * corpus ships with scikit-learn offline), see test/fixtures/data/README.md.
 *
 * Measured at seed 0 with the default settings: the label check (5-fold logistic regression on 512 hashed
 * word features) flags 63 texts, 55 of them flipped: precision 0.873, recall 0.902 (seeds 1 and 2: 0.824 /
 * 0.918 and 0.869 / 0.869). The tabular target (≥ 0.8 / 0.8) holds on all three seeds. (Before the hashed
 * text features were exempted from the random projection meant for pixels: 0.711 / 0.885.)
 */
const tmp = tempDir('modelguard-data-text-');
const FIX = new URL('./fixtures/data/', import.meta.url).pathname;
const JSONL = join(FIX, 'text_flipped.jsonl');
const TRUTH: {
  n: number;
  classes: string[];
  flipped: number[];
  trueTopics: string[];
  nearDuplicates: [number, number][];
} = JSON.parse(readFileSync(join(FIX, 'text_flipped.json'), 'utf8'));

const schema = JSON.parse(readFileSync(new URL('../schemas/data.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

let counter = 0;
async function report(...args: string[]): Promise<DataReport> {
  const file = join(tmp.dir, `out-${counter++}.json`);
  const code = await run(['node', 'modelguard', 'data', ...args, '-f', 'json', '--output', file]);
  expect(code, stderr.mock.calls.map((c) => String(c[0])).join('')).toBe(0);
  const r = JSON.parse(readFileSync(file, 'utf8'));
  expect(validate(r), JSON.stringify(validate.errors)).toBe(true);
  return r;
}

describe('modelguard data on the label-flipped text set', () => {
  it('finds the flipped labels from hashed words of the text column', async () => {
    const r = await report(JSONL, '--text', 'body', '--label', 'topic');
    expect(r.dataset).toMatchObject({ format: 'jsonl', samples: TRUTH.n, classes: 4, sampleShape: [] });
    expect(r.dataset.classNames).toEqual(TRUTH.classes);
    expect(r.summaries.labels?.parameters.features).toBe('hashed-text');
    const labelled = r.suspects.filter((s) => s.reasons.includes('label-issue')).map((s) => s.index);
    const pr = precisionRecall(labelled, TRUTH.flipped);
    // Every suspect carries its text (these are all under the 200-character excerpt).
    const bodies = readFileSync(JSONL, 'utf8')
      .trim()
      .split('\n')
      .map((l) => String(JSON.parse(l).body));
    for (const sus of r.suspects)
      expect(sus.text).toBe(
        bodies[sus.index]!.length <= 200 ? bodies[sus.index] : `${bodies[sus.index]!.slice(0, 199)}…`,
      );
    // Measured (seed 0): precision 0.873 (55 of 63), recall 0.902 (55 of 61).
    expect(pr.recall).toBeGreaterThanOrEqual(0.8);
    expect(pr.precision).toBeGreaterThanOrEqual(0.8);
    // The suggested label of a found flip is mostly its true topic.
    const issues = r.summaries.labels!.issues.filter((i) => TRUTH.flipped.includes(i.index));
    const right = issues.filter((i) => TRUTH.classes[i.suggested] === TRUTH.trueTopics[i.index]);
    expect(right.length / issues.length).toBeGreaterThanOrEqual(0.9);
  });

  it('numeric fields beside the text column add to the hashed words instead of replacing them', async () => {
    // A numeric id and the text length: before, the label check used only these and fell below chance.
    const lines = readFileSync(JSONL, 'utf8').trim().split('\n');
    const withIds = lines.map((l, i) => {
      const o = JSON.parse(l);
      return JSON.stringify({ ...o, id: i, len: String(o.body).length });
    });
    const file = tmp.write('with-ids.jsonl', `${withIds.join('\n')}\n`);
    const r = await report(file, '--text', 'body', '--label', 'topic');
    expect(r.summaries.labels?.parameters).toMatchObject({ features: 'features+hashed-text', dims: 514 });
    const labelled = r.suspects.filter((s) => s.reasons.includes('label-issue')).map((s) => s.index);
    // Measured (seed 0): precision 0.875, recall 0.918.
    const pr = precisionRecall(labelled, TRUTH.flipped);
    expect(pr.precision).toBeGreaterThanOrEqual(0.8);
    expect(pr.recall).toBeGreaterThanOrEqual(0.8);
  });

  it('finds exactly the planted near-duplicate texts by MinHash', async () => {
    const r = await report(JSONL, '--text', 'body', '--label', 'topic', '--checks', 'duplicates');
    const d = r.summaries.duplicates!;
    expect(d.parameters.mode).toBe('text');
    expect(d.exactGroups).toBe(0);
    expect(d.conflictingGroups).toBe(0);
    expect(d.groups.map((g) => g.indices)).toEqual(TRUTH.nearDuplicates);
    for (const g of d.groups) expect(g.kind).toBe('near');
    // The later member of each pair is the suspect.
    expect(r.suspects.map((s) => s.index).sort((a, b) => a - b)).toEqual(
      TRUTH.nearDuplicates.map((p) => p[1]).sort((a, b) => a - b),
    );
    for (const s of r.suspects) expect(s.reasons).toEqual(['near-duplicate']);
  });

  it('a flipped copy of a near duplicate is a conflicting duplicate', async () => {
    // The first planted pair, the copy relabelled to another topic, appended to the set.
    const [a, b] = TRUTH.nearDuplicates[0]!;
    const lines = readFileSync(JSONL, 'utf8').trimEnd().split('\n');
    const copy = JSON.parse(lines[b]!) as { id: string; body: string; topic: string };
    const other = TRUTH.classes.find((c) => c !== copy.topic)!;
    const file = tmp.write(
      'conflict.jsonl',
      `${[...lines, JSON.stringify({ ...copy, topic: other })].join('\n')}\n`,
    );
    const r = await report(file, '--text', 'body', '--label', 'topic', '--checks', 'duplicates');
    const d = r.summaries.duplicates!;
    expect(d.conflictingGroups).toBe(1);
    const conflict = d.groups.find((g) => g.conflicting)!;
    expect(conflict.indices).toEqual([a, b, TRUTH.n]);
    expect(conflict.kind).toBe('near');
  });
});
