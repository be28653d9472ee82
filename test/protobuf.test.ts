/**
 * The protobuf wire reader: varints (10-byte bound, int64), tags, length-delimited fields bounded by
 * their message, groups skipped iteratively, depth limits, payloads never copied (a counting source
 * proves a 500 MB field costs no read), and the trial walk used for sniffing.
 */
import { describe, expect, it } from 'vitest';
import { LimitError, MalformedError, ModelguardError, TruncatedError } from '../src/core/errors.js';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import { type FieldHeader, ProtoReader, trialWalk, WIRE } from '../src/formats/protobuf/index.js';
import { pb, varintBytes } from './support/protobuf-writer.js';

function fieldsOf(bytes: Uint8Array | ByteSource, limits = {}): FieldHeader[] {
  const src = bytes instanceof Uint8Array ? new MemorySource(bytes) : bytes;
  const r = new ProtoReader(src, limits);
  const out: FieldHeader[] = [];
  r.fields(0, src.size, (f) => out.push({ ...f }));
  return out;
}

function readVarint(bytes: number[]): number {
  const r = new ProtoReader(new MemorySource(Uint8Array.from(bytes)));
  return r.varint();
}

/** A sparse source: `size` bytes that are zero except where `chunks` say; records every read. */
class CountingSource implements ByteSource {
  reads: Array<[number, number]> = [];
  constructor(
    readonly size: number,
    private readonly chunks: Array<[number, Uint8Array]>,
  ) {}
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) throw new TruncatedError('past end', offset);
    this.reads.push([offset, length]);
    const out = new Uint8Array(length);
    for (const [at, b] of this.chunks) {
      const from = Math.max(at, offset);
      const to = Math.min(at + b.length, offset + length);
      if (from < to) out.set(b.subarray(from - at, to - at), from - offset);
    }
    return out;
  }
  get bytesRead(): number {
    return this.reads.reduce((n, [, l]) => n + l, 0);
  }
}

