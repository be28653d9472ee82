import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ModelguardError } from '../src/core/errors.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { MemorySource } from '../src/core/source.js';
import {
  hasZipEnd,
  isZip,
  openEntry,
  readZipDirectory,
  sniffEntry,
  type ZipDirectory,
  type ZipEntry,
} from '../src/formats/zip/index.js';
import { SYSTEM_ID_PICKLE } from './support/archive-context.js';
import { buildZip, crc32 } from './support/zip-writer.js';

const FIX = 'test/fixtures/archive/';
const PICKLE = SYSTEM_ID_PICKLE;

function read(bytes: Uint8Array): ZipDirectory {
  return readZipDirectory(new MemorySource(bytes), DEFAULT_LIMITS);
}
function facts(e: ZipEntry | undefined): string[] {
  return (e?.facts ?? []).map((f) => f.kind);
}
function open(bytes: Uint8Array, e: ZipEntry): Uint8Array {
  const src = new MemorySource(bytes);
  const r = openEntry(src, e, DEFAULT_LIMITS);
  if (!r.ok) throw new Error(r.message);
  return Uint8Array.from(r.source.read(0, r.source.size));
}

describe('zip reader on files made by Python and torch', () => {
  it('reads stored, deflated and directory entries of zipfile output', () => {
    const bytes = readFileSync(`${FIX}mixed.zip`);
    const d = read(bytes);
    expect(d.anomalies).toEqual([]);
    expect(d.entries.map((e) => [e.name, e.method])).toEqual([
      ['readme.txt', 0],
      ['nested/dict.pkl', 8],
      ['empty/', 0],
    ]);
    const pkl = open(bytes, d.entries[1] as ZipEntry);
    expect(pkl[0]).toBe(0x80);
    expect(crc32(pkl)).toBe(d.entries[1]?.crc32);
    expect(isZip(bytes.subarray(0, 4))).toBe(true);
  });

  it('reads ZIP64 extra fields written by zipfile(force_zip64=True)', () => {
    const bytes = readFileSync(`${FIX}zip64.zip`);
    const d = read(bytes);
    expect(d.anomalies).toEqual([]);
    expect(d.entries[0]?.uncompressedSize).toBe(4096);
    expect(open(bytes, d.entries[0] as ZipEntry).length).toBe(4096);
  });

  it('reads torch and TorchScript archives without anomalies', () => {
    for (const f of ['state_dict.pt', 'scripted.pt', 'arrays.npz', 'arrays_compressed.npz']) {
      const d = read(readFileSync(FIX + f));
      expect(d.anomalies, f).toEqual([]);
      expect(
        d.entries.every((e) => e.facts.length === 0),
        f,
      ).toBe(true);
    }
  });
});

