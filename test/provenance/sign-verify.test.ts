/**
 * sign → verify round trips (files, shards, ignore paths, BLAKE2b, P-256/P-384/P-521, single files), the
 * Done-when mutation test (each file of a folder changed in turn is named; an extra and a missing file are
 * caught), what `sign` writes against the OMS JSON schemas, and an OpenSSL cross-check of the signature.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import {
  findSignature,
  KeyMaterialError,
  OmsUsageError,
  PAYLOAD_TYPE,
  pae,
  readBundle,
  type SignOptions,
  signModel,
  verifyModel,
} from '../../src/provenance/oms/index.js';
import { tempDir } from '../support/temp.js';

const SCHEMAS = new URL('../../../shared/vectors/model-signing/spec/schemas/v1.0/', import.meta.url).pathname;
const tmp = tempDir('modelguard-sign-verify-');
let n = 0;

function keyPair(curve: 'P-256' | 'P-384' | 'P-521' | 'secp256k1'): {
  privatePem: string;
  publicPem: string;
  publicKey: KeyObject;
} {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    publicKey,
  };
}
const P256 = keyPair('P-256');
const P384 = keyPair('P-384');
const P521 = keyPair('P-521');

/** Deterministic, non-constant bytes. */
function bytes(len: number, seed: number): Buffer {
  const b = Buffer.alloc(len);
  let x = seed * 2654435761;
  for (let i = 0; i < len; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** A model folder with nested, empty, spaced and non-ASCII names; returns its path and file names. */
function makeModel(files: Record<string, Buffer | string> = defaultFiles()): {
  dir: string;
  names: string[];
} {
  const dir = join(tmp.dir, `model-${n++}`);
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), data);
  }
  return { dir, names: Object.keys(files) };
}

function defaultFiles(): Record<string, Buffer | string> {
  return {
    'config.json': '{"architectures":["Toy"]}\n',
    'model.safetensors': bytes(4096, 1),
    'tokenizer/vocab.txt': 'a\nb\nc\n',
    'tokenizer/deep/merges.txt': bytes(333, 2),
    'empty.txt': '',
    'name with space.bin': bytes(17, 3),
    'ünïcödé-权重.bin': bytes(64, 4),
  };
}

function sign(dir: string, opts: Partial<SignOptions> = {}) {
  return signModel(dir, { method: 'key', privateKeyPem: P256.privatePem, ...opts });
}

function flipByte(path: string, at: number): void {
  const b = readFileSync(path);
  if (b.length === 0) {
    appendFileSync(path, 'x');
    return;
  }
  const i = Math.min(at, b.length - 1);
  b[i] = (b[i] ?? 0) ^ 0x80;
  writeFileSync(path, b);
}

