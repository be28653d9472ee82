/**
 * safetensors header checks (T66): the strict JSON reader, every rule of the reference loader's
 * validation as its own fact, the sniffer, and the guarantee that only the header is ever read.
 */
import { describe, expect, it } from 'vitest';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import {
  isSafetensors,
  parseSafetensorsHeader,
  SAFETENSORS_LIMITS,
  StrictJson,
} from '../src/formats/safetensors/index.js';
import { createSafetensorsHandler, safetensorsHandler } from '../src/scanners/safetensors/index.js';
import { sniff } from '../src/scanners/sniff.js';
import { ruleIds, scanWith } from './support/archive-context.js';
import {
  buildSafetensors,
  manyTensors,
  SAFETENSORS_FIXTURES,
  systemIdPickle,
} from './support/safetensors-writer.js';

const parse = (b: Uint8Array) => parseSafetensorsHeader(new MemorySource(b), SAFETENSORS_LIMITS);
const kinds = (b: Uint8Array) => [...new Set(parse(b).facts.map((f) => f.kind))].sort();
const raw = (header: string, trailing?: Uint8Array) =>
  buildSafetensors([], { rawHeader: header, ...(trailing === undefined ? {} : { trailing }) });
const fixture = (name: string) => {
  const f = SAFETENSORS_FIXTURES.find((x) => x.file === name);
  if (f === undefined) throw new Error(name);
  return f.build();
};

/** A source of `size` bytes of which only the first `real` exist; any read past them fails the test. */
function sparseSource(head: Uint8Array, size: number): ByteSource & { maxRead: number } {
  const src = {
    size,
    maxRead: 0,
    read(offset: number, length: number): Uint8Array {
      src.maxRead = Math.max(src.maxRead, offset + length);
      if (offset + length > head.length) throw new Error(`read of tensor data at ${offset}+${length}`);
      return head.subarray(offset, offset + length);
    },
  };
  return src;
}

describe('safetensors sniffing', () => {
  it('recognises real headers, including tiny and hostile lengths', () => {
    expect(isSafetensors(fixture('benign-dtypes.safetensors'))).toBe(true);
    expect(isSafetensors(fixture('benign-empty.safetensors'))).toBe(true);
    expect(isSafetensors(fixture('header-too-large.safetensors'))).toBe(true);
    const huge = buildSafetensors([], { lengthOverride: 0xffff_ffff_ffff_ff00n });
    expect(isSafetensors(huge)).toBe(true);
  });

  it('does not take text or JSON whose ninth character is { for a header', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(isSafetensors(enc('[\n      {"name": "x"}]'))).toBe(false);
    expect(isSafetensors(enc('abcdefgh{"a":1}'))).toBe(false);
    expect(isSafetensors(Uint8Array.from([5, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x41]))).toBe(false);
    expect(isSafetensors(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]))).toBe(false);
    expect(isSafetensors(Uint8Array.from([99, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]), 12)).toBe(false);
  });

  it('wins over the pickle sniff when the length starts 0x80 0x02 (PROTO 2)', () => {
    const body = '{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const header = body + ' '.repeat(640 - body.length);
    const b = buildSafetensors([], { rawHeader: header, trailing: Uint8Array.of(7) });
    expect([...b.subarray(0, 2)]).toEqual([0x80, 0x02]);
    expect(sniff(b.subarray(0, 512))).toBe('safetensors');
    expect(parse(b).facts).toEqual([]);
  });
});

