import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareNames,
  enumerateModel,
  hashEnumeration,
  hashModel,
  hashRanges,
  ModelPathError,
  type Range,
  resourcesFor,
  rootDigest,
  sha256File,
} from '../../src/provenance/hashing/index.js';
import { tempDir } from '../support/temp.js';

const VECTOR = new URL(
  '../../../shared/vectors/model-signing/reference-impl/v1.1.0-elliptic-key',
  import.meta.url,
).pathname;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Deterministic bytes (not all zeros, so a wrong offset changes the digest). */
function bytes(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed * 2654435761;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

/** `sha256sum`/`b2sum` output for files, keyed by path. */
function coreutils(tool: 'sha256sum' | 'b2sum', paths: string[]): Map<string, string> {
  const out = execFileSync(tool, paths, { encoding: 'utf8' });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const [digest, path] = l.split(/ [ *]/) as [string, string];
        return [path, digest];
      }),
  );
}

async function rejection(p: Promise<unknown>): Promise<ModelPathError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelPathError);
  return e as ModelPathError;
}

describe('digests', () => {
  const t = tempDir('mg-hash-');
  const sizes = [0, 1, 4095, 4 * 1024 * 1024, 4 * 1024 * 1024 + 7, 9 * 1024 * 1024];
  const dir = join(t.dir, 'model');
  const paths = sizes.map((n, i) => t.write(`model/f${i}.bin`, bytes(n, i + 1)));

  it('files mode equals sha256sum on the calling thread and on worker threads', async () => {
    const expected = coreutils('sha256sum', paths);
    for (const inlineBytes of [Number.MAX_SAFE_INTEGER, 0]) {
      const progress: Array<[number, number]> = [];
      const m = await hashModel(dir, {
        inlineBytes,
        workers: 2,
        onProgress: (d, t) => progress.push([d, t]),
      });
      const total = sizes.reduce((a, b) => a + b, 0);
      expect(progress.at(-1)).toEqual([total, total]);
      expect(progress.every(([d], i) => i === 0 || d >= progress[i - 1]![0])).toBe(true);
      expect(m.resources.map((r) => r.name)).toEqual(sizes.map((_, i) => `f${i}.bin`));
      for (const [i, r] of m.resources.entries()) {
        expect(r.digest).toBe(expected.get(paths[i]!));
        expect(r.algorithm).toBe('sha256');
      }
      expect(m.resources[0]!.digest).toBe(EMPTY_SHA256);
      expect(m.rootDigest).toBe(rootDigest(m.resources));
      expect(m.serialization).toEqual({
        method: 'files',
        hash_type: 'sha256',
        allow_symlinks: false,
        ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore'],
      });
    }
  });

  it('blake2b equals b2sum (BLAKE2b-512)', async () => {
    const expected = coreutils('b2sum', paths);
    for (const inlineBytes of [Number.MAX_SAFE_INTEGER, 0]) {
      const m = await hashModel(dir, { hashType: 'blake2b', inlineBytes });
      expect(m.serialization.hash_type).toBe('blake2b');
      for (const [i, r] of m.resources.entries()) {
        expect(r.digest).toBe(expected.get(paths[i]!));
        expect(r.algorithm).toBe('blake2b');
      }
    }
  });

  it('sha256File streams a whole file', async () => {
    const expected = coreutils('sha256sum', paths);
    for (const p of paths) expect(await sha256File(p)).toBe(expected.get(p));
  });

  it('workers=1 and workers=4 give identical manifests, in shards and files modes', async () => {
    for (const method of ['files', 'shards'] as const) {
      const opts = { method, shardSize: 1_000_003, inlineBytes: 0 };
      const one = await hashModel(dir, { ...opts, workers: 1 });
      const four = await hashModel(dir, { ...opts, workers: 4 });
      expect(four).toEqual(one);
      expect(one.resources.length).toBe(method === 'files' ? 6 : 1 + 1 + 5 + 5 + 10);
    }
  });

  it('hashRanges returns digests in the order of the ranges and reports progress', async () => {
    const data = readFileSync(paths[5]!);
    const ranges: Range[] = [
      { path: paths[5]!, start: 0, end: 10 },
      { path: paths[5]!, start: 5, end: data.length },
      { path: paths[5]!, start: 100, end: 100 },
      { path: paths[5]!, start: 1_000_000, end: 3_000_000 },
    ];
    for (const inlineBytes of [Number.MAX_SAFE_INTEGER, 0]) {
      let last = 0;
      const got = await hashRanges(ranges, 'sha256', {
        inlineBytes,
        workers: 3,
        onProgress: (d) => (last = d),
      });
      expect(got).toEqual(ranges.map((r) => sha256(data.subarray(r.start, r.end))));
      expect(last).toBe(ranges.reduce((s, r) => s + r.end - r.start, 0));
    }
    await expect(hashRanges([{ path: paths[5]!, start: 5, end: 4 }], 'sha256')).rejects.toThrow(RangeError);
    for (const workers of [0, -1, 1.5, Number.NaN])
      await expect(hashRanges(ranges, 'sha256', { workers })).rejects.toThrow(RangeError);
  });

  it('many small files (batched to the threads) hash as on the calling thread; a vanished one is named', async () => {
    const t2 = tempDir('mg-many-');
    const root = join(t2.dir, 'm');
    const expected = new Map<string, string>();
    for (let i = 0; i < 600; i++) {
      const data = bytes(i * 37, i);
      t2.write(`m/d${i % 7}/f${i}`, data);
      expected.set(`d${i % 7}/f${i}`, sha256(data));
    }
    const threads = await hashModel(root, { inlineBytes: 0, workers: 2 });
    const here = await hashModel(root);
    expect(threads).toEqual(here);
    expect(new Map(threads.resources.map((r) => [r.name, r.digest]))).toEqual(expected);
    const e = await enumerateModel(root);
    unlinkSync(join(root, 'd3/f311'));
    const err = await rejection(hashEnumeration(e, { inlineBytes: 0, workers: 2 }));
    expect(err.path).toBe(join(root, 'd3/f311'));
    expect(err.code).toBe('IO');
  });

  it('a single file model is named by its basename', async () => {
    const e = await enumerateModel(paths[2]!);
    expect(e.isFile).toBe(true);
    expect(e.files).toEqual([{ name: 'f2.bin', path: paths[2], size: 4095 }]);
    const m = await hashModel(paths[2]!, { method: 'shards', shardSize: 1000 });
    expect(m.resources.map((r) => r.name)).toEqual([
      'f2.bin:0:1000',
      'f2.bin:1000:2000',
      'f2.bin:2000:3000',
      'f2.bin:3000:4000',
      'f2.bin:4000:4095',
    ]);
  });
});

