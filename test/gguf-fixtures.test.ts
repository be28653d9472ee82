/**
 * The committed GGUF fixtures (test/fixtures/gguf/) are exactly what the spec-based builders in
 * test/support/gguf-writer.ts produce, and each scans as its catalogue entry says: benign files clean,
 * one hostile file per technique with its rule. `UPDATE_FIXTURES=1 npx vitest run test/gguf-fixtures.test.ts`
 * rewrites the files and the README table.
 */
import { describe, expect, it } from 'vitest';
import { fixtureSuite } from './support/fixture-suite.js';
import { GGUF_FIXTURES } from './support/gguf-writer.js';

fixtureSuite({
  title: 'GGUF fixtures',
  folder: 'gguf',
  fixtures: GGUF_FIXTURES,
  intro: [
    'Built from the GGUF specification by `test/support/gguf-writer.ts` (no Python `gguf` package is',
    'installed); `test/gguf-fixtures.test.ts` checks that each file is byte for byte what the builder',
    'makes and that a scan reports what the table says. Regenerate with',
    '`UPDATE_FIXTURES=1 npx vitest run test/gguf-fixtures.test.ts`. Hostile files are never loaded by any',
    'model runtime here; the chat-template payloads only run `id` if rendered by an unsandboxed Jinja2.',
  ],
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
