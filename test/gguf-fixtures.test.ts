/**
 * The committed GGUF fixtures (test/fixtures/gguf/) are exactly what the spec-based builders in
 * test/support/gguf-writer.ts produce, and each scans as its catalogue entry says: benign files clean,
 * one hostile file per technique with its rule. `UPDATE_FIXTURES=1 npx vitest run test/gguf-fixtures.test.ts`
 * rewrites the files and the README table.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import { describeReport } from './corpus/check.js';
import { GGUF_FIXTURES } from './support/gguf-writer.js';

const DIR = join(import.meta.dirname, 'fixtures', 'gguf');
const UPDATE = process.env['UPDATE_FIXTURES'] === '1';

function readme(): string {
  const rows = GGUF_FIXTURES.map(
    (f) =>
      `| \`${f.file}\` | ${f.technique} | ${f.verdict} | ${f.rules.map((r) => `\`${r}\``).join(', ') || '—'} | ${f.what.replace(/\|/g, '\\|')} |`,
  );
  return [
    '# GGUF fixtures',
    '',
    'Built from the GGUF specification by `test/support/gguf-writer.ts` (no Python `gguf` package is',
    'installed); `test/gguf-fixtures.test.ts` checks that each file is byte for byte what the builder',
    'makes and that a scan reports what the table says. Regenerate with',
    '`UPDATE_FIXTURES=1 npx vitest run test/gguf-fixtures.test.ts`. Hostile files are never loaded by any',
    'model runtime here; the chat-template payloads only run `id` if rendered by an unsandboxed Jinja2.',
    '',
    '| file | technique | verdict | rules | what |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

describe('GGUF fixtures', () => {
  it('README lists every fixture', () => {
    const path = join(DIR, 'README.md');
    if (UPDATE) writeFileSync(path, readme());
    expect(readFileSync(path, 'utf8')).toBe(readme());
  });

  it.each(GGUF_FIXTURES.map((f) => [f.file, f] as const))('%s', async (_name, f) => {
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

describe('fixture coverage', () => {
  /** Rules whose trigger needs megabytes: exercised in memory by the unit tests instead. */
  const IN_MEMORY: Record<string, string> = {
    'chat-template/too-large': 'test/gguf.test.ts (a 3 MB template)',
    'safetensors/too-many-tensors': 'test/safetensors.test.ts (100,001 entries)',
  };

  it('every safetensors, GGUF and chat-template rule has a committed fixture that triggers it', async () => {
    const { SAFETENSORS_FIXTURES } = await import('./support/safetensors-writer.js');
    const { GGUF_RULES } = await import('../src/scanners/gguf/index.js');
    const { SAFETENSORS_RULES } = await import('../src/scanners/safetensors/index.js');
    const { CHAT_TEMPLATE_RULES } = await import('../src/scanners/chat-template/index.js');
    const covered = new Set([...GGUF_FIXTURES, ...SAFETENSORS_FIXTURES].flatMap((f) => f.rules));
    const missing = [
      ...Object.keys(GGUF_RULES),
      ...Object.keys(SAFETENSORS_RULES),
      ...Object.keys(CHAT_TEMPLATE_RULES),
    ].filter((id) => !covered.has(id) && IN_MEMORY[id] === undefined);
    expect(missing).toEqual([]);
  });
});