describe('reference vector', () => {
  it('root digest and resources equal the v1.1.0 elliptic-key signature', async () => {
    const sig = JSON.parse(readFileSync(join(VECTOR, 'model.sig'), 'utf8')) as {
      dsseEnvelope: { payload: string };
    };
    const payload = JSON.parse(Buffer.from(sig.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      subject: Array<{ digest: { sha256: string } }>;
      predicate: { resources: Array<{ name: string; algorithm: string; digest: string }> };
    };
    const m = await hashModel(VECTOR, { ignorePaths: ['model.sig', 'ignore-me'] });
    expect(m.rootDigest).toBe(payload.subject[0]!.digest.sha256);
    expect(m.resources).toEqual(
      payload.predicate.resources.map((r) => ({ name: r.name, algorithm: r.algorithm, digest: r.digest })),
    );
    expect(m.modelName).toBe('v1.1.0-elliptic-key');
    // Without the ignore paths the signature file itself and ignore-me are resources.
    const all = await hashModel(VECTOR);
    expect(all.resources.map((r) => r.name)).toEqual(['ignore-me', 'model.sig', 'signme-1', 'signme-2']);
    expect(all.rootDigest).not.toBe(m.rootDigest);
  });
});

describe('shards', () => {
  const t = tempDir('mg-shard-');
  const S = 4;
  const sizes: Record<string, number> = { s0: 0, s1: 1, s3: S - 1, s4: S, s5: S + 1, s8: 2 * S };
  for (const [name, n] of Object.entries(sizes)) t.write(`m/${name}`, bytes(n, n + 3));

  it('names consecutive ranges path:start:end around shard boundaries; empty files have none', async () => {
    const m = await hashModel(join(t.dir, 'm'), { method: 'shards', shardSize: S });
    expect(m.resources.map((r) => r.name)).toEqual([
      's1:0:1',
      's3:0:3',
      's4:0:4',
      's5:0:4',
      's5:4:5',
      's8:0:4',
      's8:4:8',
    ]);
    for (const r of m.resources) {
      const [file, start, end] = r.name.split(':') as [string, string, string];
      const data = readFileSync(join(t.dir, 'm', file));
      expect(r.digest).toBe(sha256(data.subarray(Number(start), Number(end))));
      expect(r.algorithm).toBe('sha256-sharded-4');
    }
    expect(m.serialization.shard_size).toBe(S);
    expect(m.serialization.method).toBe('shards');
  });

  it('orders shard names by code point of the whole name', () => {
    const files = [{ name: 'a', path: '/x/a', size: 110 }];
    const names = resourcesFor(files, 'shards', 'sha256', 10).map((r) => r.name);
    expect(names.slice(0, 4)).toEqual(['a:0:10', 'a:100:110', 'a:10:20', 'a:20:30']);
    expect(() => resourcesFor(files, 'shards', 'sha256', 0)).toThrow(RangeError);
    // 110 bytes in 1-byte shards is 110 resources: over a limit of 100, a LIMIT error before allocating.
    expect(resourcesFor(files, 'shards', 'sha256', 1, 110)).toHaveLength(110);
    expect(() => resourcesFor(files, 'shards', 'sha256', 1, 100)).toThrow(/maxResources \(100\) shards/);
    expect(resourcesFor(files, 'files', 'blake2b', 0)).toEqual([
      { name: 'a', algorithm: 'blake2b', path: '/x/a', start: 0, end: 110, size: 110 },
    ]);
  });
});

describe('ordering', () => {
  it('compares by Unicode code point, not UTF-16 unit', () => {
    const astral = '\u{1F600}';
    const fffd = '\uFFFD';
    expect([astral, fffd].sort()).toEqual([astral, fffd]); // JS default: UTF-16 units
    expect([astral, fffd].sort(compareNames)).toEqual([fffd, astral]);
    const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));
    const names = ['a/c', 'a.b', 'a b', 'a/b', 'a-b/c', 'é', 'z', '\uE000', astral, fffd, 'a', ''];
    expect([...names].sort(compareNames)).toEqual([...names].sort(byBytes));
  });

  it('enumerates a folder in code-point order of the relative POSIX names', async () => {
    const t = tempDir('mg-order-');
    for (const n of ['a b', 'a-b/c', 'a.b', 'a/b', 'a/c', '\u{1F600}', '\uFFFD']) t.write(`m/${n}`, n);
    const e = await enumerateModel(join(t.dir, 'm'));
    expect(e.files.map((f) => f.name)).toEqual(['a b', 'a-b/c', 'a.b', 'a/b', 'a/c', '\uFFFD', '\u{1F600}']);
  });
});