describe('sign writes an OMS v1.0 bundle', () => {
  it('key method: v0.3 media type, hint = SHA-256 of the PEM SPKI, empty keyid and tlogEntries', async () => {
    const { dir } = makeModel();
    const r = await sign(dir);
    expect(r.path).toBe(join(dir, 'model.sig'));
    const written = JSON.parse(readFileSync(r.path, 'utf8'));
    expect(written).toEqual(r.bundle);
    expect(written.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(written.verificationMaterial).toEqual({
      publicKey: { hint: createHash('sha256').update(P256.publicPem).digest('hex') },
      tlogEntries: [],
    });
    expect(written.dsseEnvelope.payloadType).toBe(PAYLOAD_TYPE);
    expect(written.dsseEnvelope.signatures).toHaveLength(1);
    expect(written.dsseEnvelope.signatures[0].keyid).toBe('');
    const statement = JSON.parse(Buffer.from(written.dsseEnvelope.payload, 'base64').toString('utf8'));
    expect(statement._type).toBe('https://in-toto.io/Statement/v1');
    expect(statement.predicateType).toBe('https://model_signing/signature/v1.0');
    expect(statement.subject).toEqual([
      { name: dir.split('/').pop(), digest: { sha256: r.manifest.rootDigest } },
    ]);
    // Resources in code-point order, git paths and the signature recorded as ignored.
    expect(statement.predicate.resources.map((x: { name: string }) => x.name)).toEqual([
      'config.json',
      'empty.txt',
      'model.safetensors',
      'name with space.bin',
      'tokenizer/deep/merges.txt',
      'tokenizer/vocab.txt',
      'ünïcödé-权重.bin',
    ]);
    expect(statement.predicate.serialization).toEqual({
      method: 'files',
      hash_type: 'sha256',
      allow_symlinks: false,
      ignore_paths: ['.git', '.gitattributes', '.github', '.gitignore', 'model.sig'],
    });
    const empty = statement.predicate.resources.find((x: { name: string }) => x.name === 'empty.txt');
    expect(empty.digest).toBe(createHash('sha256').update('').digest('hex'));
  });

  it('the signature verifies with openssl dgst -sha384 over the PAE bytes (P-384)', async () => {
    const { dir } = makeModel();
    const r = await sign(dir, { privateKeyPem: P384.privatePem });
    const b = readBundle(JSON.stringify(r.bundle));
    const work = join(tmp.dir, `openssl-${n++}`);
    mkdirSync(work);
    writeFileSync(join(work, 'pae.bin'), pae(b.envelope.payloadType, b.envelope.payload));
    writeFileSync(join(work, 'sig.der'), b.envelope.signature);
    writeFileSync(join(work, 'pub.pem'), P384.publicPem);
    const out = execFileSync(
      'openssl',
      ['dgst', '-sha384', '-verify', 'pub.pem', '-signature', 'sig.der', 'pae.bin'],
      { cwd: work, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('Verified OK');
    // …and the PAE is exactly DSSE's: "DSSEv1 28 application/vnd.in-toto+json <len> <payload>".
    const head = `DSSEv1 28 application/vnd.in-toto+json ${b.envelope.payload.length} `;
    expect(readFileSync(join(work, 'pae.bin')).subarray(0, head.length).toString()).toBe(head);
    // A byte changed in the PAE no longer verifies.
    flipByte(join(work, 'pae.bin'), 60);
    const bad = spawnSync(
      'openssl',
      ['dgst', '-sha384', '-verify', 'pub.pem', '-signature', 'sig.der', 'pae.bin'],
      {
        cwd: work,
        encoding: 'utf8',
      },
    );
    expect(bad.status).toBe(1);
    expect(bad.stdout.trim()).toBe('Verification failure');
  });
});

describe('round trips', () => {
  const cases: Array<[string, Partial<SignOptions>, string]> = [
    ['files, SHA-256, P-256', {}, P256.publicPem],
    ['files, SHA-256, P-384', { privateKeyPem: P384.privatePem }, P384.publicPem],
    ['files, BLAKE2b, P-521', { privateKeyPem: P521.privatePem, hashType: 'blake2b' }, P521.publicPem],
    [
      'shards of 7 bytes, SHA-256, P-384',
      { privateKeyPem: P384.privatePem, serialization: 'shards', shardSize: 7 },
      P384.publicPem,
    ],
    [
      'shards of 100 bytes, BLAKE2b, P-256',
      { serialization: 'shards', shardSize: 100, hashType: 'blake2b' },
      P256.publicPem,
    ],
  ];
  for (const [name, opts, publicPem] of cases) {
    it(name, async () => {
      const { dir } = makeModel();
      const r = await sign(dir, opts);
      const v = await verifyModel(dir, { publicKeyPem: publicPem });
      expect(v.problems).toEqual([]);
      expect(v.verified).toBe(true);
      expect(v.checkedResources).toBe(r.manifest.resources.length);
      if (opts.serialization === 'shards') {
        // Several shards per file, named path:start:end, Python/Go algorithm string.
        const shards = r.manifest.resources.filter((x) => x.name.startsWith('model.safetensors:'));
        expect(shards.length).toBe(Math.ceil(4096 / opts.shardSize!));
        expect(shards[0]!.algorithm).toBe(`${opts.hashType ?? 'sha256'}-sharded-${opts.shardSize}`);
        expect(r.manifest.serialization.shard_size).toBe(opts.shardSize);
      }
      if (opts.hashType === 'blake2b') expect(r.manifest.resources[0]!.digest).toMatch(/^[0-9a-f]{128}$/);
    });
  }

  it('a key that did not sign is told apart from one that did', async () => {
    const { dir } = makeModel();
    await sign(dir);
    const v = await verifyModel(dir, { publicKeyPem: P384.publicPem });
    expect(v.verified).toBe(false);
    expect(v.problems[0]!.kind).toBe('untrusted');
  });

  it('encrypted private key with --password; missing or wrong password is a KeyMaterialError', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pem = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 's3cret',
    });
    const { dir } = makeModel();
    await expect(sign(dir, { privateKeyPem: pem })).rejects.toThrow(
      new KeyMaterialError('the private key is encrypted: pass its password'),
    );
    await expect(sign(dir, { privateKeyPem: pem, password: 'wrong' })).rejects.toThrow(
      new KeyMaterialError('cannot decrypt the private key: wrong password'),
    );
    expect(existsSync(join(dir, 'model.sig'))).toBe(false);
    await sign(dir, { privateKeyPem: pem, password: 's3cret' });
    const v = await verifyModel(dir, { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) });
    expect(v.verified).toBe(true);
  });

  it('refuses keys the format does not allow', async () => {
    const { dir } = makeModel();
    await expect(sign(dir, { privateKeyPem: keyPair('secp256k1').privatePem })).rejects.toThrow(
      'the private key uses curve secp256k1; only P-256, P-384 and P-521 are supported',
    );
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await expect(sign(dir, { privateKeyPem: rsa })).rejects.toThrow(/is a rsa key; only ECDSA/);
    await expect(sign(dir, { privateKeyPem: 'not a key' })).rejects.toBeInstanceOf(KeyMaterialError);
  });

  it('refuses an empty model (OMS §6.1)', async () => {
    const dir = join(tmp.dir, `empty-${n++}`);
    mkdirSync(join(dir, '.git'), { recursive: true });
    writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    await expect(sign(dir)).rejects.toBeInstanceOf(OmsUsageError);
  });

  it('single-file model: resource named by its basename, signature FILE.sig beside it', async () => {
    const dir = join(tmp.dir, `single-${n++}`);
    mkdirSync(dir);
    const file = join(dir, 'model.gguf');
    writeFileSync(file, bytes(999, 9));
    writeFileSync(join(dir, 'other-model.gguf'), bytes(10, 10)); // a neighbour is not part of the model
    const r = await sign(file, { serialization: 'shards', shardSize: 400 });
    expect(r.path).toBe(`${file}.sig`);
    expect(r.manifest.resources.map((x) => x.name)).toEqual([
      'model.gguf:0:400',
      'model.gguf:400:800',
      'model.gguf:800:999',
    ]);
    expect(findSignature(file)).toBe(`${file}.sig`);
    expect((await verifyModel(file, { publicKeyPem: P256.publicPem })).verified).toBe(true);
    flipByte(file, 500);
    const v = await verifyModel(file, { publicKeyPem: P256.publicPem });
    expect(v.problems).toEqual([
      {
        kind: 'modified',
        resource: 'model.gguf:400:800',
        message: expect.stringMatching(/^shard model.gguf:400:800 of model.gguf has changed/),
      },
    ]);
  });

  it('--signature outside the model is not ignored inside it, and is found only when named', async () => {
    const { dir } = makeModel();
    const out = join(tmp.dir, `outside-${n++}.sig`);
    const r = await sign(dir, { signaturePath: out });
    expect(r.manifest.serialization.ignore_paths).not.toContain('model.sig');
    expect(findSignature(dir)).toBeNull();
    expect((await verifyModel(dir, { signaturePath: out, publicKeyPem: P256.publicPem })).verified).toBe(
      true,
    );
  });
});

