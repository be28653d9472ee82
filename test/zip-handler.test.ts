import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import { zipHandler } from '../src/scanners/archive/index.js';
import {
  isPickleHead,
  type Recording,
  ruleIds,
  SYSTEM_ID_PICKLE,
  scanWith,
} from './support/archive-context.js';
import { buildTar } from './support/tar-writer.js';
import { buildZip, type ZipEntrySpec } from './support/zip-writer.js';

const FIX = 'test/fixtures/archive/';
const PICKLE = SYSTEM_ID_PICKLE;
const F32 = new Uint8Array(new Float32Array([0.5, -1.25, 3, 4]).buffer);

function torchZip(extra: ZipEntrySpec[] = [], prefix = 'archive/'): Uint8Array {
  return buildZip([
    { name: `${prefix}data.pkl`, data: PICKLE },
    { name: `${prefix}data/0`, data: F32 },
    { name: `${prefix}version`, data: '3\n' },
    ...extra,
  ]);
}
const scan = (bytes: Uint8Array, limits = {}): Promise<Recording> =>
  scanWith(zipHandler, new MemorySource(bytes), { limits });
const pickledMembers = (rec: Recording): string[] =>
  rec.members.filter((m) => isPickleHead(m.head)).map((m) => m.path);

describe('zip handler: PyTorch layouts', () => {
  it('scans data.pkl with the pickle hint and only sniffs tensor storage', async () => {
    const rec = await scan(torchZip());
    expect(rec.formats).toContain('pytorch-zip');
    expect(rec.members.map((m) => [m.path, m.hint])).toEqual([
      ['archive/data.pkl', 'pickle'],
      ['archive/version', undefined],
    ]);
    expect(rec.findings).toEqual([]);
  });

  it('a tensor member whose head is a pickle or a container is scanned', async () => {
    const rec = await scan(
      torchZip([
        { name: 'archive/data/1', data: PICKLE },
        { name: 'archive/data/2', data: buildZip([{ name: 'x.pkl', data: PICKLE }]) },
      ]),
    );
    expect(pickledMembers(rec)).toEqual(['archive/data.pkl', 'archive/data/1', 'archive/data/2!/x.pkl']);
  });

  it('real torch.save and TorchScript archives: clean, TorchScript noted', async () => {
    const sd = await scan(readFileSync(`${FIX}state_dict.pt`));
    expect(ruleIds(sd)).toEqual([]);
    expect(sd.members.find((m) => m.hint === 'pickle')?.name).toBe('state_dict/data.pkl');
    expect(sd.members.some((m) => m.name.includes('/data/'))).toBe(false);
    const ts = await scan(readFileSync(`${FIX}scripted.pt`));
    expect(ts.formats).toEqual(expect.arrayContaining(['pytorch-zip', 'torchscript']));
    expect(ts.findings.map((f) => [f.ruleId, f.severity])).toEqual([['pytorch/torchscript-code', 'info']]);
    expect(ts.members.map((m) => m.name)).toContain('scripted/constants.pkl');
  });

  it('npz members are numpy', async () => {
    const rec = await scan(readFileSync(`${FIX}arrays_compressed.npz`));
    expect(rec.formats).toContain('npz');
    expect(rec.members.map((m) => [m.name, m.hint])).toEqual([['a.npy', 'numpy']]);
    expect(rec.inflated).toBeGreaterThan(0);
  });
});

