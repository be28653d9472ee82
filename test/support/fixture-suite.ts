import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../../src/scanners/engine.js';
import { describeReport } from '../corpus/check.js';

/** One committed fixture: how it is built and what a scan must say about it. */
export interface FormatFixture {
  file: string;
  /** Threat-catalogue technique (`../shared/threats/model-files.md`) or `benign`. */
  technique: string;
  what: string;
  build: () => Uint8Array;
  verdict: 'safe' | 'suspicious' | 'unsafe';
  /** Rule ids the scan must report (at least these). */
  rules: readonly string[];
}

export interface FixtureSuite {
  /** Heading and describe name, e.g. `GGUF fixtures`. */
  title: string;
  /** Folder under test/fixtures. */
  folder: string;
  fixtures: readonly FormatFixture[];
  /** README lines between the heading and the table. */
  intro: readonly string[];
}

function readme(s: FixtureSuite): string {
  const rows = s.fixtures.map(
    (f) =>
      `| \`${f.file}\` | ${f.technique} | ${f.verdict} | ${f.rules.map((r) => `\`${r}\``).join(', ') || '—'} | ${f.what.replace(/\|/g, '\\|')} |`,
  );
  return [
    `# ${s.title}`,
    '',
    ...s.intro,
    '',
    '| file | technique | verdict | rules | what |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

/**
 * Checks committed fixtures against their builders (byte for byte) and their scans against the table:
 * benign files clean, each hostile file with its rules. `UPDATE_FIXTURES=1` rewrites files and README.
 */
export function fixtureSuite(s: FixtureSuite): void {
  const dir = join(import.meta.dirname, '..', 'fixtures', s.folder);
  const update = process.env['UPDATE_FIXTURES'] === '1';
  describe(s.title, () => {
    it('README lists every fixture', () => {
      const path = join(dir, 'README.md');
      if (update) writeFileSync(path, readme(s));
      expect(readFileSync(path, 'utf8')).toBe(readme(s));
    });

    it.each(s.fixtures.map((f) => [f.file, f] as const))('%s', async (_name, f) => {
      const path = join(dir, f.file);
      const bytes = f.build();
      if (update || !existsSync(path)) writeFileSync(path, bytes);
      expect(
        Buffer.compare(readFileSync(path), Buffer.from(bytes)),
        `${f.file} differs from its builder`,
      ).toBe(0);
      const report = await scanPaths([path], { failOn: 'never' });
      const text = describeReport(report);
      expect(report.artifacts[0]?.verdict, text).toBe(f.verdict);
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
}