describe('ignore paths', () => {
  it('recorded ignore paths are honoured on verify; other new files are not', async () => {
    const { dir } = makeModel({
      ...defaultFiles(),
      'notes/todo.md': 'x',
      'scratch.txt': 'y',
      '.git/HEAD': 'ref',
    });
    const r = await sign(dir, { ignorePaths: ['notes', join(dir, 'scratch.txt')] });
    expect(r.manifest.serialization.ignore_paths).toEqual([
      '.git',
      '.gitattributes',
      '.github',
      '.gitignore',
      'model.sig',
      'notes',
      'scratch.txt',
    ]);
    expect(r.manifest.resources.some((x) => x.name.startsWith('notes/') || x.name === 'scratch.txt')).toBe(
      false,
    );
    writeFileSync(join(dir, 'notes', 'todo.md'), 'changed');
    writeFileSync(join(dir, 'notes', 'new.md'), 'new');
    writeFileSync(join(dir, 'scratch.txt'), 'changed');
    writeFileSync(join(dir, '.git', 'HEAD'), 'changed');
    expect((await verifyModel(dir, { publicKeyPem: P256.publicPem })).verified).toBe(true);
    writeFileSync(join(dir, 'tokenizer', 'added.txt'), 'new');
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems).toEqual([
      {
        kind: 'extra',
        resource: 'tokenizer/added.txt',
        message: 'tokenizer/added.txt is not covered by the signature',
      },
    ]);
    // The verifier's own ignore paths can tolerate it…
    expect(
      (await verifyModel(dir, { publicKeyPem: P256.publicPem, ignorePaths: ['tokenizer/added.txt'] }))
        .verified,
    ).toBe(true);
    // …but ignoring a signed file means it is not checked, and the result says so.
    const hidden = await verifyModel(dir, { publicKeyPem: P256.publicPem, ignorePaths: ['tokenizer'] });
    expect(hidden.problems).toEqual([
      {
        kind: 'missing',
        resource: 'tokenizer/deep/merges.txt',
        message:
          'tokenizer/deep/merges.txt is signed but excluded by the ignore path "tokenizer", so it was not checked',
      },
      {
        kind: 'missing',
        resource: 'tokenizer/vocab.txt',
        message:
          'tokenizer/vocab.txt is signed but excluded by the ignore path "tokenizer", so it was not checked',
      },
    ]);
  });

  it('git paths signed with ignoreGitPaths=false stay checked by a default verify', async () => {
    const { dir } = makeModel({
      'weights.bin': bytes(50, 5),
      '.gitignore': '*.tmp\n',
      '.gitattributes': '*.bin lfs\n',
    });
    const r = await sign(dir, { ignoreGitPaths: false });
    expect(r.manifest.resources.map((x) => x.name)).toEqual(['.gitattributes', '.gitignore', 'weights.bin']);
    expect((await verifyModel(dir, { publicKeyPem: P256.publicPem })).verified).toBe(true);
    writeFileSync(join(dir, '.gitattributes'), '*.bin -lfs\n');
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems).toEqual([expect.objectContaining({ kind: 'modified', resource: '.gitattributes' })]);
  });
});