describe('zip handler: divergences become findings and the payload is still reached', () => {
  it('T34 a pickle named .txt is handed to the engine', async () => {
    const rec = await scan(buildZip([{ name: 'notes.txt', data: PICKLE, method: 'deflate' }]));
    expect(pickledMembers(rec)).toEqual(['notes.txt']);
  });

  it.each([0x1, 0x20, 0x40])(
    'T36 flag 0x%s in central+local: flag-bits, unsupported when encrypted, raw bytes scanned',
    async (flag) => {
      const rec = await scan(torchZip([{ name: 'archive/extra.pkl', data: PICKLE, flags: flag }]));
      expect(ruleIds(rec)).toEqual(
        flag === 0x20 ? ['archive/flag-bits'] : ['archive/flag-bits', 'archive/unsupported'],
      );
      expect(pickledMembers(rec)).toContain('archive/extra.pkl');
    },
  );

  it('T36 local-only flag: flag-bits only (loaders use the central flags)', async () => {
    const rec = await scan(buildZip([{ name: 'a.pkl', data: PICKLE, localFlags: 0x1 }]));
    expect(ruleIds(rec)).toEqual(['archive/flag-bits']);
    expect(rec.findings[0]?.message).toContain('local header only');
  });

  it('T37 name mismatch (high) and the member is scanned', async () => {
    const rec = await scan(
      buildZip([{ name: 'archive/data.pkl', localName: 'archive/datap.kl', data: PICKLE }]),
    );
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['archive/name-mismatch', 'high']]);
    expect(pickledMembers(rec)).toEqual(['archive/data.pkl']);
  });

  it('T38 bad CRC: no finding of its own, payload scanned', async () => {
    const rec = await scan(torchZip().map((b) => b));
    const bad = await scan(
      buildZip([
        { name: 'archive/data.pkl', data: PICKLE, crc: 1 },
        { name: 'archive/version', data: '3' },
      ]),
    );
    expect(ruleIds(bad)).toEqual([]);
    expect(pickledMembers(bad)).toEqual(['archive/data.pkl']);
    expect(rec.members.length).toBe(2);
  });

  it('T39 duplicate names: one medium finding, every copy scanned', async () => {
    const rec = await scan(
      buildZip([
        { name: 'archive/data.pkl', data: '(.' },
        { name: 'archive/data.pkl', data: PICKLE },
        { name: 'archive/version', data: '3' },
      ]),
    );
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['archive/duplicate-name', 'medium']]);
    expect(rec.members.filter((m) => m.name === 'archive/data.pkl').length).toBe(2);
  });

  it('T35 prepended pickle is scanned as <prepended>', async () => {
    const rec = await scan(buildZip([{ name: 'a.txt', data: 'hello' }], { prepend: PICKLE }));
    expect(ruleIds(rec)).toEqual(['archive/prepended-data']);
    expect(pickledMembers(rec)).toEqual(['<prepended>']);
  });

  it('path traversal and symlinks', async () => {
    const rec = await scan(
      buildZip([
        { name: '../evil.pkl', data: PICKLE },
        { name: 'l', data: '/etc', unixMode: 0o120777 },
      ]),
    );
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['archive/path-traversal', 'high'],
      ['archive/path-traversal', 'medium'],
    ]);
  });

  it('unreadable archives are archive/malformed findings, not exceptions', async () => {
    const rec = await scan(buildZip([{ name: 'a', data: 'x' }], { eocd: { centralOffset: 1 << 30 } }));
    expect(ruleIds(rec)).toEqual(['archive/malformed']);
    const junk = await scanWith(zipHandler, new MemorySource(Uint8Array.from([0x50, 0x4b, 3, 4, 9, 9])));
    expect(ruleIds(junk)).toEqual(['archive/malformed']);
  });

  it('unknown compression method is unsupported', async () => {
    const rec = await scan(buildZip([{ name: 'a.pkl', data: PICKLE, method: 12 }]));
    expect(ruleIds(rec)).toEqual(['archive/unsupported']);
    expect(rec.members).toEqual([]);
  });
});

