/**
 * Hostile-input tests for the safetensors header reader: truncation at every offset, 1,000 seeded
 * mutations (bytes that matter to JSON included), absurd declared sizes. The parser returns facts for
 * every input and throws nothing; the handler never throws; nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { parseSafetensorsHeader, SAFETENSORS_LIMITS } from '../src/formats/safetensors/index.js';
import { safetensorsHandler } from '../src/scanners/safetensors/index.js';
import { scanWith } from './support/archive-context.js';
import { hostileParserTests } from './support/hostile.js';
import { buildSafetensors, SAFETENSORS_FIXTURES } from './support/safetensors-writer.js';

/** Edge bytes, and the characters that steer a JSON reader. */
const SPECIAL = [
  0x00, 0xff, 0x7f, 0x80, 0x01, 0x7b, 0x7d, 0x5b, 0x5d, 0x22, 0x5c, 0x2c, 0x3a, 0x30, 0x39, 0x2d, 0x65, 0x20,
];

const BASES = SAFETENSORS_FIXTURES.filter((f) =>
  ['benign-dtypes.safetensors', 'duplicate-key.safetensors', 'gap-with-pickle.safetensors'].includes(f.file),
).map((f) => [f.file, f.build()] as const);

describe.each(BASES)('%s', (name, base) => {
  hostileParserTests(name, base, {
    parse: (b) => parseSafetensorsHeader(new MemorySource(b), SAFETENSORS_LIMITS),
    scan: (b) => scanWith(safetensorsHandler, new MemorySource(b)),
    special: SPECIAL,
    seed: 0x5afe,
  });
});

describe('absurd declarations', () => {
  const raw = (h: string) => buildSafetensors([], { rawHeader: h });
  it.each([
    [
      'a shape of 100,000 dimensions',
      `{"a":{"dtype":"U8","shape":[${Array(100_000).fill(2).join(',')}],"data_offsets":[0,1]}}`,
    ],
    [
      'offsets near 2^64',
      '{"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551614,18446744073709551615]}}',
    ],
    ['a 5 MB number', `{"a":{"dtype":"U8","shape":[${'9'.repeat(5_000_000)}],"data_offsets":[0,1]}}`],
    ['1,000,000 nested arrays', `{"__metadata__":${'['.repeat(1_000_000)}}`],
    ['a 20 MB metadata string', `{"__metadata__":{"x":"${'a'.repeat(20_000_000)}"},"b":1}`],
    [
      '200,000 duplicate keys',
      `{${Array(200_000).fill('"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}').join(',')}}`,
    ],
  ])('%s: typed result, bounded time', (_name, header) => {
    const h = parseSafetensorsHeader(new MemorySource(raw(header)), SAFETENSORS_LIMITS);
    expect(h.facts.length).toBeGreaterThan(0);
    expect(h.facts.length).toBeLessThanOrEqual(SAFETENSORS_LIMITS.maxFacts);
  });
});
