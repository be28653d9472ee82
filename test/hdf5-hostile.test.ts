/**
 * The HDF5 reader (h5wasm in a worker thread) on hostile input: truncation at every offset, seeded
 * mutations, sources that fail, limits (time, bytes read, attribute size), user blocks, concurrent
 * callers. Every call returns a typed result; the HDF5 library never takes the process down.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import type { RuleMeta } from '../src/core/rule.js';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import { hdf5SignatureOffset, isHdf5 } from '../src/formats/hdf5/index.js';
import { readHdf5RootAttributes } from '../src/formats/hdf5/reader.js';
import { hdf5Handler } from '../src/scanners/keras/hdf5-handler.js';
import type { FindingInput, ScanContext } from '../src/scanners/types.js';
import { mutate, prng } from './support/hostile.js';
import { tempDir } from './support/temp.js';

const KERAS = join(import.meta.dirname, 'fixtures', 'keras');
const LAMBDA_H5 = readFileSync(join(KERAS, 'malicious', 'lambda_keras2.h5'));
const KNOWN_RULES = new Set(['hdf5/malformed', 'hdf5/not-inspected']);
const tmp = tempDir('modelguard-hdf5-');

function context(): { ctx: ScanContext; found: { rule: string; f: FindingInput }[]; members: string[] } {
  const found: { rule: string; f: FindingInput }[] = [];
  const members: string[] = [];
  const ctx: ScanContext = {
    path: 'x.h5',
    member: undefined,
    depth: 0,
    limits: DEFAULT_LIMITS,
    policy: {
      classify: () => ({ kind: 'unknown' }),
      unknownSeverity: 'medium',
    } as unknown as ScanContext['policy'],
    name: 'x.h5',
    report(rule: RuleMeta, f: FindingInput): void {
      found.push({ rule: rule.id, f });
    },
    noteImports() {},
    noteFormat(): void {},
    async scanMember(name: string): Promise<void> {
      members.push(name);
    },
    chargeInflated: () => true,
  };
  return { ctx, found, members };
}

describe('readHdf5RootAttributes', () => {
  it('reads the root attributes of a Keras H5 file, touching only a few KiB', async () => {
    let read = 0;
    const inner = new MemorySource(LAMBDA_H5);
    const src: ByteSource = {
      size: inner.size,
      read(o: number, n: number): Uint8Array {
        read += n;
        return inner.read(o, n);
      },
    };
    const r = await readHdf5RootAttributes(src);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.attributes.map((a) => a.name).sort()).toEqual(['backend', 'keras_version', 'model_config']);
    expect(r.attributes.find((a) => a.name === 'model_config')?.value).toContain('"Lambda"');
    expect(read).toBeLessThanOrEqual(LAMBDA_H5.length);
  });

  it('is typed (never throws) for truncation at every offset', async () => {
    const failures = new Map<string, number>();
    for (let cut = 0; cut < LAMBDA_H5.length; cut++) {
      const r = await readHdf5RootAttributes(new MemorySource(LAMBDA_H5.subarray(0, cut)));
      expect(r.ok).toBe(false);
      if (!r.ok) failures.set(r.failure, (failures.get(r.failure) ?? 0) + 1);
    }
    // HDF5 checks the superblock's end-of-file address: every truncated file is refused as malformed.
    expect([...failures.keys()]).toEqual(['malformed']);
  }, 120_000);

  /** Seeded mutations of the first 4 KiB (superblock, root object header, attribute messages). */
  function mutations(count: number): Buffer[] {
    const rnd = prng(20240101);
    const head = LAMBDA_H5.subarray(0, 4096);
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++)
      out.push(Buffer.concat([mutate(head, rnd, [0, 1, 0x7f, 0x80, 0xff]), LAMBDA_H5.subarray(4096)]));
    return out;
  }

  it('is typed for 600 seeded mutations of the superblock and root object header', async () => {
    const outcomes = new Map<string, number>();
    for (const m of mutations(600)) {
      const r = await readHdf5RootAttributes(new MemorySource(m), { timeoutMs: 1500 });
      const k = r.ok ? 'ok' : r.failure;
      outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
      if (r.ok) for (const a of r.attributes) expect(typeof a.name).toBe('string');
    }
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(400);
    expect(
      [...outcomes.keys()].every((o) => ['ok', 'malformed', 'aborted', 'read-limit', 'timeout'].includes(o)),
    ).toBe(true);
  }, 120_000);

  it('stops a file that sends the HDF5 library into a loop (mutation #260), and recovers', async () => {
    // Found by the mutation test above: the C library spins on this root object header. The worker is
    // killed at timeoutMs; the next file gets a fresh one.
    const hang = mutations(261)[260] as Buffer;
    const r = await readHdf5RootAttributes(new MemorySource(hang), { timeoutMs: 1000 });
    expect(r).toMatchObject({ ok: false, failure: 'timeout' });
    expect((await readHdf5RootAttributes(new MemorySource(LAMBDA_H5))).ok).toBe(true);
  });

  it('reports non-HDF5 bytes and failing sources as malformed', async () => {
    const junk = await readHdf5RootAttributes(new MemorySource(new Uint8Array(4096).fill(0x41)));
    expect(junk).toMatchObject({ ok: false, failure: 'malformed' });
    expect(!junk.ok && junk.diagnostics.join(' ')).toContain('signature not found');
    const failing: ByteSource = {
      size: LAMBDA_H5.length,
      read(): Uint8Array {
        throw new Error('disk on fire');
      },
    };
    expect(await readHdf5RootAttributes(failing)).toMatchObject({ ok: false, failure: 'malformed' });
  });

  it('enforces maxReadBytes', async () => {
    expect(await readHdf5RootAttributes(new MemorySource(LAMBDA_H5), { maxReadBytes: 64 })).toMatchObject({
      ok: false,
      failure: 'read-limit',
    });
    expect((await readHdf5RootAttributes(new MemorySource(LAMBDA_H5))).ok).toBe(true);
  });

  it('skips attribute values over maxAttributeBytes instead of reading them', async () => {
    const r = await readHdf5RootAttributes(new MemorySource(LAMBDA_H5), { maxAttributeBytes: 8 });
    const mc = r.ok ? r.attributes.find((a) => a.name === 'model_config') : undefined;
    expect(mc?.value).toBeUndefined();
    expect(mc?.skipped).toMatch(/longer than maxAttributeBytes/);
    const fixed = await readHdf5RootAttributes(new MemorySource(LAMBDA_H5), {
      maxAttributeBytes: 8,
      maxAttributeElements: 0,
    });
    expect(fixed.ok && fixed.attributes.find((a) => a.name === 'model_config')?.skipped).toMatch(
      /exceed the attribute limits/,
    );
  });

  it("reads Keras' own attributes first, so decoys cannot push model_config past maxAttributes", async () => {
    const r = await readHdf5RootAttributes(new MemorySource(LAMBDA_H5), { maxAttributes: 1 });
    expect(r.ok && r.attributeCount).toBe(3);
    expect(r.ok && r.attributes.map((a) => a.name)).toEqual(['model_config']);
  });

  it('serves concurrent callers one at a time, each with its own answer', async () => {
    const benign = readFileSync(join(KERAS, 'benign', 'weights_only_keras2.h5'));
    const rs = await Promise.all(
      new Array(12)
        .fill(0)
        .map((_, i) => readHdf5RootAttributes(new MemorySource(i % 2 === 0 ? LAMBDA_H5 : benign))),
    );
    rs.forEach((r, i) => {
      const names = r.ok ? r.attributes.map((a) => a.name) : [];
      expect(names.includes('model_config')).toBe(i % 2 === 0);
    });
  });
});