describe('zip reader on hostile archives (facts, never exceptions)', () => {
  it.each([
    [0x1, 'encrypted'],
    [0x20, 'patched'],
    [0x40, 'strong encryption'],
  ])('T36 flag 0x%s in central and local headers', (flag, word) => {
    const bytes = buildZip([{ name: 'archive/data.pkl', data: PICKLE, flags: flag }]);
    const e = read(bytes).entries[0];
    expect(facts(e)).toEqual(['flag-bits']);
    expect(e?.facts[0]?.detail).toContain(word);
    expect(e?.facts[0]?.detail).toContain('central and local');
    expect(open(bytes, e as ZipEntry)).toEqual(PICKLE);
  });

  it('T36 flag bits in the local header only', () => {
    const e = read(buildZip([{ name: 'data.pkl', data: PICKLE, localFlags: 0x1 }])).entries[0];
    expect(e?.flags).toBe(0);
    expect(e?.localFlags).toBe(1);
    expect(e?.facts[0]?.detail).toContain('local header only');
  });

  it('T37 local name differs from the central name', () => {
    const bytes = buildZip([{ name: 'archive/data.pkl', localName: 'archive/datap.kl', data: PICKLE }]);
    const e = read(bytes).entries[0] as ZipEntry;
    expect(e.name).toBe('archive/data.pkl');
    expect(e.localName).toBe('archive/datap.kl');
    expect(facts(e)).toEqual(['name-mismatch']);
    expect(open(bytes, e)).toEqual(PICKLE);
  });

  it('T38 bad CRC is exposed, not checked', () => {
    const bytes = buildZip([{ name: 'data.pkl', data: PICKLE, crc: 0xdeadbeef, method: 'deflate' }]);
    const e = read(bytes).entries[0] as ZipEntry;
    expect(e.crc32).toBe(0xdeadbeef);
    expect(e.facts).toEqual([]);
    expect(open(bytes, e)).toEqual(PICKLE);
  });

  it('T39 duplicate names name the copy loaders use', () => {
    const d = read(
      buildZip([
        { name: 'a/data.pkl', data: 'x' },
        { name: 'a/data.pkl', data: PICKLE },
      ]),
    );
    expect(d.entries.map(facts)).toEqual([['duplicate-name'], ['duplicate-name']]);
    expect(d.entries[0]?.facts[0]?.detail).toContain('entry 1');
  });

  it('prepended data (pickle + zip polyglot, T35), with shifted and with absolute offsets', () => {
    for (const absoluteOffsets of [false, true]) {
      const d = read(buildZip([{ name: 'a.txt', data: 'hello' }], { prepend: PICKLE, absoluteOffsets }));
      const a = d.anomalies.find((x) => x.kind === 'prepended-data');
      expect(a?.length).toBe(PICKLE.length);
      expect(d.shift).toBe(absoluteOffsets ? 0 : PICKLE.length);
      expect(d.entries[0]?.dataOffset).toBeDefined();
    }
  });

  it('trailing data after the end record', () => {
    const d = read(buildZip([{ name: 'a', data: 'x' }], { append: PICKLE }));
    expect(d.anomalies.map((a) => a.kind)).toContain('trailing-data');
  });

  it('ZIP64 end record, locator and extra fields from the writer', () => {
    const bytes = buildZip(
      [
        { name: 'a.bin', data: 'abc' },
        { name: 'b.pkl', data: PICKLE, method: 'deflate' },
      ],
      { zip64: true },
    );
    const d = read(bytes);
    expect(d.zip64).toBe(true);
    expect(d.anomalies).toEqual([]);
    expect(open(bytes, d.entries[1] as ZipEntry)).toEqual(PICKLE);
  });

  it('end record pointing outside the file is a typed error', () => {
    const bytes = buildZip([{ name: 'a', data: 'x' }], { eocd: { centralOffset: 10_000_000 } });
    expect(() => read(bytes)).toThrow(ModelguardError);
    expect(() => read(Uint8Array.from([1, 2, 3]))).toThrow(/end-of-central-directory/);
  });

  it('central directory offsets past EOF and local headers outside the file are facts', () => {
    const d = read(
      buildZip([
        { name: 'a', data: 'x', localHeaderOffset: 99_999 },
        { name: 'b', data: 'y' },
      ]),
    );
    expect(facts(d.entries[0])).toEqual(['bad-local-header']);
    expect(facts(d.entries[1])).toEqual([]);
    const r = openEntry(new MemorySource(new Uint8Array(0)), d.entries[0] as ZipEntry, DEFAULT_LIMITS);
    expect(r.ok).toBe(false);
  });

  it('data running past the end of the file is a fact', () => {
    const d = read(buildZip([{ name: 'a', data: 'x', compressedSize: 1 << 30 }]));
    expect(facts(d.entries[0])).toContain('bad-local-header');
    expect(d.entries[0]?.dataOffset).toBeUndefined();
  });

  it('entry count mismatch and too many entries', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, data: 'x' }));
    const d = readZipDirectory(new MemorySource(buildZip(many)), { ...DEFAULT_LIMITS, maxEntries: 10 });
    expect(d.entries.length).toBe(10);
    expect(d.anomalies.map((a) => a.kind)).toContain('too-many-entries');
    const lie = read(buildZip([{ name: 'a', data: 'x' }], { eocd: { entryCount: 5 } }));
    expect(lie.anomalies.map((a) => a.kind)).toContain('count-mismatch');
  });

  it('path traversal and symlink entries', () => {
    const d = read(
      buildZip([
        { name: '../../etc/cron.d/x', data: 'x' },
        { name: '/abs/path', data: 'x' },
        { name: 'C:\\win.ini', data: 'x' },
        { name: 'link', data: '/etc/passwd', unixMode: 0o120777 },
        { name: 'ok/file..txt', data: 'x' },
      ]),
    );
    expect(d.entries.map(facts)).toEqual([
      ['path-traversal'],
      ['path-traversal'],
      ['path-traversal'],
      ['symlink'],
      [],
    ]);
  });

  it('unsupported compression methods are facts and fail to open', () => {
    const bytes = buildZip([{ name: 'a', data: 'x', method: 14 }]);
    const e = read(bytes).entries[0] as ZipEntry;
    expect(facts(e)).toEqual(['unsupported-method']);
    const r = openEntry(new MemorySource(bytes), e, DEFAULT_LIMITS);
    expect(r.ok ? 'ok' : r.reason).toBe('unsupported-method');
  });

  it('overlapping entries (Fifield-style bomb) are facts', () => {
    const base = buildZip([{ name: 'a', data: 'abcdef' }]);
    const d = read(
      buildZip([
        { name: 'a', data: 'abcdef' },
        { name: 'b', data: 'x', localHeaderOffset: 0 },
      ]),
    );
    expect(facts(d.entries[0])).toContain('overlap');
    expect(base.length).toBeGreaterThan(0);
  });
});

