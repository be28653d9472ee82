/**
 * The container readers and handlers against the peer corpus (../shared/corpora/picklescan/files):
 * every .zip/.7z/.npz/.npy/.pt/.bin opens without crashing, and each malicious container hands its
 * pickle to the engine (the verdict itself is the engine's test, test/picklescan-corpus.test.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { ARCHIVE_HANDLERS } from '../src/scanners/archive/index.js';
import { numpyHandler } from '../src/scanners/numpy/index.js';
import type { FormatHandler, FormatId } from '../src/scanners/types.js';
import {
  isPickleHead,
  type Recording,
  ruleIds,
  scanWith,
  sniffContainer,
} from './support/archive-context.js';

const DIR = resolve(import.meta.dirname, '..', '..', 'shared', 'corpora', 'picklescan', 'files');
const HANDLERS: Partial<Record<FormatId, FormatHandler>> = { ...ARCHIVE_HANDLERS, numpy: numpyHandler };
const FILES = existsSync(DIR) ? readdirSync(DIR).filter((f) => /\.(zip|7z|npz|npy|pt|bin)$/.test(f)) : [];

async function scanFile(f: string): Promise<{ format: FormatId | undefined; rec: Recording | undefined }> {
  const bytes = new Uint8Array(readFileSync(resolve(DIR, f)));
  const format = sniffContainer(bytes.subarray(0, 512));
  const handler = format === undefined ? undefined : HANDLERS[format];
  if (handler === undefined) return { format, rec: undefined };
  return { format, rec: await scanWith(handler, new MemorySource(bytes), { path: f }) };
}

const pickles = (rec: Recording | undefined): string[] =>
  (rec?.members ?? []).filter((m) => isPickleHead(m.head)).map((m) => m.path);

describe.skipIf(FILES.length === 0)('picklescan corpus containers', () => {
  it.each(FILES)('%s opens without crashing', async (f) => {
    await expect(scanFile(f)).resolves.toBeDefined();
  });

  it.each([
    'malicious1.zip',
    'malicious1_0x1.zip',
    'malicious1_0x20.zip',
    'malicious1_0x40.zip',
    'malicious1_central_directory.zip',
    'malicious1_crc.zip',
    'malicious1_wrong_ext.zip',
    'malicious1.7z',
  ])('%s: the member pickle is reached', async (f) => {
    const { rec } = await scanFile(f);
    expect(pickles(rec).length).toBeGreaterThan(0);
  });

  it('flag variants are reported: flag-bits, and unsupported where the central flags say encrypted', async () => {
    expect(ruleIds((await scanFile('malicious1_0x1.zip')).rec as Recording)).toEqual([
      'archive/flag-bits',
      'archive/unsupported',
    ]);
    expect(ruleIds((await scanFile('malicious1_0x20.zip')).rec as Recording)).toEqual(['archive/flag-bits']);
    expect(ruleIds((await scanFile('malicious1_0x40.zip')).rec as Recording)).toEqual([
      'archive/flag-bits',
      'archive/unsupported',
    ]);
  });

  it('local/central name mismatch is archive/name-mismatch', async () => {
    expect(ruleIds((await scanFile('malicious1_central_directory.zip')).rec as Recording)).toEqual([
      'archive/name-mismatch',
    ]);
  });

  it('the password-protected zip says what it is (unsupported), no crash', async () => {
    const { rec } = await scanFile('benign_password_protected.zip');
    expect(ruleIds(rec as Recording)).toContain('archive/unsupported');
  });

  it('npy/npz object arrays hand their pickle over; plain ones are clean', async () => {
    for (const f of [
      'dns_exfiltration.npy',
      'object_array.npy',
      'object_arrays.npz',
      'object_arrays_compressed.npz',
    ]) {
      const { rec } = await scanFile(f);
      expect(
        rec?.members.some((m) => m.hint === 'pickle'),
        f,
      ).toBe(true);
      expect(
        rec?.findings.every((f2) => f2.severity === 'low'),
        f,
      ).toBe(true);
    }
    for (const f of [
      'int_array.npy',
      'int_arrays.npz',
      'int_arrays_compressed.npz',
      'new_pytorch_model.bin',
    ]) {
      const { rec } = await scanFile(f);
      expect(rec?.findings, f).toEqual([]);
    }
  });

  it('non-containers (PNG named .pt, legacy pickles, plain .bin) are not claimed by a container handler', async () => {
    for (const f of [
      'bad_pytorch.pt',
      'pytorch_model.bin',
      'not_a_pickle.bin',
      'GHSA-jgw4-cr84-mqxg.bin',
      'pytorch_magic_bypass.pt',
    ]) {
      expect((await scanFile(f)).format, f).toBeUndefined();
    }
  });
});