describe('ignore paths', () => {
  const t = tempDir('mg-ignore-');
  const root = join(t.dir, 'm');
  for (const n of [
    'keep',
    'sub/x',
    'sub/y/z',
    'other/sub/x',
    'model.sig',
    '.git/config',
    '.gitattributes',
    '.github/workflows/ci.yml',
    '.gitignore',
    'nested/.git/config',
    'nested/.gitignore',
  ])
    t.write(`m/${n}`, n);
  t.write('outside', 'o');

  it('are anchored at the root and cover the subtree; git paths are ignored at the root only', async () => {
    const e = await enumerateModel(root, { ignorePaths: ['sub/y', 'model.sig'] });
    expect(e.files.map((f) => f.name)).toEqual([
      'keep',
      'nested/.git/config',
      'nested/.gitignore',
      'other/sub/x',
      'sub/x',
    ]);
    expect(e.ignorePaths).toEqual(['.git', '.gitattributes', '.github', '.gitignore', 'model.sig', 'sub/y']);
  });

  it('accept absolute paths inside the root and drop those outside it', async () => {
    const e = await enumerateModel(root, {
      ignorePaths: [join(root, 'sub'), join(t.dir, 'outside'), '../outside', './keep/', root, '/elsewhere'],
      ignoreGitPaths: false,
    });
    expect(e.ignorePaths).toEqual(['keep', 'sub']);
    expect(e.files.map((f) => f.name)).toEqual([
      '.git/config',
      '.gitattributes',
      '.github/workflows/ci.yml',
      '.gitignore',
      'model.sig',
      'nested/.git/config',
      'nested/.gitignore',
      'other/sub/x',
    ]);
  });

  it('are recorded in the manifest', async () => {
    const m = await hashModel(root, { ignorePaths: ['model.sig'] });
    expect(m.serialization.ignore_paths).toEqual([
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'model.sig',
    ]);
  });
});

