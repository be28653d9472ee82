/**
 * Hostile-input tests for the GGUF reader: truncation at every offset, 1,000 seeded mutations, and
 * absurd declared counts and lengths (T64). The parser returns a typed result with facts for every input
 * (it throws nothing), the handler never throws, and nothing hangs or allocates by declaration.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { GGUF_LIMITS, parseGguf } from '../src/formats/gguf/index.js';
import { ggufHandler } from '../src/scanners/gguf/index.js';
import { scanWith } from './support/archive-context.js';
import {
  arr,
  CHATML_TEMPLATE,
  GgufWriter,
  le32,
  le64,
  llamaLike,
  str,
  T,
  u32,
} from './support/gguf-writer.js';
import { hostileParserTests } from './support/hostile.js';

/** Edge bytes and small type ids (value types 0–12, array 9, string 8). */
const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x08, 0x09, 0x0c, 0x0d, 0x40, 0x20, 0x04];

const SMALL = llamaLike({ template: CHATML_TEMPLATE })
  .kv('general.tags', arr(T.arr, [arr(T.str, ['x']), arr(T.u8, [1, 2])]))
  .build({ data: false });
const BE = llamaLike({ template: CHATML_TEMPLATE }).build({ data: false, bigEndian: true });
const V1 = llamaLike({ template: CHATML_TEMPLATE }).build({ data: false, version: 1 });

describe.each([
  ['v3', SMALL],
  ['big-endian', BE],
  ['v1', V1],
])('%s GGUF', (name, base) => {
  hostileParserTests(name, base, {
    parse(b) {
      const f = parseGguf(new MemorySource(b));
      if (f.facts.length > GGUF_LIMITS.maxFacts) throw new Error('fact cap exceeded');
    },
    scan: (b) => scanWith(ggufHandler, new MemorySource(b)),
    special: SPECIAL,
    seed: 0x6775,
  });
});

function kvFile(...raw: Uint8Array[]): Uint8Array {
  const parts = [
    Uint8Array.from([0x47, 0x47, 0x55, 0x46]),
    le32(3),
    le64(0n),
    le64(BigInt(raw.length)),
    ...raw,
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const key = (k: string) => Uint8Array.from([...le64(BigInt(k.length)), ...new TextEncoder().encode(k)]);
const cat = (...xs: Uint8Array[]) => Uint8Array.from(xs.flatMap((x) => [...x]));

describe('absurd declarations cost nothing', () => {
  it.each([
    ['n_kv 2^63 - 1', new GgufWriter().build({ kvCount: (1n << 63n) - 1n })],
    ['n_tensors 2^64 - 1', new GgufWriter().build({ tensorCount: (1n << 64n) - 1n })],
    ['a key 2^64 - 1 bytes long', kvFile(cat(le64((1n << 64n) - 1n), le32(0)))],
    ['a string 2^62 bytes long', kvFile(cat(key('a'), le32(T.str), le64(1n << 62n)))],
    ['an array of 2^40 strings', kvFile(cat(key('a'), le32(T.arr), le32(T.str), le64(1n << 40n)))],
    ['an array of 2^60 u64', kvFile(cat(key('a'), le32(T.arr), le32(T.u64), le64(1n << 60n)))],
    [
      'arrays nested 100,000 deep',
      kvFile(
        cat(key('a'), ...Array.from({ length: 100_000 }, () => cat(le32(T.arr), le32(T.arr), le64(1n)))),
      ),
    ],
    [
      '2^32 - 1 tensor dimensions',
      cat(new GgufWriter().build({ tensorCount: 1n }), key('t'), le32(0xffffffff)),
    ],
    [
      '200,000 tiny key/values (over maxKv)',
      (() => {
        const w = new GgufWriter();
        for (let i = 0; i < 200_000; i++) w.kv(`k${i}`, u32(i));
        return w.build();
      })(),
    ],
    [
      'a 256k-token vocabulary',
      llamaLike({
        kvs: [
          [
            'tokenizer.ggml.tokens',
            arr(
              T.str,
              Array.from({ length: 262_144 }, (_, i) => `tok${i}`),
            ),
          ],
        ],
      }).build({ data: false }),
    ],
  ])('%s', async (_name, bytes) => {
    const f = parseGguf(new MemorySource(bytes));
    expect(f.facts.length).toBeLessThanOrEqual(GGUF_LIMITS.maxFacts);
    await expect(scanWith(ggufHandler, new MemorySource(bytes))).resolves.toBeDefined();
  });

  it('a chat template of 1,000,000 nested parentheses is unparsable, not a crash', async () => {
    const t = `{{ ${'('.repeat(1_000_000)}1${')'.repeat(1_000_000)} }}`;
    const rec = await scanWith(
      ggufHandler,
      new MemorySource(llamaLike({ kvs: [['tokenizer.chat_template', str(t)]] }).build()),
    );
    expect(rec.findings.map((f) => f.ruleId)).toContain('chat-template/too-large');
  });
});