describe('mutation: every file of a folder, changed in turn, is named', () => {
  for (const serialization of ['files', 'shards'] as const) {
    it(`${serialization}: one byte of each file`, async () => {
      const { dir, names } = makeModel();
      await sign(dir, serialization === 'shards' ? { serialization, shardSize: 64 } : {});
      for (const name of names) {
        const path = join(dir, name);
        const original = readFileSync(path);
        const at = Math.floor(original.length / 2);
        flipByte(path, at);
        const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
        expect(v.verified, name).toBe(false);
        if (serialization === 'files') {
          expect(v.problems, name).toEqual([
            {
              kind: 'modified',
              resource: name,
              message: expect.stringContaining(`${name} has changed: sha256 `),
            },
          ]);
        } else if (original.length === 0) {
          // An empty file has no shards; the byte added makes it a file the signature does not cover.
          expect(v.problems, name).toEqual([
            { kind: 'extra', resource: name, message: `${name} is not covered by the signature` },
          ]);
        } else {
          const start = Math.floor(at / 64) * 64;
          const shard = `${name}:${start}:${Math.min(start + 64, original.length)}`;
          expect(v.problems, name).toEqual([
            {
              kind: 'modified',
              resource: shard,
              message: expect.stringContaining(`shard ${shard} of ${name} has changed`),
            },
          ]);
        }
        writeFileSync(path, original);
      }
      expect((await verifyModel(dir, { publicKeyPem: P256.publicPem })).verified).toBe(true);
    });
  }

  it('an extra file and a missing file are each caught, together with a modified one', async () => {
    const { dir } = makeModel();
    await sign(dir);
    writeFileSync(join(dir, 'tokenizer', 'deep', 'evil.py'), 'import os');
    unlinkSync(join(dir, 'config.json'));
    flipByte(join(dir, 'model.safetensors'), 10);
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems.map((p) => [p.kind, p.resource])).toEqual([
      ['modified', 'model.safetensors'],
      ['missing', 'config.json'],
      ['extra', 'tokenizer/deep/evil.py'],
    ]);
    expect(v.checkedResources).toBe(5);
  });

  it('a renamed file is one missing and one extra', async () => {
    const { dir } = makeModel();
    await sign(dir);
    renameSync(join(dir, 'model.safetensors'), join(dir, 'model2.safetensors'));
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems.map((p) => [p.kind, p.resource])).toEqual([
      ['missing', 'model.safetensors'],
      ['extra', 'model2.safetensors'],
    ]);
  });

  it('shards: a truncated file names the size change and its changed shard', async () => {
    const { dir } = makeModel();
    await sign(dir, { serialization: 'shards', shardSize: 1000 });
    truncateSync(join(dir, 'model.safetensors'), 2500);
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems).toEqual([
      {
        kind: 'modified',
        resource: 'model.safetensors',
        message: 'model.safetensors is 2500 bytes; the signed shards cover 4096 bytes',
      },
    ]);
    // Shards 0–1000 and 1000–2000 still match (2000–2500 is not a signed range, so it is not hashed),
    // plus one shard for each of the five other non-empty files.
    expect(v.checkedResources).toBe(2 + 5);
  });

  it('a signed file replaced by a symlink is refused, naming it', async () => {
    const { dir } = makeModel();
    await sign(dir);
    const target = join(tmp.dir, `target-${n++}.bin`);
    writeFileSync(target, readFileSync(join(dir, 'model.safetensors')));
    unlinkSync(join(dir, 'model.safetensors'));
    symlinkSync(target, join(dir, 'model.safetensors'));
    const v = await verifyModel(dir, { publicKeyPem: P256.publicPem });
    expect(v.problems).toEqual([
      {
        kind: 'extra',
        resource: 'model.safetensors',
        message: expect.stringMatching(
          /is a symlink .*\(the signature was made without symlinks\): the model cannot be checked$/,
        ),
      },
    ]);
  });
});

