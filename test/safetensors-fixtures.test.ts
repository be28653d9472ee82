/**
 * The committed safetensors fixtures (test/fixtures/safetensors/) are exactly what the spec-based builders in
 * test/support/safetensors-writer.ts produce, and each scans as its catalogue entry says: benign files clean,
 * one hostile file per technique with its rule. `UPDATE_FIXTURES=1 npx vitest run test/safetensors-fixtures.test.ts`
 * rewrites the files and the README table.
 */
import { fixtureSuite } from './support/fixture-suite.js';
import { SAFETENSORS_FIXTURES } from './support/safetensors-writer.js';

fixtureSuite({
  title: 'safetensors fixtures',
  folder: 'safetensors',
  fixtures: SAFETENSORS_FIXTURES,
  intro: [
    'Built from the safetensors format description by `test/support/safetensors-writer.ts` (no Python `safetensors` package is',
    'installed); `test/safetensors-fixtures.test.ts` checks that each file is byte for byte what the builder',
    'makes and that a scan reports what the table says. Regenerate with',
    '`UPDATE_FIXTURES=1 npx vitest run test/safetensors-fixtures.test.ts`. Hostile files are never loaded by any',
    'model runtime here.',
  ],
});
