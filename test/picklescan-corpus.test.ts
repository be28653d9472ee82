/**
 * The peer corpus (../shared/corpora/picklescan: picklescan v1.0.5's test data, unchanged) held to its
 * README's contract, one test per file so a run names every file that fails:
 * - unsafe: a finding at `high` or `critical` (verdict `unsafe`);
 * - safe: nothing at `medium` or above (verdict `safe`);
 * - review: no crash; any verdict; the artifact says what the file is (a non-empty `format`).
 * The files are read in place, never copied into the repository.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import { checkReport, describeReport } from './corpus/check.js';
import type { Expect } from './corpus/types.js';

const CORPUS = resolve(import.meta.dirname, '..', '..', 'shared', 'corpora', 'picklescan');
const MANIFEST = join(CORPUS, 'manifest.json');

interface ManifestEntry {
  path: string;
  expect: Extract<Expect, 'unsafe' | 'safe' | 'review'>;
}

function isEntry(x: unknown): x is ManifestEntry {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return (
    typeof r['path'] === 'string' &&
    (r['expect'] === 'unsafe' || r['expect'] === 'safe' || r['expect'] === 'review')
  );
}

function readManifest(): ManifestEntry[] {
  if (!existsSync(MANIFEST)) return [];
  const parsed: unknown = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  if (!Array.isArray(parsed) || !parsed.every(isEntry))
    throw new Error(`${MANIFEST}: not a list of {path, expect}`);
  return parsed;
}

const entries = readManifest();

describe('picklescan peer corpus', () => {
  it('is present with its manifest (every CI run has ../shared)', () => {
    expect(existsSync(MANIFEST), MANIFEST).toBe(true);
    expect(entries.length).toBe(109);
  });

  it.each(entries.map((e) => [e.path, e] as const))('%s', async (_path, entry) => {
    const file = join(CORPUS, entry.path);
    const report = await scanPaths([file], { failOn: 'never' });
    expect(checkReport(report, entry.expect), `expected ${entry.expect}\n${describeReport(report)}`).toEqual(
      [],
    );
  });
});
