/**
 * `modelguard sign` and `modelguard verify`, run in-process through the CLI's `run(argv)`: exit codes
 * (0 verified, 1 not verified, 2 usage/tool error), text output with the verdict first, JSON output that
 * is the VerifyResult, and the flag contract (aliases, method inference, one verification method).
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import type { VerifyResult } from '../../src/provenance/types.js';
import { tempDir } from '../support/temp.js';

const REF = new URL('../../../shared/vectors/model-signing/reference-impl/', import.meta.url).pathname;
const KEYS = join(REF, 'keys/certificate');
const tmp = tempDir('modelguard-sign-cli-');

const pair = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const PRIVATE = tmp.write('keys/p384.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
const PUBLIC = tmp.write('keys/p384.pub', pair.publicKey.export({ type: 'spki', format: 'pem' }));
const ENCRYPTED = tmp.write(
  'keys/enc.pem',
  pair.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }),
);

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
  const capture = (sink: 'out' | 'err') =>
    ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (sink === 'out') out += text;
      else err += text;
      const cb = rest.find((r) => typeof r === 'function') as ((e?: Error) => void) | undefined;
      cb?.();
      return true;
    }) as typeof process.stdout.write;
  vi.spyOn(process.stdout, 'write').mockImplementation(capture('out'));
  vi.spyOn(process.stderr, 'write').mockImplementation(capture('err'));
  // No ambient OIDC token: keyless signing must stop before any network call.
  vi.stubEnv('SIGSTORE_ID_TOKEN', undefined);
  vi.stubEnv('ACTIONS_ID_TOKEN_REQUEST_URL', undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const cli = (...args: string[]) => run(['node', 'modelguard', ...args]);

let n = 0;
function model(): string {
  const dir = join(tmp.dir, `model-${n++}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(5000, 3));
  writeFileSync(join(dir, 'sub', 'config.json'), '{"a":1}');
  writeFileSync(join(dir, 'notes.md'), 'scratch');
  return dir;
}

describe('modelguard sign / verify', () => {
  it('sign writes PATH/model.sig and verify exits 0 with the verdict first', async () => {
    const dir = model();
    expect(await cli('sign', dir, '--private-key', PRIVATE)).toBe(0);
    expect(out.split('\n')[0]).toBe(`Signed ${dir} → ${join(dir, 'model.sig')}`);
    expect(out).toMatch(/method key, 3 file\(s\), 3 resource\(s\) \(files, sha256\)/);
    out = '';
    expect(await cli('verify', dir, '--public-key', PUBLIC)).toBe(0);
    expect(out.split('\n')[0]).toBe(`VERIFIED ${dir}: 3 resource(s) match the signature`);
    expect(out).toMatch(/signed by key [0-9a-f]{64} \(P-384\)/);
  });

  it('verify exits 1 and lists each problem after the verdict', async () => {
    const dir = model();
    await cli('sign', dir, '--private-key', PRIVATE);
    writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(5000, 4));
    writeFileSync(join(dir, 'added.py'), 'x');
    out = '';
    expect(await cli('verify', dir, '--public-key', PUBLIC)).toBe(1);
    const lines = out.split('\n');
    expect(lines[0]).toBe(`NOT VERIFIED ${dir}: 2 problem(s)`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}modified {2}weights\.bin has changed: sha256 /));
    expect(lines).toContain('  extra     added.py is not covered by the signature');
    out = '';
    expect(
      await cli('verify', dir, '--public-key', PUBLIC, '--ignore-unsigned-files', '--format', 'json'),
    ).toBe(1);
    const json = JSON.parse(out) as VerifyResult;
    expect(json.verified).toBe(false);
    expect(json.problems.map((p) => [p.kind, p.resource])).toEqual([['modified', 'weights.bin']]);
  });

  it('shards, blake2b, ignore paths relative to the current directory or to the model', async () => {
    const dir = model();
    const args = [
      '--serialization',
      'shards',
      '--shard-size',
      '1024',
      '--hash',
      'blake2b',
      '--format',
      'json',
    ];
    expect(await cli('sign', dir, '--private-key', PRIVATE, '--ignore-paths', 'notes.md', ...args)).toBe(0);
    const signed = JSON.parse(out) as { resources: number; serialization: { ignore_paths: string[] } };
    expect(signed.resources).toBe(5 + 1); // weights.bin in 5 shards, config.json in 1
    expect(signed.serialization.ignore_paths).toContain('notes.md');
    writeFileSync(join(dir, 'notes.md'), 'edited');
    writeFileSync(join(dir, 'sub', 'extra.txt'), 'new');
    expect(
      await cli('verify', dir, '--public-key', PUBLIC, '--ignore-paths', join(dir, 'sub', 'extra.txt')),
    ).toBe(0);
  });

  it('encrypted keys: --password, or MODELGUARD_KEY_PASSWORD; a wrong one is exit 2', async () => {
    const dir = model();
    expect(await cli('sign', dir, '--private-key', ENCRYPTED)).toBe(2);
    expect(err).toBe('modelguard: the private key is encrypted: pass its password\n');
    err = '';
    expect(await cli('sign', dir, '--private-key', ENCRYPTED, '--password', 'nope')).toBe(2);
    expect(err).toBe('modelguard: cannot decrypt the private key: wrong password\n');
    expect(await cli('sign', dir, '--private-key', ENCRYPTED, '--password', 'pw')).toBe(0);
    vi.stubEnv('MODELGUARD_KEY_PASSWORD', 'pw');
    expect(await cli('sign', dir, '--private-key', ENCRYPTED)).toBe(0);
    expect(await cli('verify', dir, '--public-key', PUBLIC)).toBe(0);
  });

  it('a single file gets FILE.sig, found again by verify', async () => {
    const dir = model();
    const file = join(dir, 'weights.bin');
    expect(await cli('sign', file, '--private-key', PRIVATE)).toBe(0);
    expect(readdirSync(dir)).toContain('weights.bin.sig');
    expect(await cli('verify', file, '--public-key', PUBLIC)).toBe(0);
  });

  it('reference vectors through the CLI: certificate chain, and --identity-provider as an alias of --issuer', async () => {
    const copy = join(tmp.dir, `ref-${n++}`);
    cpSync(join(REF, 'v1.0.1-certificate'), copy, { recursive: true });
    chmodSync(copy, 0o755);
    process.chdir(tmp.dir);
    // --ignore-paths relative to the current directory, as the reference CLI reads it.
    expect(
      await cli(
        'verify',
        copy,
        '--certificate-chain',
        join(KEYS, 'ca-cert.pem'),
        '--ignore-paths',
        `${copy.split('/').pop()}/ignore-me`,
      ),
    ).toBe(0);
    expect(
      await cli(
        'verify',
        join(REF, 'v1.1.0-sigstore'),
        '--identity',
        'stefanb@us.ibm.com',
        '--identity-provider',
        'https://sigstore.verify.ibm.com/oauth2',
      ),
    ).toBe(0);
    out = '';
    expect(
      await cli(
        'verify',
        join(REF, 'v1.1.0-sigstore'),
        '--identity',
        'someone@example.com',
        '--issuer',
        'https://sigstore.verify.ibm.com/oauth2',
      ),
    ).toBe(1);
    expect(out).toMatch(/^NOT VERIFIED .*\n.*\n {2}untrusted /);
  });

  it('names with control characters or bidi overrides are printed escaped', async () => {
    const dir = model();
    await cli('sign', dir, '--private-key', PRIVATE);
    writeFileSync(join(dir, 'evil\x1b[2Jname\u202e.txt'), 'x');
    out = '';
    expect(await cli('verify', dir, '--public-key', PUBLIC)).toBe(1);
    expect(out).toContain('extra     evil\\u001b[2Jname\\u202e.txt is not covered by the signature');
    expect(out).not.toContain('\x1b');
    out = '';
    await cli('verify', dir, '--public-key', PUBLIC, '--format', 'json');
    expect((JSON.parse(out) as VerifyResult).problems[0]!.resource).toBe('evil\x1b[2Jname\u202e.txt');
  });

  it('a malformed signature file is "not verified" (1), an unreadable one is a tool error (2)', async () => {
    const dir = model();
    writeFileSync(join(dir, 'model.sig'), '{"mediaType": 1}');
    expect(await cli('verify', dir, '--public-key', PUBLIC)).toBe(1);
    expect(out).toContain(
      '  format    mediaType is 1, expected "application/vnd.dev.sigstore.bundle.v0.3+json"',
    );
    expect(await cli('verify', dir, '--public-key', PUBLIC, '--signature', join(dir, 'nope.sig'))).toBe(2);
    expect(err).toMatch(/^modelguard: cannot read the signature file .*nope\.sig: /);
    err = '';
    expect(await cli('verify', model(), '--public-key', PUBLIC)).toBe(2);
    expect(err).toMatch(/^modelguard: no signature found for /);
  });

  const usage: Array<[string, string[], RegExp]> = [
    ['sign without key material', ['sign', 'DIR'], /nothing to sign with: give --private-key/],
    [
      'sign with a non-integer shard size',
      ['sign', 'DIR', '--private-key', PRIVATE, '--serialization', 'shards', '--shard-size', '1e3'],
      /--shard-size must be a positive integer/,
    ],
    [
      '--shard-size without shards',
      ['sign', 'DIR', '--private-key', PRIVATE, '--shard-size', '10'],
      /--shard-size needs --serialization shards/,
    ],
    [
      'certificate method without a certificate',
      ['sign', 'DIR', '--private-key', PRIVATE, '--method', 'certificate'],
      /needs --signing-certificate/,
    ],
    [
      'a missing key file',
      ['sign', 'DIR', '--private-key', '/nonexistent/key.pem'],
      /cannot read --private-key \/nonexistent\/key\.pem: ENOENT/,
    ],
    [
      'a public key that is not a key',
      ['verify', 'DIR', '--public-key', 'CONFIG'],
      /cannot read the public key/,
    ],
    [
      'keyless signing without an identity token (offline, no token in the environment)',
      ['sign', 'DIR', '--method', 'sigstore'],
      /token/i,
    ],
    [
      'verify without material',
      ['verify', 'DIR'],
      /give --public-key, --certificate-chain, or --identity with --issuer/,
    ],
    [
      'verify with two methods',
      ['verify', 'DIR', '--public-key', PUBLIC, '--certificate-chain', PUBLIC],
      /give one verification method, not --public-key and --certificate-chain/,
    ],
    [
      '--identity without --issuer',
      ['verify', 'DIR', '--identity', 'a@b.c'],
      /--identity and --issuer go together/,
    ],
    ['an unknown --hash', ['sign', 'DIR', '--private-key', PRIVATE, '--hash', 'md5'], /./],
    ['a missing model', ['sign', '/nonexistent/model', '--private-key', PRIVATE], /does not exist/],
    [
      '--signature naming a folder',
      ['sign', 'DIR', '--private-key', PRIVATE, '--signature', tmp.dir],
      /^modelguard: cannot write the signature to .*EISDIR/,
    ],
  ];
  for (const [what, args, message] of usage) {
    it(`exit 2: ${what}`, async () => {
      const dir = model();
      const argv = args.map((a) =>
        a === 'DIR' ? dir : a === 'CONFIG' ? join(dir, 'sub', 'config.json') : a,
      );
      expect(await cli(...argv)).toBe(2);
      expect(err).toMatch(message);
      expect(readdirSync(dir)).not.toContain('model.sig');
    });
  }

  it('--help lists the contract flags', async () => {
    expect(await cli('sign', '--help')).toBe(0);
    for (const flag of [
      '--method',
      '--private-key',
      '--password',
      '--signing-certificate',
      '--certificate-chain',
      '--signature',
      '--serialization',
      '--shard-size',
      '--hash',
      '--ignore-paths',
      '--no-ignore-git-paths',
      '--allow-symlinks',
      '--format',
    ])
      expect(out).toContain(flag);
    out = '';
    expect(await cli('verify', '--help')).toBe(0);
    for (const flag of [
      '--signature',
      '--public-key',
      '--certificate-chain',
      '--identity',
      '--issuer',
      '--trust-root',
      '--use-staging',
      '--ignore-paths',
      '--ignore-unsigned-files',
      '--allow-symlinks',
      '--format',
    ])
      expect(out).toContain(flag);
    expect(readFileSync(PUBLIC, 'utf8')).toContain('BEGIN PUBLIC KEY');
  });
});
