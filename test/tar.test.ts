import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { MemorySource } from '../src/core/source.js';
import { isTar, readTar, type TarArchive } from '../src/formats/tar/index.js';
import { isLegacyTorchTar, tarHandler } from '../src/scanners/archive/index.js';
import { isPickleHead, ruleIds, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { buildTar } from './support/tar-writer.js';

const FIX = 'test/fixtures/archive/';
const PICKLE = SYSTEM_ID_PICKLE;
const read = (b: Uint8Array): TarArchive => readTar(new MemorySource(b), DEFAULT_LIMITS);
const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('tar reader on tarfile output', () => {
  it.each(['pax.tar', 'gnu.tar', 'ustar.tar'])('%s: names (long ones too), sizes, zero-copy data', (f) => {
    const t = read(readFileSync(FIX + f));
    expect(t.anomalies).toEqual([]);
    const names = t.entries.map((e) => e.name);
    expect(names.slice(0, 2)).toEqual(['dict.pkl', 'notes.txt']);
    if (f !== 'ustar.tar') expect(names[2]).toBe(`deep/${'d'.repeat(120)}/weights.pkl`);
    expect(text(t.entries[1]?.source.read(0, 6) ?? new Uint8Array(0))).toBe('notes\n');
    expect(isPickleHead(t.entries[0]?.source.read(0, 2) ?? new Uint8Array(0))).toBe(true);
    expect(isTar(readFileSync(FIX + f).subarray(0, 512))).toBe(true);
  });

  it('symlinks and directories', () => {
    const t = read(readFileSync(`${FIX}symlink.tar`));
    expect(t.entries.map((e) => [e.name, e.kind, e.linkName])).toEqual([
      ['dict.pkl', 'file', undefined],
      ['link', 'symlink', '../outside'],
      ['dir', 'directory', undefined],
    ]);
    expect(t.entries[1]?.facts.map((f) => f.kind)).toEqual(['link', 'path-traversal']);
  });
});

describe('tar reader on hostile archives', () => {
  it('pax path and GNU long names from the builder', () => {
    const long = `x/${'y'.repeat(200)}.pkl`;
    for (const longName of ['pax', 'gnu'] as const) {
      const t = read(buildTar([{ name: long, data: PICKLE, longName }]));
      expect(t.entries.map((e) => e.name)).toEqual([long]);
      expect(t.anomalies).toEqual([]);
    }
  });

  it('bad checksum stops the walk with an anomaly', () => {
    const t = read(
      buildTar([
        { name: 'a', data: 'x' },
        { name: 'b', data: 'y', badChecksum: true },
        { name: 'c', data: 'z' },
      ]),
    );
    expect(t.entries.map((e) => e.name)).toEqual(['a']);
    expect(t.anomalies.map((a) => a.kind)).toEqual(['bad-checksum']);
  });

  it('sizes are bounded by the file', () => {
    const t = read(buildTar([{ name: 'a', data: 'x', size: 1 << 30 }]));
    expect(t.entries).toEqual([]);
    expect(t.anomalies.map((a) => a.kind)).toEqual(['truncated']);
  });

  it('pax size overrides the header size (as tarfile does)', () => {
    const t = read(buildTar([{ name: 'a', data: 'hello world', size: 1, pax: { size: '11' } }]));
    expect(t.entries[0]?.size).toBe(11);
  });

  it('absolute, .. and hard links are facts; duplicates too', () => {
    const t = read(
      buildTar([
        { name: '/etc/cron.d/job', data: 'x' },
        { name: 'a/../../up', data: 'x' },
        { name: 'hl', type: '1', linkName: '/etc/shadow' },
        { name: 'dup', data: '1' },
        { name: 'dup', data: '2' },
        { name: 'fifo', type: '6' },
      ]),
    );
    expect(t.entries.map((e) => e.facts.map((f) => f.kind))).toEqual([
      ['path-traversal'],
      ['path-traversal'],
      ['link', 'path-traversal'],
      [],
      ['duplicate-name'],
      ['special-file'],
    ]);
  });

  it('trailing data after the end marker, maxEntries', () => {
    const t = read(buildTar([{ name: 'a', data: 'x' }], { append: PICKLE }));
    expect(t.anomalies.map((a) => a.kind)).toEqual(['trailing-data']);
    const many = readTar(
      new MemorySource(buildTar(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, data: 'x' })))),
      { maxEntries: 10 },
    );
    expect(many.entries.length).toBe(10);
    expect(many.anomalies.map((a) => a.kind)).toEqual(['too-many-entries']);
  });

  it('garbage in a numeric field is a bad-header anomaly', () => {
    const b = buildTar([{ name: 'a', data: 'x' }]);
    b.set(Buffer.from('zzzzzzzzzzz'), 124);
    expect(read(b).anomalies.map((a) => a.kind)).toEqual(['bad-header']);
  });
});

describe('tar handler', () => {
  it('T42 legacy tar checkpoint: storages, tensors, pickle scanned as pickles, in loader order', async () => {
    const b = buildTar([
      { name: 'sys_info', data: '(.' },
      { name: 'pickle', data: PICKLE },
      { name: 'storages', data: PICKLE },
      { name: 'tensors', data: PICKLE },
    ]);
    expect(isLegacyTorchTar(read(b))).toBe(true);
    const rec = await scanWith(tarHandler, new MemorySource(b));
    expect(rec.formats).toContain('pytorch-tar');
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['pytorch/legacy-tar', 'info']]);
    expect(rec.members.map((m) => [m.name, m.hint])).toEqual([
      ['storages', 'pickle'],
      ['tensors', 'pickle'],
      ['pickle', 'pickle'],
      ['sys_info', undefined],
    ]);
  });

  it('the legacy tar fixture made with tarfile', async () => {
    const rec = await scanWith(tarHandler, new MemorySource(readFileSync(`${FIX}legacy_tar.pt`)));
    expect(rec.formats).toEqual(['pytorch-tar']);
    expect(rec.members.length).toBe(4);
  });

  it('generic tars: every regular file, links reported, nested tar.gz reached', async () => {
    const inner = readFileSync(`${FIX}pax.tar.gz`);
    const b = buildTar([
      { name: 'x.tgz', data: inner },
      { name: 'ln', type: '2', linkName: '../../etc/passwd' },
      { name: 'sub', type: '5' },
    ]);
    const rec = await scanWith(tarHandler, new MemorySource(b));
    expect(ruleIds(rec)).toEqual(['archive/path-traversal']);
    expect(rec.members.map((m) => m.path)).toEqual([
      'x.tgz',
      'x.tgz!/<decompressed>',
      'x.tgz!/<decompressed>!/dict.pkl',
      'x.tgz!/<decompressed>!/notes.txt',
      `x.tgz!/<decompressed>!/deep/${'d'.repeat(120)}/weights.pkl`,
    ]);
  });

  it('bad checksum and trailing pickle are findings; the trailing bytes are scanned', async () => {
    const rec = await scanWith(
      tarHandler,
      new MemorySource(buildTar([{ name: 'a', data: 'x' }], { append: PICKLE })),
    );
    expect(ruleIds(rec)).toEqual(['archive/prepended-data']);
    expect(rec.members.map((m) => m.name)).toEqual(['a', '<trailing>']);
    const bad = await scanWith(
      tarHandler,
      new MemorySource(buildTar([{ name: 'a', data: 'x', badChecksum: true }])),
    );
    expect(ruleIds(bad)).toEqual(['archive/malformed']);
  });
});