describe('refused paths', () => {
  it('symlinks: refused by default, followed inside the root when allowed, refused outside it', async () => {
    const t = tempDir('mg-link-');
    const root = join(t.dir, 'm');
    t.write('m/real', 'content');
    t.write('m/dir/inner', 'inner');
    t.write('secret', 'outside');
    symlinkSync('real', join(root, 'link'));
    symlinkSync('dir', join(root, 'dirlink'));
    const refused = await rejection(enumerateModel(root));
    expect(refused.code).toBe('SYMLINK');

    // Ignored links are not looked at.
    const e0 = await enumerateModel(root, { ignorePaths: ['link', 'dirlink'] });
    expect(e0.files.map((f) => f.name)).toEqual(['dir/inner', 'real']);

    const m = await hashModel(root, { allowSymlinks: true });
    expect(m.serialization.allow_symlinks).toBe(true);
    expect(m.resources.map((r) => [r.name, r.digest])).toEqual([
      ['dir/inner', sha256(Buffer.from('inner'))],
      ['link', sha256(Buffer.from('content'))],
      ['real', sha256(Buffer.from('content'))],
    ]);
    const e = await enumerateModel(root, { allowSymlinks: true });
    expect(e.skippedLinks).toEqual(['dirlink']);

    symlinkSync('../secret', join(root, 'escape'));
    const outside = await rejection(enumerateModel(root, { allowSymlinks: true }));
    expect(outside.code).toBe('SYMLINK');
    expect(outside.message).toMatch(/outside the model folder/);
    unlinkSync(join(root, 'escape'));

    symlinkSync('nowhere', join(root, 'dangling'));
    expect((await rejection(enumerateModel(root, { allowSymlinks: true }))).code).toBe('SYMLINK');
  });

  it('a file name that is not UTF-8', async () => {
    const t = tempDir('mg-utf8-');
    mkdirSync(join(t.dir, 'm'));
    writeFileSync(Buffer.concat([Buffer.from(`${t.dir}/m/bad-`), Buffer.from([0xff, 0xfe])]), 'x');
    const e = await rejection(enumerateModel(join(t.dir, 'm')));
    expect(e.code).toBe('NOT_UTF8');
    // Under an ignored folder it is never looked at.
    mkdirSync(join(t.dir, 'n/skip'), { recursive: true });
    writeFileSync(Buffer.concat([Buffer.from(`${t.dir}/n/skip/bad-`), Buffer.from([0xc3, 0x28])]), 'x');
    expect((await enumerateModel(join(t.dir, 'n'), { ignorePaths: ['skip'] })).files).toEqual([]);
  });

  it('a FIFO is refused without being opened', async () => {
    const t = tempDir('mg-fifo-');
    t.write('m/ok', 'x');
    execFileSync('mkfifo', [join(t.dir, 'm', 'pipe')]);
    const e = await rejection(hashModel(join(t.dir, 'm')));
    expect(e.code).toBe('SPECIAL_FILE');
    expect(e.path).toBe(join(t.dir, 'm', 'pipe'));
    expect(e.message).toMatch(/FIFO/);
  });

  it('missing and empty model paths', async () => {
    expect((await rejection(enumerateModel('/nonexistent/model'))).code).toBe('NOT_FOUND');
    expect((await rejection(enumerateModel(''))).code).toBe('EMPTY');
  });

  it('limits on entries and depth', async () => {
    const t = tempDir('mg-limit-');
    for (let i = 0; i < 5; i++) t.write(`m/f${i}`, '');
    t.write('d/a/b/c/file', '');
    expect((await rejection(enumerateModel(join(t.dir, 'm'), { limits: { maxEntries: 4 } }))).code).toBe(
      'LIMIT',
    );
    expect((await enumerateModel(join(t.dir, 'm'), { limits: { maxEntries: 5 } })).files).toHaveLength(5);
    const deep = await rejection(enumerateModel(join(t.dir, 'd'), { limits: { maxDepth: 2 } }));
    expect(deep.code).toBe('LIMIT');
    expect(deep.message).toMatch(/maxDepth/);
    expect((await enumerateModel(join(t.dir, 'd'), { limits: { maxDepth: 3 } })).files).toHaveLength(1);
  });
});