describe('safetensors header parser', () => {
  it('reads a multi-dtype checkpoint, sub-byte F4 included, without findings', () => {
    const h = parse(fixture('benign-dtypes.safetensors'));
    expect(h.facts).toEqual([]);
    expect(h.tensorCount).toBe(13);
    expect(h.metadata).toEqual({ format: 'pt' });
    expect(h.headerLength % 8).toBe(0);
    const f4 = h.tensors.find((t) => t.name === 'mx.f4');
    expect(f4 && f4.end - f4.start).toBe(8n);
  });

  it('flags a sub-byte tensor whose bits are not whole bytes', () => {
    const b = buildSafetensors([{ name: 'x', dtype: 'F4', shape: [3], data: new Uint8Array(2) }]);
    expect(kinds(b)).toEqual(['size-mismatch']);
    expect(parse(b).facts[0]?.detail).toContain('12 bits');
  });

  it('knows every reference dtype, F8_E8M0, F6 and C64 included', () => {
    for (const [dtype, shape, bytes] of [
      ['F8_E8M0', [4], 4],
      ['F6_E2M3', [4], 3],
      ['F6_E3M2', [8], 6],
      ['C64', [2], 16],
      ['U16', [3], 6],
      ['U32', [3], 12],
      ['U64', [1], 8],
    ] as const) {
      const b = buildSafetensors([{ name: 't', dtype, shape, data: new Uint8Array(bytes) }]);
      expect(parse(b).facts, dtype).toEqual([]);
    }
  });

  it.each([
    ['trailing comma', '{"a":{"dtype":"U8","shape":[0],"data_offsets":[0,0]},}'],
    ['control character in a string', '{"a\u0001":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'],
    ['lone surrogate escape', '{"\\ud800":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'],
    ['leading zero', '{"a":{"dtype":"U8","shape":[01],"data_offsets":[0,0]}}'],
    ['NaN', '{"__metadata__":{"x":NaN}}'],
    ['single quotes', "{'a':1}"],
    ['trailing garbage', '{}x'],
    ['trailing NUL padding', '{}\u0000\u0000'],
    ['unterminated', '{"a":'],
    ['nesting over 128', `{"__metadata__":${'['.repeat(200)}${']'.repeat(200)}}`],
  ])('rejects %s as invalid JSON', (_name, header) => {
    expect(kinds(raw(header))).toContain('invalid-json');
  });

  it('accepts what serde_json accepts: space padding, escapes, null metadata, exponent-free big integers', () => {
    expect(parse(raw('{"__metadata__":null}      ')).facts).toEqual([]);
    expect(parse(raw('{"__metadata__":{"k\\u00e9y":"v\\n\\"x\\""}}')).facts).toEqual([]);
    const max = parse(
      raw('{"a":{"dtype":"U8","shape":[0],"data_offsets":[18446744073709551615,18446744073709551615]}}'),
    );
    expect(max.tensors[0]?.start).toBe(2n ** 64n - 1n);
    expect(max.facts.map((f) => f.kind)).toContain('offset-out-of-range');
    expect(max.facts.map((f) => f.kind)).not.toContain('malformed');
  });

  it('reports duplicate tensor names, duplicate fields and duplicate metadata keys', () => {
    const h = parse(
      raw(
        '{"__metadata__":{"a":"1","a":"2"},"w":{"dtype":"U8","dtype":"I8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}',
        Uint8Array.of(1, 2),
      ),
    );
    const dups = h.facts.filter((f) => f.kind === 'duplicate-key').map((f) => f.detail);
    expect(dups).toHaveLength(3);
    expect(dups.join('\n')).toMatch(/__metadata__ key 'a'/);
    expect(dups.join('\n')).toMatch(/field 'dtype' of 'w'.*refuses/);
    expect(dups.join('\n')).toMatch(/tensor name 'w'.*keep the last copy/);
    // The reference keeps the last 'w' (bytes 1–2): bytes 0–1 are then a gap.
    expect(h.facts.map((f) => f.kind)).toContain('gap');
  });

  it('finds gaps, overlaps, out-of-range ends, reversed offsets and trailing bytes', () => {
    const t = (name: string, s: number, e: number) =>
      `"${name}":{"dtype":"U8","shape":[${e - s}],"data_offsets":[${s},${e}]}`;
    expect(kinds(raw(`{${t('a', 0, 4)},${t('b', 8, 12)}}`, new Uint8Array(12)))).toEqual(['gap']);
    expect(kinds(raw(`{${t('a', 0, 8)},${t('b', 4, 12)}}`, new Uint8Array(12)))).toEqual(['overlap']);
    expect(kinds(raw(`{${t('a', 0, 64)}}`, new Uint8Array(12)))).toEqual(['offset-out-of-range']);
    expect(kinds(raw(`{${t('a', 0, 4)}}`, new Uint8Array(12)))).toEqual(['trailing-data']);
    expect(kinds(raw('{"a":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}}', new Uint8Array(8)))).toContain(
      'offset-out-of-range',
    );
  });

  it('reports shape products that overflow u64 (checked like the reference, not wrapped)', () => {
    const h = parse(fixture('shape-overflow.safetensors'));
    expect(h.facts.map((f) => f.kind)).toContain('shape-overflow');
    const bits = raw(`{"a":{"dtype":"F64","shape":[${2n ** 60n}],"data_offsets":[0,0]}}`);
    expect(parse(bits).facts.find((f) => f.kind === 'shape-overflow')?.detail).toContain('bits');
  });

  it('refuses malformed entries the way serde would', () => {
    for (const entry of [
      '{"dtype":"U8","shape":[1]}',
      '{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}',
      '{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}',
      '{"dtype":"U8","shape":[1],"data_offsets":[0,1,2]}',
      '{"dtype":8,"shape":[1],"data_offsets":[0,1]}',
      '[1,2]',
    ])
      expect(kinds(raw(`{"a":${entry}}`, Uint8Array.of(0))), entry).toContain('malformed');
    const unknown = parse(raw('{"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', Uint8Array.of(0)));
    expect(unknown.facts[0]?.severity).toBe('medium');
    const extra = parse(raw('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":1}}', Uint8Array.of(0)));
    expect(extra.facts.map((f) => [f.kind, f.severity])).toEqual([['malformed', 'low']]);
  });

  it('reports non-string __metadata__ values and non-object __metadata__', () => {
    expect(kinds(fixture('bad-metadata.safetensors'))).toEqual(['bad-metadata']);
    expect(kinds(raw('{"__metadata__":["pt"]}'))).toEqual(['bad-metadata']);
  });

  it('maps JSON character offsets to file byte offsets for non-ASCII headers', () => {
    const text =
      '{"é":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"é":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}';
    const dup = parse(raw(text, Uint8Array.of(0))).facts.find((f) => f.kind === 'duplicate-key');
    const second = text.lastIndexOf('"é"');
    // é is two bytes in UTF-8: the byte offset is one more than the character index, after the 8-byte length
    expect(dup?.offset).toBe(8 + second + 1);
  });
});