describe('zip inflation is bounded', () => {
  it('a 100 MB zero member stops at the ratio cap and keeps a bounded head', () => {
    const zeros = new Uint8Array(100 << 20);
    const compressed = deflateRawSync(zeros);
    const bytes = buildZip([{ name: 'bomb.pkl', data: new Uint8Array(0), method: 'stored' }]);
    // Splice the deflate stream in by hand: the writer would deflate 100 MB again.
    const d0 = read(bytes);
    const e = {
      ...(d0.entries[0] as ZipEntry),
      method: 8,
      compressedSize: compressed.length,
      uncompressedSize: zeros.length,
      dataOffset: 0,
    };
    const rss = process.memoryUsage().rss;
    const r = openEntry(new MemorySource(compressed), e, DEFAULT_LIMITS);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('bomb');
    expect(r.message).toMatch(/maxCompressionRatio/);
    expect(r.partial?.size ?? 0).toBeLessThanOrEqual(1 << 20);
    expect(process.memoryUsage().rss - rss).toBeLessThan(400 << 20);
  });

  it('maxInflatedBytes caps a member', () => {
    const data = new Uint8Array(300_000).map((_, i) => (i * 7919) % 251);
    const bytes = buildZip([{ name: 'x', data, method: 'deflate' }]);
    const e = read(bytes).entries[0] as ZipEntry;
    const r = openEntry(new MemorySource(bytes), e, { ...DEFAULT_LIMITS, maxInflatedBytes: 100_000 });
    expect(r.ok ? 'ok' : r.reason).toBe('bomb');
    expect(r.ok ? 0 : (r.partial?.size ?? 0)).toBeLessThanOrEqual(100_000);
  });

  it('corrupt deflate data fails with inflate-error', () => {
    const bytes = buildZip([
      { name: 'x', data: Uint8Array.from([0xff, 0xff, 0xff, 0xff]), method: 'stored' },
    ]);
    const e = read(bytes).entries[0] as ZipEntry;
    expect(openEntry(new MemorySource(bytes), { ...e, method: 8 }, DEFAULT_LIMITS).ok).toBe(false);
  });

  it('sniffEntry reads only the head of stored and deflated members', () => {
    const bytes = buildZip([
      { name: 's', data: PICKLE },
      { name: 'd', data: PICKLE, method: 'deflate' },
    ]);
    const d = read(bytes);
    for (const e of d.entries)
      expect(Uint8Array.from(sniffEntry(new MemorySource(bytes), e, 4))).toEqual(PICKLE.subarray(0, 4));
    expect(hasZipEnd(new MemorySource(bytes))).toBe(true);
  });
});
