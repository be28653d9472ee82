/**
 * Hostile inputs for the TFLite flatbuffer walker and handler: truncation at every offset, 1,000
 * seeded mutations of several models, vtable/offset loops and floods. The walker returns a model
 * (with `stopped` on the first violation) and never throws; the handler reports; nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { BUILTIN_OPERATORS, parseTflite } from '../src/formats/tflite/index.js';
import { tfliteHandler } from '../src/scanners/tflite/index.js';
import { scanWith } from './support/archive-context.js';
import { mutate as mutateBytes, prng } from './support/hostile.js';
import { buildFlatbuffer, tfliteModel } from './support/tflite-writer.js';

const MUTATIONS = 1000;
const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x04, 0x08, 0x10, 0x20, 0xfe];
const mutate = (b: Uint8Array, rnd: () => number) => mutateBytes(b, rnd, SPECIAL);
const CUSTOM = BUILTIN_OPERATORS.indexOf('CUSTOM');

const BASES: Array<[string, Uint8Array]> = [
  [
    'builtin + custom + flex',
    tfliteModel({
      opcodes: [
        { builtin: 0 },
        { builtin: CUSTOM, custom: 'FlexReadFile' },
        { builtin: CUSTOM, custom: 'MyOp' },
        { builtin: 150, deprecated: 127 },
      ],
      operators: [[0, 1, 2, 3], [0]],
      buffers: [new Uint8Array(0), new Uint8Array(32).fill(1), { offset: 8n, size: 16n }],
      metadata: ['min_runtime_version', 'CONVERSION_METADATA'],
    }),
  ],
  ['minimal', tfliteModel({ opcodes: [{ builtin: 0 }], operators: [[0]] })],
];

describe.each(BASES)('%s', (name, base) => {
  it('parses to a result at every truncation', () => {
    for (let n = 0; n < base.length; n++)
      expect(parseTflite(new MemorySource(base.subarray(0, n)))).toBeDefined();
    expect(parseTflite(new MemorySource(base)).stopped).toBeUndefined();
  });

  it(`survives ${MUTATIONS} seeded mutations`, () => {
    const rnd = prng(0x7f13 ^ base.length);
    for (let i = 0; i < MUTATIONS; i++)
      expect(parseTflite(new MemorySource(mutate(base, rnd)))).toBeDefined();
  });

  it('the handler never throws on truncated or mutated input', async () => {
    const rnd = prng(0xbad ^ base.length);
    const inputs = [
      ...Array.from({ length: Math.min(150, base.length) }, (_, i) =>
        base.subarray(0, Math.floor((i * base.length) / 150)),
      ),
      ...Array.from({ length: 250 }, () => mutate(base, rnd)),
    ];
    for (const input of inputs)
      await expect(scanWith(tfliteHandler, new MemorySource(input)), name).resolves.toBeDefined();
  });
});

describe('hostile structures', () => {
  it('100,000 operators pointing at one code are walked in linear time', () => {
    const bytes = tfliteModel({
      opcodes: [{ builtin: 0 }],
      operators: [Array.from({ length: 100_000 }, () => 0)],
    });
    const t0 = performance.now();
    const m = parseTflite(new MemorySource(bytes));
    expect(m.opcodes[0]?.uses).toBe(100_000);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(parseTflite(new MemorySource(bytes), { maxOperators: 1000 }).stopped?.limit).toBe('maxOperators');
  });

  it('a table whose vtable offset points at itself or past the file is malformed', () => {
    const bytes = buildFlatbuffer({ table: [{ u32: 3 }] });
    const root = new DataView(bytes.buffer).getUint32(0, true);
    for (const soffset of [0, 1, -1, 0x7fffffff, -0x80000000]) {
      const b = Uint8Array.from(bytes);
      new DataView(b.buffer).setInt32(root, soffset, true);
      expect(parseTflite(new MemorySource(b)).stopped?.kind, String(soffset)).toBe('malformed');
    }
  });
});

describe('limits through the handler', () => {
  it('more operator codes than maxOperatorCodes is a limit finding', async () => {
    const bytes = tfliteModel({
      opcodes: Array.from({ length: 100_001 }, () => ({ builtin: 0 })),
      operators: [[0]],
    });
    const rec = await scanWith(tfliteHandler, new MemorySource(bytes));
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['tflite/limit-exceeded', 'high']]);
  });
});
