/**
 * False-positive guard: every file under test/fixtures/benign/ was saved by the real framework
 * (scripts/fixtures/make_benign_fixtures.py: torch, numpy, scikit-learn/joblib, pickle) and must scan
 * as `safe` with nothing at `medium` or above — one by one, and as one directory.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import { checkReport, describeReport } from './corpus/check.js';

const BENIGN_DIR = join(import.meta.dirname, 'fixtures', 'benign');
const files = readdirSync(BENIGN_DIR)
  .filter((f) => f !== 'README.md')
  .sort();

describe('benign fixtures made by the frameworks', () => {
  it('are present', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)('%s', async (file) => {
    const report = await scanPaths([join(BENIGN_DIR, file)], { failOn: 'never' });
    expect(checkReport(report, 'safe'), describeReport(report)).toEqual([]);
    // The scanner must have recognised the file, not skipped it.
    expect(report.artifacts[0]?.format.length ?? 0, describeReport(report)).toBeGreaterThan(0);
  });

  it('scan as a directory without failing the default --fail-on high', async () => {
    const report = await scanPaths([BENIGN_DIR]);
    // README.md is scanned too (as an unknown file); it must be safe as well.
    expect(report.artifacts.length).toBe(files.length + 1);
    expect(checkReport(report, 'safe', undefined, files.length + 1), describeReport(report)).toEqual([]);
    expect(report.summary.failed).toBe(false);
  });
});
