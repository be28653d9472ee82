/**
 * Hostile-input tests for the container parsers: truncation at every offset and 1,000 seeded random
 * mutations each. Every call must return a typed result or throw a ModelguardError, never anything else,
 * and never hang. The handlers must not throw at all (they turn errors into findings).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelguardError } from '../src/core/errors.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { MemorySource } from '../src/core/source.js';
import { parseNpyHeader } from '../src/formats/numpy/index.js';
import { readTar } from '../src/formats/tar/index.js';
import { openEntry, readZipDirectory, sniffEntry } from '../src/formats/zip/index.js';
import { tarHandler, zipHandler } from '../src/scanners/archive/index.js';
import { numpyHandler } from '../src/scanners/numpy/index.js';
import type { FormatHandler } from '../src/scanners/types.js';
import { scanWith } from './support/archive-context.js';
import { mutate, prng } from './support/hostile.js';
import { buildTar } from './support/tar-writer.js';
import { buildZip } from './support/zip-writer.js';

const LIMITS = { ...DEFAULT_LIMITS, maxEntries: 64, maxInflatedBytes: 1 << 20 };
const MUTATIONS = 1000;

const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x50, 0x4b, 0x30, 0x37, 0x20];

/** Runs `fn`; anything thrown must be a ModelguardError. */
function typedOnly(fn: () => unknown, label: string): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ModelguardError))
      throw new Error(`${label}: untyped ${(e as Error)?.name}: ${(e as Error)?.message}`);
  }
}

const PICKLE = Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]);
const ZIP = buildZip([
  { name: 'archive/data.pkl', data: PICKLE },
  { name: 'archive/data/0', data: new Uint8Array(40).fill(3), method: 'deflate' },
  { name: 'archive/version', data: '3\n' },
]);
const ZIP64 = buildZip([{ name: 'a', data: 'hello', method: 'deflate' }], { zip64: true });
const TAR = buildTar([
  { name: 'dict.pkl', data: PICKLE },
  { name: `long/${'n'.repeat(120)}`, data: 'x' },
  { name: 'ln', type: '2', linkName: '../x' },
]);
const NPY = new Uint8Array(readFileSync('test/fixtures/archive/structured.npy'));
const NPY_OBJ = new Uint8Array(readFileSync('test/fixtures/archive/object.npy'));

function zipAll(bytes: Uint8Array, label: string): void {
  const src = new MemorySource(bytes);
  let entries: ReturnType<typeof readZipDirectory>['entries'] = [];
  typedOnly(() => {
    entries = readZipDirectory(src, LIMITS).entries;
  }, label);
  for (const e of entries) {
    typedOnly(() => openEntry(src, e, LIMITS), `${label} open ${e.name}`);
    typedOnly(() => sniffEntry(src, e), `${label} sniff ${e.name}`);
  }
}

const parsers: Array<[string, Uint8Array, (b: Uint8Array, label: string) => void]> = [
  ['zip', ZIP, zipAll],
  ['zip64', ZIP64, zipAll],
  ['tar', TAR, (b, l) => typedOnly(() => readTar(new MemorySource(b), LIMITS), l)],
  ['npy', NPY, (b, l) => typedOnly(() => parseNpyHeader(new MemorySource(b)), l)],
  ['npy-object', NPY_OBJ, (b, l) => typedOnly(() => parseNpyHeader(new MemorySource(b)), l)],
];

describe.each(parsers)('%s parser', (name, base, run) => {
  it('survives truncation at every offset', () => {
    for (let n = 0; n <= base.length; n++) run(base.subarray(0, n), `${name} truncated to ${n}`);
  });

  it(`survives ${MUTATIONS} seeded random mutations`, () => {
    const rnd = prng(0x5eed ^ base.length);
    for (let i = 0; i < MUTATIONS; i++) run(mutate(base, rnd, SPECIAL), `${name} mutation ${i}`);
  });
});

const handlers: Array<[string, Uint8Array, FormatHandler]> = [
  ['zip', ZIP, zipHandler],
  ['tar', TAR, tarHandler],
  ['npy', NPY_OBJ, numpyHandler],
];

describe.each(handlers)('%s handler', (name, base, handler) => {
  it('never throws on truncated or mutated input', async () => {
    const rnd = prng(0xbad ^ base.length);
    const inputs = [
      ...Array.from({ length: Math.min(base.length, 200) }, (_, i) =>
        base.subarray(0, Math.floor((i * base.length) / 200)),
      ),
      ...Array.from({ length: 300 }, () => mutate(base, rnd, SPECIAL)),
    ];
    for (const input of inputs) {
      await expect(
        scanWith(handler, new MemorySource(input), { limits: LIMITS }),
        name,
      ).resolves.toBeDefined();
    }
  });
});

describe('entry-count amplification', () => {
  it('a zip of 20,000 copies of one name costs linear time and memory and yields one finding', async () => {
    const entries = Array.from({ length: 20_000 }, () => ({
      name: 'archive/data.pkl',
      data: Uint8Array.from([0x80, 0x02, 0x4e, 0x2e]),
    }));
    const zip = buildZip(entries);
    const dir = readZipDirectory(new MemorySource(zip), DEFAULT_LIMITS);
    const detail = dir.entries[0]?.facts.find((f) => f.kind === 'duplicate-name')?.detail ?? '';
    expect(detail).toContain('20,000 times');
    expect(detail.length).toBeLessThan(300);
    const rec = await scanWith(zipHandler, new MemorySource(zip), { limits: DEFAULT_LIMITS });
    expect(rec.findings.filter((f) => f.ruleId === 'archive/duplicate-name')).toHaveLength(1);
  });
});
