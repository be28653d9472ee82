/**
 * The committed safetensors fixtures (test/fixtures/safetensors/) are exactly what the spec-based builders in
 * test/support/safetensors-writer.ts produce, and each scans as its catalogue entry says: benign files clean,
 * one hostile file per technique with its rule. `UPDATE_FIXTURES=1 npx vitest run test/safetensors-fixtures.test.ts`
 * rewrites the files and the README table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import { describeReport } from './corpus/check.js';
import { SAFETENSORS_FIXTURES } from './support/safetensors-writer.js';

const DIR = join(import.meta.dirname, 'fixtures', 'safetensors');
const UPDATE = process.env['UPDATE_FIXTURES'] === '1';

function readme(): string {
  const rows = SAFETENSORS_FIXTURES.map(
    (f) =>
      `| \`${f.file}\` | ${f.technique} | ${f.verdict} | ${f.rules.map((r) => `\`${r}\``).join(', ') || '—'} | ${f.what.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# safetensors fixtures',
    '',
    'Built from the safetensors format description by `test/support/safetensors-writer.ts` (no Python `safetensors` package is',
    'installed); `test/safetensors-fixtures.test.ts` checks that each file is byte for byte what the builder',
    'makes and that a scan reports what the table says. Regenerate with',
    '`UPDATE_FIXTURES=1 npx vitest run test/safetensors-fixtures.test.ts`. Hostile files are never loaded by any',
    'model runtime here.',
    '',
    '| file | technique | verdict | rules | what |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

describe('safetensors fixtures', () => {
  it('README lists every fixture', () => {
    const path = join(DIR, 'README.md');
    if (UPDATE) writeFileSync(path, readme());
    expect(readFileSync(path, 'utf8')).toBe(readme());
  });

  it.each(SAFETENSORS_FIXTURES.map((f) => [f.file, f] as const))('%s', async (_name, f) => {
    const path = join(DIR, f.file);
    const bytes = f.build();
    if (UPDATE || !existsSync(path)) writeFileSync(path, bytes);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bytes)), `${f.file} differs from its builder`).toBe(
      0,
    );
    const report = await scanPaths([path], { failOn: 'never' });
    const text = describeReport(report);
    const a = report.artifacts[0];
    expect(a?.verdict, text).toBe(f.verdict);
    const ids = new Set(report.findings.map((x) => x.ruleId));
    for (const r of f.rules) expect(ids.has(r), `${r} missing\n${text}`).toBe(true);
    expect(ids.has('scan/handler-error'), text).toBe(false);
    if (f.technique === 'benign')
      expect(
        report.findings.filter((x) => !f.rules.includes(x.ruleId)),
        text,
      ).toEqual([]);
  });
});
