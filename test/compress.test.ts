import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { MemorySource } from '../src/core/source.js';
import { type CompressionKind, decompress, sniffCompression } from '../src/formats/compress/index.js';
import { ARCHIVE_HANDLERS } from '../src/scanners/archive/index.js';
import { isPickleHead, ruleIds, scanWith } from './support/archive-context.js';

const FIX = 'test/fixtures/archive/';
const file = (f: string): Uint8Array => new Uint8Array(readFileSync(FIX + f));
const RAW = file('dict.pkl');

describe('sniffCompression', () => {
  it.each([
    ['dict.pkl.gz', 'gzip'],
    ['dict_multi.pkl.gz', 'gzip'],
    ['dict.pkl.zlib', 'zlib'],
    ['dict.pkl.bz2', 'bzip2'],
    ['dict.pkl.xz', 'xz'],
    ['dict.pkl.lzma', 'lzma'],
    ['joblib_zlib.joblib', 'zlib'],
    ['joblib_default3.joblib', 'zlib'],
    ['joblib_gzip.joblib', 'gzip'],
    ['joblib_lzma.joblib', 'lzma'],
    ['joblib_xz.joblib', 'xz'],
    ['joblib_bz2.joblib', 'bzip2'],
  ])('%s is %s', (f, kind) => {
    expect(sniffCompression(file(f).subarray(0, 16))).toBe(kind);
  });

  it('pickles, npy, zip and text are not compressed streams', () => {
    for (const f of ['dict.pkl', 'int32.npy', 'mixed.zip', 'README.md', 'pax.tar'])
      expect(sniffCompression(file(f).subarray(0, 16)), f).toBeUndefined();
    // A protocol-1 pickle of a list starts with ']' (0x5d), like LZMA properties: the dictionary size rules it out.
    expect(
      sniffCompression(Uint8Array.from([0x5d, 0x71, 0x00, 0x28, 0x4b, 1, 0x4b, 2, 0x65, 0x2e, 0, 0, 0])),
    ).toBeUndefined();
  });
});

describe('decompress: Python-made streams', () => {
  it.each([
    ['dict.pkl.gz', 'gzip'],
    ['dict_multi.pkl.gz', 'gzip'],
    ['dict.pkl.zlib', 'zlib'],
    ['dict.pkl.bz2', 'bzip2'],
    ['dict.pkl.xz', 'xz'],
    ['dict.pkl.lzma', 'lzma'],
  ] as const)('%s decodes to the original pickle', async (f, kind: CompressionKind) => {
    const r = await decompress(kind, new MemorySource(file(f)), DEFAULT_LIMITS);
    expect(r.error).toBeUndefined();
    expect(r.complete).toBe(true);
    expect(Buffer.from(r.output.read(0, r.output.size)).equals(Buffer.from(RAW))).toBe(true);
  });

  it('concatenated xz and bzip2 streams decode whole', async () => {
    for (const [f, kind] of [
      ['dict.pkl.xz', 'xz'],
      ['dict.pkl.bz2', 'bzip2'],
    ] as const) {
      const one = file(f);
      const two = new Uint8Array([...one, ...one]);
      const r = await decompress(kind, new MemorySource(two), DEFAULT_LIMITS);
      expect(r.output.size, f).toBe(RAW.length * 2);
    }
  });

  it('truncated streams report an error and keep what was decoded', async () => {
    for (const [f, kind] of [
      ['dict.pkl.gz', 'gzip'],
      ['dict.pkl.zlib', 'zlib'],
      ['dict.pkl.xz', 'xz'],
      ['dict.pkl.bz2', 'bzip2'],
      ['dict.pkl.lzma', 'lzma'],
    ] as const) {
      const b = file(f);
      const r = await decompress(kind, new MemorySource(b.subarray(0, b.length - 6)), DEFAULT_LIMITS);
      expect(r.complete, f).toBe(false);
      expect(r.error, f).toBeDefined();
    }
  });

  it('garbage is an error, never an exception', async () => {
    for (const kind of ['gzip', 'zlib', 'bzip2', 'xz', 'lzma'] as const) {
      const r = await decompress(
        kind,
        new MemorySource(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])),
        DEFAULT_LIMITS,
      );
      expect(r.complete, kind).toBe(false);
    }
  });
});