describe('zip handler: nesting, bombs and limits', () => {
  it('T43 zip in zip and tar in zip reach the inner pickle', async () => {
    const inner = buildZip([{ name: 'evil.bin', data: PICKLE }]);
    const tar = buildTar([{ name: 'in/tar.pkl', data: PICKLE }]);
    const rec = await scan(
      buildZip([
        { name: 'inner.zip', data: inner, method: 'deflate' },
        { name: 'x.tar', data: tar },
      ]),
    );
    expect(pickledMembers(rec)).toEqual(['inner.zip!/evil.bin', 'x.tar!/in/tar.pkl']);
  });

  it('T43 nesting beyond maxDepth stops with archive/too-deep', async () => {
    let z = buildZip([{ name: 'payload.pkl', data: PICKLE }]);
    for (let i = 0; i < 8; i++) z = buildZip([{ name: `level${i}.zip`, data: z }]);
    const rec = await scan(z, { maxDepth: 4 });
    expect(ruleIds(rec)).toEqual(['archive/too-deep']);
    expect(pickledMembers(rec)).toEqual([]);
  });

  it('a deflate bomb is reported and memory stays bounded', async () => {
    const data = new Uint8Array(64 << 20);
    data.set(PICKLE);
    const bytes = buildZip([{ name: 'bomb.pkl', data, method: 'deflate' }]);
    const rec = await scan(bytes, { maxInflatedBytes: 8 << 20 });
    expect(ruleIds(rec)).toEqual(['archive/zip-bomb']);
    const head = rec.members[0];
    expect(head?.size ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(1 << 20);
    expect(isPickleHead(head?.head ?? new Uint8Array(0))).toBe(true);
  });

  it('an entry-count bomb stops at maxEntries', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({ name: `f${i}`, data: '' }));
    const rec = await scan(buildZip(many), { maxEntries: 1000 });
    expect(ruleIds(rec)).toContain('archive/too-many-entries');
    expect(rec.members.length).toBeLessThanOrEqual(1000);
  });

  it('the total inflation budget stops further inflation', async () => {
    const data = new Uint8Array(200_000).map((_, i) => (i * 31) % 256);
    const rec = await scan(
      buildZip([
        { name: 'a', data, method: 'deflate' },
        { name: 'b', data, method: 'deflate' },
        { name: 'c', data, method: 'deflate' },
      ]),
      { maxTotalInflatedBytes: 250_000 },
    );
    expect(ruleIds(rec)).toContain('scan/total-inflated-limit');
    expect(rec.members.map((m) => m.name)).toEqual(['a', 'b']);
  });
});

/** A virtual file: zeros except the given segments. Counts the bytes read. */
class SparseSource implements ByteSource {
  readBytes = 0;
  constructor(
    readonly size: number,
    private readonly segments: Array<[number, Uint8Array]>,
  ) {}
  read(offset: number, length: number): Uint8Array {
    this.readBytes += length;
    const out = new Uint8Array(length);
    for (const [at, seg] of this.segments) {
      const s = Math.max(at, offset);
      const e = Math.min(at + seg.length, offset + length);
      if (s < e) out.set(seg.subarray(s - at, e - at), s - offset);
    }
    return out;
  }
}

describe('zip handler: big checkpoints are never read whole', () => {
  it('a 600 MB stored checkpoint is scanned with a few kilobytes of reads', async () => {
    const tensor = 100 << 20;
    // Lay the zip out with tiny stand-ins, then move the tensor data apart by rewriting offsets.
    const names = ['big/data.pkl', ...Array.from({ length: 6 }, (_, i) => `big/data/${i}`), 'big/version'];
    const segments: Array<[number, Uint8Array]> = [];
    const central: ZipEntrySpec[] = [];
    let at = 0;
    for (const name of names) {
      const size = name.includes('/data/') ? tensor : name.endsWith('pkl') ? PICKLE.length : 2;
      const head = buildZip([
        {
          name,
          data: name.endsWith('pkl') ? PICKLE : name.includes('/data/') ? new Uint8Array(0) : '3\n',
          compressedSize: size,
          uncompressedSize: size,
        },
      ]);
      const localLen = 30 + name.length;
      segments.push([at, head.subarray(0, localLen + (name.includes('/data/') ? 0 : size))]);
      central.push({
        name,
        data: new Uint8Array(0),
        compressedSize: size,
        uncompressedSize: size,
        localHeaderOffset: at,
      });
      at += localLen + size;
    }
    const dir = buildZip(central, { omitCentral: false });
    const cdLen = central.reduce((n, c) => n + 46 + c.name.length, 0);
    const localsLen = central.reduce((n, c) => n + 30 + c.name.length, 0);
    const cd = dir.subarray(localsLen, localsLen + cdLen);
    const eocd = Uint8Array.from(dir.subarray(dir.length - 22));
    new DataView(eocd.buffer).setUint32(16, at, true);
    segments.push([at, cd], [at + cd.length, eocd]);
    const src = new SparseSource(at + cd.length + eocd.length, segments);
    const t0 = performance.now();
    const rec = await scanWith(zipHandler, src);
    expect(rec.findings).toEqual([]);
    expect(rec.members.map((m) => m.name)).toEqual(['big/data.pkl', 'big/version']);
    expect(src.readBytes).toBeLessThan(256 * 1024);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});
