/**
 * The hostile corpus: every catalogue sample (test/corpus/catalogue.ts) and every file under
 * test/fixtures/malicious/ (made by torch.save / joblib.dump / numpy.save, never loaded) is written or
 * named, scanned with scanPaths, and held to its expectation (test/corpus/check.ts). One test per sample,
 * so a run lists every sample the scanner misses, with what it reported.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import { SAMPLES } from './corpus/catalogue.js';
import { checkReport, describeReport } from './corpus/check.js';
import type { CorpusSample } from './corpus/types.js';
import { tempDir } from './support/temp.js';

const tmp = tempDir('modelguard-corpus-');
const MALICIOUS_DIR = join(import.meta.dirname, 'fixtures', 'malicious');

/** Writes a sample under its own folder (so names like pytorch_model.bin can repeat); returns the scan target. */
function materialise(sample: CorpusSample): { target: string; files: number } {
  if (sample.kind === 'directory') {
    const files = sample.buildFiles();
    for (const f of files) tmp.write(join(sample.id, sample.fileName, f.name), f.data);
    return { target: join(tmp.dir, sample.id, sample.fileName), files: files.length };
  }
  return { target: tmp.write(join(sample.id, sample.fileName), sample.build()), files: 1 };
}

describe('corpus catalogue', () => {
  it('has unique ids that start with their technique id', () => {
    const ids = SAMPLES.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of SAMPLES) expect(s.id.startsWith(`${s.technique}-`), s.id).toBe(true);
  });

  it('covers every pickle/PyTorch/joblib/NumPy/archive technique T01–T46', () => {
    const covered = new Set(SAMPLES.map((s) => s.technique));
    const missing: string[] = [];
    for (let n = 1; n <= 46; n++) {
      const t = `T${String(n).padStart(2, '0')}`;
      if (!covered.has(t)) missing.push(t);
    }
    expect(missing).toEqual([]);
  });

  it('builds the same bytes every time', () => {
    for (const s of SAMPLES) {
      if (s.kind === 'file') expect(Buffer.from(s.build()).equals(Buffer.from(s.build())), s.id).toBe(true);
    }
  });
});

describe('corpus samples', () => {
  it.each(SAMPLES.map((s) => [s.id, s] as const))('%s', async (_id, sample) => {
    const { target, files } = materialise(sample);
    const report = await scanPaths([target], { failOn: 'never' });
    const problems = checkReport(report, sample.expect, sample.mustMention, files);
    expect(problems, `${sample.description}\n--- scanner said:\n${describeReport(report)}`).toEqual([]);
  });
});

describe('malicious fixtures made by the frameworks', () => {
  const files = readdirSync(MALICIOUS_DIR)
    .filter((f) => f !== 'README.md')
    .sort();

  it('are present', () => {
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  it.each(files)('%s', async (file) => {
    const report = await scanPaths([join(MALICIOUS_DIR, file)], { failOn: 'never' });
    expect(checkReport(report, 'unsafe', 'posix.system'), describeReport(report)).toEqual([]);
  });
});