describe('varints', () => {
  it('decode 1 to 10 bytes, exact below 2^53', () => {
    expect(readVarint([0x00])).toBe(0);
    expect(readVarint([0x96, 0x01])).toBe(150);
    expect(readVarint(varintBytes(2 ** 35 + 7))).toBe(2 ** 35 + 7);
    expect(readVarint(varintBytes(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    expect(varintBytes(-1n)).toHaveLength(10);
  });

  it('decode negative int64 exactly (two’s complement in 10 bytes)', () => {
    for (const v of [-1, -2, -150, -(2 ** 40), Number.MIN_SAFE_INTEGER]) {
      const r = new ProtoReader(new MemorySource(Uint8Array.from(varintBytes(BigInt(v)))));
      expect(r.int64()).toBe(v);
    }
  });

  it('reject an 11th continuation byte (varint overflow)', () => {
    const bytes = [...new Array(10).fill(0xff), 0x01];
    expect(() => readVarint(bytes)).toThrow(MalformedError);
    expect(() => readVarint(bytes)).toThrow(/varint overflow/);
  });

  it('report a varint cut by the end of the data as truncated', () => {
    expect(() => readVarint([0x80, 0x80])).toThrow(TruncatedError);
  });
});

describe('fields', () => {
  it('walk every wire type and hand out LEN payload positions', () => {
    const bytes = pb().varint(1, 7).fixed64(2, 9n).string(3, 'abc').fixed32(4, 5).build();
    const f = fieldsOf(bytes);
    expect(f.map((x) => [x.no, x.wire])).toEqual([
      [1, WIRE.varint],
      [2, WIRE.i64],
      [3, WIRE.len],
      [4, WIRE.i32],
    ]);
    const s = f[2] as FieldHeader;
    expect(s.length).toBe(3);
    expect(bytes.subarray(s.valueAt, s.valueAt + s.length)).toEqual(new TextEncoder().encode('abc'));
  });

  it('read values through the reader', () => {
    const bytes = pb().varint(1, 300).string(2, 'héllo').float(3, 1.5).build();
    const r = new ProtoReader(new MemorySource(bytes));
    const seen: unknown[] = [];
    r.fields(0, bytes.length, (f) => {
      if (f.no === 1) seen.push(r.varintAt(f));
      if (f.no === 2) seen.push(r.stringAt(f), r.stringAt(f, 2));
      if (f.no === 3) seen.push(r.floatAt(f));
    });
    expect(seen).toEqual([300, 'héllo', 'h…', 1.5]);
  });

  it('reject field number 0, wire types 6 and 7, and field numbers past 2^29-1', () => {
    expect(() => fieldsOf(Uint8Array.from([0x00, 0x00]))).toThrow(/field number 0/);
    expect(() => fieldsOf(Uint8Array.from([0x0e]))).toThrow(/wire type 6/);
    expect(() => fieldsOf(Uint8Array.from([0x0f]))).toThrow(/wire type 7/);
    expect(() => fieldsOf(Uint8Array.from([...varintBytes(2n ** 32n), 0]))).toThrow(MalformedError);
  });

  it('bound a length by the bytes left in its message, not in the file', () => {
    // Outer message of 4 bytes whose inner field claims 10; the file has plenty after it.
    const bytes = pb().bytes(1, [0x0a, 0x0a, 0x00, 0x00]).raw(new Array(64).fill(0x08)).build();
    const r = new ProtoReader(new MemorySource(bytes));
    expect(() =>
      r.fields(0, bytes.length, (f) => {
        if (f.no === 1) r.fields(f.valueAt, f.end, () => {});
      }),
    ).toThrow(/runs past the end of its message/);
  });

  it('reject a length past the end of the file', () => {
    const bytes = pb().lenHeader(2, 1_000_000).raw([1, 2, 3]).build();
    expect(() => fieldsOf(bytes)).toThrow(MalformedError);
    const huge = pb()
      .lenHeader(2, 2n ** 62n)
      .build();
    expect(() => fieldsOf(huge)).toThrow(MalformedError);
  });

  it('continue after a field whatever the visitor read', () => {
    const bytes = pb().msg(1, pb().varint(1, 1).varint(2, 2)).varint(2, 3).build();
    const r = new ProtoReader(new MemorySource(bytes));
    const nos: number[] = [];
    r.fields(0, bytes.length, (f) => {
      nos.push(f.no);
      if (f.no === 1) r.fields(f.valueAt, f.valueAt + 2, () => {}); // reads only part of it
    });
    expect(nos).toEqual([1, 2]);
  });

  it('decode packed varints and count them without decoding', () => {
    const bytes = pb()
      .packed(1, [1, 300, 2 ** 40, -1n])
      .build();
    const r = new ProtoReader(new MemorySource(bytes));
    let values: number[] = [];
    let count = 0;
    r.fields(0, bytes.length, (f) => {
      values = [];
      r.packedVarints(f, 10, (v) => values.push(v), true);
      count = r.countPackedVarints(f);
    });
    expect(values).toEqual([1, 300, 2 ** 40, -1]);
    expect(count).toBe(4);
  });
});

describe('groups', () => {
  it('are skipped as one field, nested ones included', () => {
    const bytes = pb()
      .varint(1, 1)
      .group(5, pb().varint(1, 2).group(6, pb().string(2, 'x')).fixed32(3, 1))
      .varint(2, 3)
      .build();
    expect(fieldsOf(bytes).map((f) => [f.no, f.wire])).toEqual([
      [1, 0],
      [5, WIRE.startGroup],
      [2, 0],
    ]);
  });

  it('with a mismatched or missing end tag are malformed', () => {
    const mismatched = pb()
      .raw([(5 << 3) | 3, 0x08, 0x01, (6 << 3) | 4])
      .build();
    expect(() => fieldsOf(mismatched)).toThrow(/does not match the open group/);
    const open = pb()
      .raw([(5 << 3) | 3, 0x08, 0x01])
      .build();
    expect(() => fieldsOf(open)).toThrow(/no end-group tag/);
    const stray = pb()
      .raw([(5 << 3) | 4])
      .build();
    expect(() => fieldsOf(stray)).toThrow(/without a start group/);
  });

  it('nested 100,000 deep stop at maxDepth without recursion', () => {
    const n = 100_000;
    const bytes = new Uint8Array(2 * n);
    bytes.fill((1 << 3) | 3, 0, n);
    bytes.fill((1 << 3) | 4, n);
    expect(() => fieldsOf(bytes)).toThrow(LimitError);
  });
});

describe('depth', () => {
  it('of nested messages is limited', () => {
    let m = pb().varint(1, 1);
    for (let i = 0; i < 150; i++) m = pb().msg(1, m);
    const bytes = m.build();
    const r = new ProtoReader(new MemorySource(bytes), { maxDepth: 100 });
    const descend = (start: number, end: number): void =>
      r.fields(start, end, (f) => {
        if (f.wire === WIRE.len) descend(f.valueAt, f.end);
      });
    expect(() => descend(0, bytes.length)).toThrow(LimitError);
    const shallow = new ProtoReader(new MemorySource(bytes), { maxDepth: 200 });
    const walk = (start: number, end: number): void =>
      shallow.fields(start, end, (f) => {
        if (f.wire === WIRE.len) walk(f.valueAt, f.end);
      });
    expect(() => walk(0, bytes.length)).not.toThrow();
  });
});

describe('payloads are never copied', () => {
  it('a 500 MB bytes field costs a seek, not a read', () => {
    const big = 500 * 2 ** 20;
    const head = pb().varint(1, 8).lenHeader(9, big).build();
    const tail = pb().string(4, 'after').build();
    const src = new CountingSource(head.length + big + tail.length, [
      [0, head],
      [head.length + big, tail],
    ]);
    const r = new ProtoReader(src);
    const seen: string[] = [];
    r.fields(0, src.size, (f) => {
      if (f.no === 4) seen.push(r.stringAt(f));
      if (f.no === 9) expect(f.length).toBe(big);
    });
    expect(seen).toEqual(['after']);
    // Two windowed reads (at the start and after the field), far below the field's size.
    expect(src.bytesRead).toBeLessThan(4 << 20);
    expect(src.reads.every(([off]) => off < head.length || off >= head.length + big - 16)).toBe(true);
  });
});

describe('trial walk', () => {
  const schema = {
    1: { wire: 0, min: 1, max: 9 },
    2: { wire: 2, kind: 'text' },
    3: { wire: 2, kind: { 1: { wire: 0 } } },
  } as const;

  it('accepts a consistent head, also when the last field is cut', () => {
    const bytes = pb().varint(1, 7).string(2, 'pytorch').msg(3, pb().varint(1, 5)).build();
    expect(trialWalk(bytes, schema)).toEqual({ ok: true, fields: [1, 2, 3], complete: true });
    expect(trialWalk(bytes.subarray(0, 6), schema)).toMatchObject({ ok: true, complete: false });
  });

  it('rejects unknown fields, wrong wire types, out-of-range varints and binary text', () => {
    expect(trialWalk(pb().varint(4, 1).build(), schema).ok).toBe(false);
    expect(trialWalk(pb().string(1, 'x').build(), schema).ok).toBe(false);
    expect(trialWalk(pb().varint(1, 99).build(), schema).ok).toBe(false);
    expect(trialWalk(pb().bytes(2, [0x00, 0x01]).build(), schema).ok).toBe(false);
    expect(trialWalk(pb().bytes(3, [0x12]).build(), schema).ok).toBe(false);
  });

  it('never throws on random bytes', () => {
    let seed = 1;
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(64).map(() => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed >>> 24;
      });
      expect(() => trialWalk(b, schema)).not.toThrow();
    }
  });
});

describe('errors are typed', () => {
  it('every failure above is a ModelguardError', () => {
    for (const bytes of [[0x00], [0x0e], [0x80], [0x0a, 0x05]]) {
      try {
        fieldsOf(Uint8Array.from(bytes));
      } catch (e) {
        expect(e).toBeInstanceOf(ModelguardError);
      }
    }
  });
});