describe('safetensors limits', () => {
  it('stops checking after maxTensors and reports the T66 count (100,001 entries in well under a second)', () => {
    const b = manyTensors(100_001);
    const t0 = performance.now();
    const h = parse(b);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(h.tensorCount).toBe(100_001);
    expect(h.tensors.length).toBe(SAFETENSORS_LIMITS.maxTensors);
    expect(h.facts.map((f) => f.kind)).toEqual(['too-many-tensors']);
  });

  it('caps the number of facts', () => {
    const parts = Array.from(
      { length: 3000 },
      (_, i) => `"t${i}":{"dtype":"U8","shape":[1],"data_offsets":[0,0]}`,
    );
    const h = parseSafetensorsHeader(new MemorySource(raw(`{${parts.join(',')}}`)), {
      ...SAFETENSORS_LIMITS,
      maxFacts: 50,
    });
    expect(h.facts).toHaveLength(50);
    expect(h.droppedFacts).toBeGreaterThan(2000);
  });

  it('never reads tensor data: a 2 GB file costs its header', async () => {
    const h = buildSafetensors([], {
      rawHeader: `{"w":{"dtype":"F32","shape":[536870912],"data_offsets":[0,2147483648]}}`,
    });
    const src = sparseSource(h, h.length + 2 ** 31);
    const rec = await scanWith(safetensorsHandler, src);
    expect(rec.findings).toEqual([]);
    expect(src.maxRead).toBe(h.length);
  });

  it('does not read a header over the cap', async () => {
    const b = fixture('header-too-large.safetensors');
    const src = sparseSource(b.subarray(0, 8), 200_000_100);
    const rec = await scanWith(safetensorsHandler, src);
    expect(ruleIds(rec)).toEqual(['safetensors/header-too-large']);
    expect(src.maxRead).toBe(8);
  });

  it('honours handler-level limits', async () => {
    const handler = createSafetensorsHandler({
      ...SAFETENSORS_LIMITS,
      maxTensors: 2,
      maxHeaderBytes: 1 << 20,
    });
    const rec = await scanWith(handler, new MemorySource(manyTensors(3)));
    expect(ruleIds(rec)).toEqual(['safetensors/too-many-tensors']);
  });
});

describe('safetensors handler', () => {
  it('hands gaps and trailing bytes to the engine as members', async () => {
    const rec = await scanWith(safetensorsHandler, new MemorySource(fixture('gap-with-pickle.safetensors')));
    expect(ruleIds(rec)).toEqual(['safetensors/gap']);
    const m = rec.members[0];
    expect(m?.name).toMatch(/^<safetensors-gap@\d+>$/);
    expect([...(m?.bytes ?? [])]).toEqual([...systemIdPickle()]);
    const tail = await scanWith(safetensorsHandler, new MemorySource(fixture('trailing-pickle.safetensors')));
    expect(tail.members.map((x) => x.name)).toEqual([expect.stringMatching(/^<safetensors-trailing@\d+>$/)]);
  });

  it('notes the format and caps findings per rule', async () => {
    const parts = Array.from(
      { length: 60 },
      (_, i) => `"t${i}":{"dtype":"U8","shape":[2],"data_offsets":[0,1]}`,
    );
    const rec = await scanWith(
      safetensorsHandler,
      new MemorySource(raw(`{${parts.join(',')}}`, Uint8Array.of(0))),
    );
    expect(rec.formats).toContain('safetensors');
    const sizes = rec.findings.filter((f) => f.ruleId === 'safetensors/size-mismatch');
    expect(sizes).toHaveLength(21);
    expect(sizes[20]?.message).toContain('40 more');
  });

  it('StrictJson keeps integers exact and bounds what it records', () => {
    const j = new StrictJson('{"a":18446744073709551616,"b":-0,"c":1e2}', 8);
    const seen: Record<string, unknown> = {};
    j.readTopObject((k, _at, v) => {
      seen[k] = v.t === 'num' ? v.int : undefined;
    });
    expect(seen).toEqual({ a: 18446744073709551616n, b: 0n, c: undefined });
    const long = new StrictJson(`{"a":${'9'.repeat(100_000)}}`, 8);
    long.readTopObject(() => {});
    expect(long.pos).toBeGreaterThan(100_000);
  });
});