describe('what sign writes validates against the OMS v1.0 JSON schemas', () => {
  const load = (name: string) => JSON.parse(readFileSync(join(SCHEMAS, name), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  for (const name of ['envelope', 'predicate', 'statement', 'bundle'])
    ajv.addSchema(load(`${name}.schema.json`));
  const bundleValid = ajv.getSchema('https://model_signing/bundle/v1.0/schema')!;
  const statementValid = ajv.getSchema('https://model_signing/statement/v1.0/schema')!;
  const statementOf = (bundle: Record<string, unknown>) =>
    JSON.parse(
      Buffer.from((bundle['dsseEnvelope'] as { payload: string }).payload, 'base64').toString('utf8'),
    );

  it('all four schemas are draft 2020-12 (hence Ajv2020)', () => {
    for (const name of ['bundle', 'envelope', 'statement', 'predicate'])
      expect(load(`${name}.schema.json`).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('files mode: bundle and statement validate strictly', async () => {
    for (const opts of [{}, { hashType: 'blake2b' as const, privateKeyPem: P384.privatePem }]) {
      const { dir } = makeModel();
      const { bundle } = await sign(dir, opts);
      expect(bundleValid(bundle), JSON.stringify(bundleValid.errors)).toBe(true);
      expect(statementValid(statementOf(bundle)), JSON.stringify(statementValid.errors)).toBe(true);
    }
  });

  it('the schemas do reject a broken statement (the check can fail)', async () => {
    const { dir } = makeModel();
    const statement = statementOf((await sign(dir)).bundle);
    statement.predicate.serialization.extra = true;
    expect(statementValid(statement)).toBe(false);
  });

  it('shards mode: only the documented divergence — "<hash>-sharded-<size>" algorithms — fails the schema', async () => {
    const { dir } = makeModel();
    const { bundle } = await sign(dir, { serialization: 'shards', shardSize: 512 });
    expect(bundleValid(bundle)).toBe(true);
    const statement = statementOf(bundle);
    expect(statementValid(statement)).toBe(false);
    const paths = new Set(
      (statementValid.errors ?? []).map((e) => `${e.instancePath.replace(/\/\d+\//, '/N/')} ${e.keyword}`),
    );
    expect([...paths]).toEqual(['/predicate/resources/N/algorithm enum']);
    for (const r of statement.predicate.resources) r.algorithm = statement.predicate.serialization.hash_type;
    expect(statementValid(statement), JSON.stringify(statementValid.errors)).toBe(true);
  });
});
