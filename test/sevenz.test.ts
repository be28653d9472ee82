import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { MemorySource } from '../src/core/source.js';
import { extractSevenZip, isSevenZip, listSevenZip } from '../src/formats/sevenz/index.js';
import { sevenZipHandler } from '../src/scanners/archive/index.js';
import { isPickleHead, ruleIds, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { buildZip } from './support/zip-writer.js';

const CORPUS_7Z = resolve(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'corpora',
  'picklescan',
  'files',
  'malicious1.7z',
);
const PICKLE = SYSTEM_ID_PICKLE;

interface EmFs {
  mkdir(p: string): void;
  writeFile(p: string, d: Uint8Array): void;
  readFile(p: string): Uint8Array;
  chdir(p: string): void;
}

/** Builds a 7z archive with 7-Zip itself (7z-wasm, in memory). `args` are extra switches (-p…, -mhe=on). */
async function make7z(files: Record<string, Uint8Array>, args: string[] = []): Promise<Uint8Array> {
  const mod: unknown = await import('7z-wasm');
  const factory = ((mod as { default?: unknown }).default ?? mod) as (
    o: object,
  ) => Promise<{ FS: EmFs; callMain(a: string[]): number }>;
  const sz = await factory({ print: () => {}, printErr: () => {} });
  sz.FS.mkdir('/w');
  sz.FS.chdir('/w');
  for (const [name, data] of Object.entries(files)) {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      try {
        sz.FS.mkdir(`/w/${parts.slice(0, i).join('/')}`);
      } catch {
        // exists
      }
    }
    sz.FS.writeFile(`/w/${name}`, data);
  }
  const rc = sz.callMain(['a', '-t7z', '-bsp0', '-bso0', ...args, '/out.7z', ...Object.keys(files)]);
  if (rc !== 0) throw new Error(`7z a failed: ${rc}`);
  return sz.FS.readFile('/out.7z');
}

describe('7z reader (7-Zip in wasm)', () => {
  it.skipIf(!existsSync(CORPUS_7Z))(
    'picklescan malicious1.7z: data.pkl is listed and extracted',
    async () => {
      const src = new MemorySource(readFileSync(CORPUS_7Z));
      expect(isSevenZip(src.read(0, 6))).toBe(true);
      const l = await listSevenZip(src, DEFAULT_LIMITS);
      expect(l.problem).toBeUndefined();
      expect(l.entries.map((e) => [e.name, e.size])).toEqual([['data.pkl', 51]]);
      const x = await extractSevenZip(src, l, 1 << 20, 1 << 30);
      expect(x.problems).toEqual([]);
      expect(isPickleHead(x.members[0]?.bytes ?? new Uint8Array(0))).toBe(true);
    },
  );

  it('splits a solid stream back into members by the listed sizes', async () => {
    const files = {
      'a.pkl': PICKLE,
      'b/c.bin': new Uint8Array(5000).fill(7),
      'empty.txt': new Uint8Array(0),
      'z.txt': Buffer.from('zzz'),
    };
    const src = new MemorySource(await make7z(files));
    const l = await listSevenZip(src, DEFAULT_LIMITS);
    const x = await extractSevenZip(src, l, 1 << 20, 1 << 30);
    const got = Object.fromEntries(
      x.members.map((m) => [m.entry.name, Buffer.from(m.bytes).toString('hex')]),
    );
    for (const [name, data] of Object.entries(files))
      expect(got[name], name).toBe(Buffer.from(data).toString('hex'));
  });

  it('members over the per-member cap keep their head; the total budget stops decoding', async () => {
    const big = new Uint8Array(3 << 20);
    big.set(PICKLE);
    const src = new MemorySource(await make7z({ 'big.pkl': big, 'small.pkl': PICKLE }));
    const l = await listSevenZip(src, DEFAULT_LIMITS);
    const x = await extractSevenZip(src, l, 1 << 20, 1 << 30);
    const bigM = x.members.find((m) => m.entry.name === 'big.pkl');
    expect(bigM?.complete).toBe(false);
    expect(bigM?.bytes.length).toBe(1 << 20);
    expect(x.members.find((m) => m.entry.name === 'small.pkl')?.complete).toBe(true);
    const budget = await extractSevenZip(src, l, 8 << 20, 1 << 20);
    expect(budget.stoppedAtBudget).toBe(true);
  });

  it('maxEntries bounds the listing', async () => {
    const files = Object.fromEntries(
      Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, Buffer.from(String(i))]),
    );
    const l = await listSevenZip(new MemorySource(await make7z(files)), { maxEntries: 5 });
    expect(l.entries.length).toBe(5);
    expect(l.truncated).toBe(true);
  });
});