describe('user blocks', () => {
  const UB = readFileSync(join(KERAS, 'userblock', 'userblock_lambda.h5'));

  it('finds the signature at 512 where the head is text, and the library reads it there', async () => {
    expect(isHdf5(UB)).toBe(false);
    expect(hdf5SignatureOffset(new MemorySource(UB))).toBe(512);
    expect(hdf5SignatureOffset(new MemorySource(LAMBDA_H5))).toBe(0);
    expect(hdf5SignatureOffset(new MemorySource(new Uint8Array(5000)))).toBeUndefined();
    const r = await readHdf5RootAttributes(new MemorySource(UB));
    expect(r.ok && r.attributes.some((a) => a.name === 'model_config')).toBe(true);
  });
});

describe('hdf5Handler on hostile input', () => {
  it('truncations give hdf5/malformed findings only', async () => {
    for (let cut = 0; cut < LAMBDA_H5.length; cut += 97) {
      const { ctx, found } = context();
      await hdf5Handler.scan(new MemorySource(LAMBDA_H5.subarray(0, cut)), ctx);
      expect(found.map((x) => x.rule)).toEqual(['hdf5/malformed']);
      expect(found[0]?.f.severity).toBeUndefined();
    }
  }, 60_000);

  it('mutated files give findings of known rules only', async () => {
    const rnd = prng(99);
    for (let i = 0; i < 200; i++) {
      const { ctx, found } = context();
      await hdf5Handler.scan(new MemorySource(mutate(LAMBDA_H5, rnd, [0, 0xff, 0x22, 0x7b])), ctx);
      for (const x of found) expect(KNOWN_RULES.has(x.rule) || x.rule.startsWith('keras/')).toBe(true);
    }
  }, 60_000);
});

describe('process lifetime', () => {
  it('a scan that started the HDF5 worker lets the process exit on its own', () => {
    const engine = new URL('../src/scanners/engine.ts', import.meta.url).href;
    const script = tmp.write(
      'exit.mts',
      `import { scanPaths } from ${JSON.stringify(engine)};\n` +
        `const r = await scanPaths([${JSON.stringify(join(KERAS, 'malicious', 'lambda.keras'))}], { failOn: 'never' });\n` +
        'console.log(r.summary.findings);\n',
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    expect(Number(run.stdout.trim())).toBeGreaterThan(0);
  }, 40_000);
});