describe('decompress: bombs stop at the cap', () => {
  it.each([
    ['zeros16m.gz', 'gzip'],
    ['zeros16m.bz2', 'bzip2'],
    ['zeros16m.xz', 'xz'],
    ['zeros16m.lzma', 'lzma'],
  ] as const)('%s with maxInflatedBytes 1 MiB', async (f, kind) => {
    const r = await decompress(kind, new MemorySource(file(f)), {
      ...DEFAULT_LIMITS,
      maxInflatedBytes: 1 << 20,
      maxCompressionRatio: 1e9,
    });
    expect(r.stop).toBe('max-inflated');
    expect(r.output.size).toBe(1 << 20);
  });

  it.each([
    ['zeros16m.bz2', 'bzip2'],
    ['zeros16m.xz', 'xz'],
  ] as const)('%s trips the ratio limit', async (f, kind) => {
    const r = await decompress(kind, new MemorySource(file(f)), DEFAULT_LIMITS);
    expect(r.stop).toBe('ratio');
    expect(r.output.size).toBeLessThan(16 << 20);
  });

  it('a 1 GiB gzip bomb stops at the cap with flat memory', async () => {
    const bomb = gzipSync(new Uint8Array(256 << 20));
    const rss = process.memoryUsage().rss;
    const r = await decompress('gzip', new MemorySource(bomb), {
      ...DEFAULT_LIMITS,
      maxInflatedBytes: 4 << 20,
    });
    expect(r.stop).toBe('max-inflated');
    expect(r.output.size).toBe(4 << 20);
    expect(process.memoryUsage().rss - rss).toBeLessThan(128 << 20);
  });
});

describe('compression handlers (T41)', () => {
  it.each([
    ['joblib_zlib.joblib', 'zlib'],
    ['joblib_default3.joblib', 'zlib'],
    ['joblib_gzip.joblib', 'gzip'],
    ['joblib_lzma.joblib', 'lzma'],
    ['joblib_xz.joblib', 'xz'],
    ['joblib_bz2.joblib', 'bzip2'],
  ] as const)('%s reaches the pickle', async (f, kind) => {
    const rec = await scanWith(ARCHIVE_HANDLERS[kind], new MemorySource(file(f)));
    expect(rec.findings).toEqual([]);
    expect(rec.members.map((m) => m.name)).toEqual(['<decompressed>']);
    expect(isPickleHead(rec.members[0]?.head ?? new Uint8Array(0))).toBe(true);
    expect(rec.inflated).toBeGreaterThan(0);
  });

  it('a bomb is archive/zip-bomb and its head is still scanned', async () => {
    const rec = await scanWith(ARCHIVE_HANDLERS.xz, new MemorySource(file('zeros16m.xz')), {
      limits: { maxInflatedBytes: 1 << 20 },
    });
    expect(ruleIds(rec)).toEqual(['archive/zip-bomb']);
    expect(rec.members[0]?.size).toBe(1 << 20);
  });

  it('a corrupt stream is archive/malformed; the decoded prefix is scanned', async () => {
    const b = file('dict.pkl.gz');
    const rec = await scanWith(ARCHIVE_HANDLERS.gzip, new MemorySource(b.subarray(0, b.length - 4)));
    expect(ruleIds(rec)).toEqual(['archive/malformed']);
    expect(rec.members.length).toBe(1);
  });

  it('a gzipped tar is unpacked through the tar handler', async () => {
    const rec = await scanWith(ARCHIVE_HANDLERS.gzip, new MemorySource(file('pax.tar.gz')));
    expect(rec.members.map((m) => m.path).slice(0, 2)).toEqual([
      '<decompressed>',
      '<decompressed>!/dict.pkl',
    ]);
  });
});

describe('ChunkedSource', () => {
  it('reads across chunk boundaries and refuses reads past the end', async () => {
    const { ChunkedSource } = await import('../src/formats/compress/index.js');
    const s = new ChunkedSource([
      Uint8Array.from([1, 2]),
      Uint8Array.from([3]),
      new Uint8Array(0),
      Uint8Array.from([4, 5, 6]),
    ]);
    expect(s.size).toBe(6);
    expect([...s.read(0, 6)]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...s.read(1, 3)]).toEqual([2, 3, 4]);
    expect([...s.read(4, 2)]).toEqual([5, 6]);
    expect(s.read(6, 0).length).toBe(0);
    expect(() => s.read(5, 2)).toThrow();
  });
});