describe('7z handler', () => {
  it('T40 a 7z-wrapped PyTorch zip reaches data.pkl', async () => {
    const pt = buildZip([
      { name: 'archive/data.pkl', data: PICKLE },
      { name: 'archive/version', data: '3\n' },
    ]);
    const rec = await scanWith(sevenZipHandler, new MemorySource(await make7z({ 'model.bin': pt })));
    expect(rec.findings).toEqual([]);
    expect(rec.formats).toContain('pytorch-zip');
    expect(rec.members.filter((m) => isPickleHead(m.head)).map((m) => m.path)).toEqual([
      'model.bin!/archive/data.pkl',
    ]);
  });

  it('encrypted content is archive/unsupported, never silence', async () => {
    const rec = await scanWith(
      sevenZipHandler,
      new MemorySource(await make7z({ 'a.pkl': PICKLE }, ['-psecret'])),
    );
    expect(ruleIds(rec)).toEqual(['archive/unsupported']);
    expect(rec.members).toEqual([]);
  });

  it('encrypted headers are archive/unsupported', async () => {
    const rec = await scanWith(
      sevenZipHandler,
      new MemorySource(await make7z({ 'a.pkl': PICKLE }, ['-psecret', '-mhe=on'])),
    );
    expect(ruleIds(rec)).toEqual(['archive/unsupported']);
  });

  it('a corrupt archive is a finding', async () => {
    const b = await make7z({ 'a.pkl': PICKLE, 'b.txt': new Uint8Array(2000).fill(1) });
    const cut = await scanWith(sevenZipHandler, new MemorySource(b.subarray(0, b.length - 20)));
    expect(cut.findings.length).toBeGreaterThan(0);
    expect(cut.findings.every((f) => f.severity === 'high')).toBe(true);
    const flipped = Uint8Array.from(b);
    flipped[40] = (flipped[40] as number) ^ 0xff;
    const bad = await scanWith(sevenZipHandler, new MemorySource(flipped));
    expect(bad.findings.length).toBeGreaterThan(0);
  });

  it('a member over maxInflatedBytes is a bomb finding; its head is scanned', async () => {
    const big = new Uint8Array(4 << 20);
    big.set(PICKLE);
    const rec = await scanWith(sevenZipHandler, new MemorySource(await make7z({ 'big.pkl': big })), {
      limits: { maxInflatedBytes: 1 << 20 },
    });
    expect(ruleIds(rec)).toEqual(['archive/zip-bomb']);
    expect(isPickleHead(rec.members[0]?.head ?? new Uint8Array(0))).toBe(true);
  });
});

describe('7z handler: ratio bombs', () => {
  it('a solid archive of zeros stops at maxCompressionRatio', async () => {
    const zeros = new Uint8Array(8 << 20);
    const rec = await scanWith(
      sevenZipHandler,
      new MemorySource(await make7z({ 'a.bin': zeros, 'b.bin': zeros })),
      { limits: { maxCompressionRatio: 100 } },
    );
    expect(ruleIds(rec)).toEqual(['archive/zip-bomb']);
  });
});