describe('empty and changing models', () => {
  it('an empty folder has no resources and the root digest of empty input', async () => {
    const t = tempDir('mg-empty-');
    mkdirSync(join(t.dir, 'm'));
    const m = await hashModel(join(t.dir, 'm'));
    expect(m.resources).toEqual([]);
    expect(m.rootDigest).toBe(EMPTY_SHA256);
  });

  it('a file that shrinks, grows or vanishes after enumeration is an IO error on either path', async () => {
    const t = tempDir('mg-change-');
    for (const inlineBytes of [Number.MAX_SAFE_INTEGER, 0]) {
      for (const change of ['shrink', 'grow', 'vanish'] as const) {
        const root = join(t.dir, `${change}-${inlineBytes}`);
        const p = t.write(`${change}-${inlineBytes}/big`, bytes(3_000_000));
        t.write(`${change}-${inlineBytes}/small`, 'small');
        const e = await enumerateModel(root);
        if (change === 'shrink') truncateSync(p, 1_000_000);
        else if (change === 'grow') writeFileSync(p, 'more', { flag: 'a' });
        else unlinkSync(p);
        for (const method of ['files', 'shards'] as const) {
          const err = await rejection(hashEnumeration(e, { inlineBytes, method, shardSize: 1_000_000 }));
          expect(err.code).toBe('IO');
          expect(err.path).toBe(p);
          expect(err.message).toMatch(
            change === 'vanish' ? /no longer exists/ : /changed while it was hashed/,
          );
        }
      }
    }
  });

  it('the process exits on its own after hashing on worker threads', () => {
    const t = tempDir('mg-exit-');
    t.write('m/a', bytes(5_000_000, 1));
    t.write('m/b', bytes(5_000_000, 2));
    const mod = new URL('../../src/provenance/hashing/index.ts', import.meta.url).href;
    const script = t.write(
      'exit.mts',
      `import { hashModel } from ${JSON.stringify(mod)};\n` +
        `const m = await hashModel(${JSON.stringify(join(t.dir, 'm'))}, { inlineBytes: 0, workers: 2 });\n` +
        'console.log(m.rootDigest);\n',
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], {
      timeout: 30_000,
      encoding: 'utf8',
    });
    expect(run.error, run.stderr).toBeUndefined();
    expect(run.status, run.stderr).toBe(0);
    const a = sha256(bytes(5_000_000, 1));
    const b = sha256(bytes(5_000_000, 2));
    expect(run.stdout.trim()).toBe(sha256(Buffer.concat([Buffer.from(a, 'hex'), Buffer.from(b, 'hex')])));
  }, 40_000);
});
