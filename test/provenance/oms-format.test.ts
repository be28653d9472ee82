/**
 * The bundle and statement readers: lenient where the spec, Python and Go differ (research note §1.9),
 * strict — with a message saying what differs — everywhere else. End-to-end cases re-sign an edited
 * statement with the test key, so only the leniency under test separates them from a normal bundle.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeBase64, pythonBytesRepr } from '../../src/provenance/oms/dsse.js';
import {
  BundleFormatError,
  buildBundle,
  loadPrivateKey,
  PAYLOAD_TYPE,
  pae,
  paeCompat,
  parseStatement,
  readBundle,
  signModel,
  verifyModel,
} from '../../src/provenance/oms/index.js';
import { ecdsaSign } from '../../src/provenance/oms/keys.js';
import { tempDir } from '../support/temp.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }) as string;
const tmp = tempDir('modelguard-oms-format-');
// biome-ignore lint/suspicious/noExplicitAny: the tests edit parsed JSON in place
type Json = Record<string, any>;
let n = 0;

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const root = (digests: string[]) => sha(Buffer.concat(digests.map((d) => Buffer.from(d, 'hex'))));

function statement(over: Record<string, unknown> = {}, predicate: Record<string, unknown> = {}) {
  const resources = (predicate['resources'] as Array<{ digest: string }> | undefined) ?? [
    { name: 'a', algorithm: 'sha256', digest: sha('a') },
    { name: 'b', algorithm: 'sha256', digest: sha('b') },
  ];
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'm', digest: { sha256: root(resources.map((r) => r.digest)) } }],
    predicateType: 'https://model_signing/signature/v1.0',
    predicate: {
      resources,
      serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false },
      ...predicate,
    },
    ...over,
  };
}
const parse = (s: unknown) => parseStatement(Buffer.from(typeof s === 'string' ? s : JSON.stringify(s)));

function bundleJson(edit: (b: Json) => void = () => undefined): string {
  const payload = Buffer.from(JSON.stringify(statement()));
  const sig = ecdsaSign(loadPrivateKey(PRIVATE), pae(PAYLOAD_TYPE, payload));
  const b = buildBundle({ publicKeyHint: sha(PUBLIC) }, payload, PAYLOAD_TYPE, sig) as Json;
  edit(b);
  return JSON.stringify(b);
}

describe('DSSE encodings', () => {
  it('PAE is DSSEv1 with byte lengths', () => {
    expect(pae('t/ü', Buffer.from('héllo')).toString()).toBe('DSSEv1 4 t/ü 6 héllo');
  });

  const python = spawnSync('python3', ['-c', 'print(1)']).status === 0;
  it.skipIf(!python)('pythonBytesRepr matches Python repr(bytes) on random and tricky inputs', () => {
    const inputs = [
      Buffer.from('{"a": "it\'s"}\n'),
      Buffer.from("only 'single' quotes"),
      Buffer.from('both \' and "'),
      Buffer.from('back\\slash\t\r\x00\x7f'),
      Buffer.from('ünïcødé'),
      ...Array.from({ length: 20 }, () => randomBytes(64)),
    ];
    // One interpreter for all inputs: hex in, JSON list of repr() strings out.
    const script =
      'import sys, json; print(json.dumps([repr(bytes.fromhex(h)) for h in sys.stdin.read().split()]))';
    const r = spawnSync('python3', ['-c', script], {
      input: inputs.map((b) => b.toString('hex')).join(' '),
      encoding: 'utf8',
    });
    expect(JSON.parse(r.stdout)).toEqual(inputs.map((b) => pythonBytesRepr(b)));
  });

  it('paeCompat is the v0.2 encoding', () => {
    expect(paeCompat('t', Buffer.from('{"x": 1}\n')).toString()).toBe('DSSEV1 1 t 9 b\'{"x": 1}\\n\'');
  });

  it('base64: standard with padding or URL-safe unpadded; anything else refused', () => {
    expect(decodeBase64('aGk=', 'f').toString()).toBe('hi');
    expect(decodeBase64('-_8', 'f')).toEqual(Buffer.from([0xfb, 0xff]));
    for (const bad of ['a Gk=', 'aGk=\n', 'a*Gk', 'aGk==='])
      expect(() => decodeBase64(bad, 'field')).toThrow(new BundleFormatError('field is not valid base64'));
  });
});

describe('readBundle', () => {
  it('accepts keyid "", null or absent, tlogEntries [] or absent, both v0.3 media type spellings', () => {
    const variants: Array<(b: Json) => void> = [
      () => undefined,
      (b) => {
        b['dsseEnvelope'].signatures[0].keyid = null;
      },
      (b) => {
        delete b['dsseEnvelope'].signatures[0].keyid;
      },
      (b) => {
        delete b['verificationMaterial'].tlogEntries;
      },
      (b) => {
        b['mediaType'] = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
      },
    ];
    for (const edit of variants) {
      const r = readBundle(bundleJson(edit));
      expect(r.method).toBe('key');
      expect(r.material).toEqual({ kind: 'publicKey', hint: sha(PUBLIC) });
    }
  });

  const rejected: Array<[string, (b: Json) => void, string]> = [
    [
      'an unknown top-level field',
      (b) => {
        b['extra'] = 1;
      },
      'the bundle has unknown field(s): extra',
    ],
    [
      'a v0.2 media type for the key method',
      (b) => {
        b['mediaType'] = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
      },
      'mediaType is "application/vnd.dev.sigstore.bundle+json;version=0.2"; key signatures use "application/vnd.dev.sigstore.bundle.v0.3+json"',
    ],
    [
      'another media type',
      (b) => {
        b['mediaType'] = 'application/json';
      },
      'mediaType is "application/json", expected "application/vnd.dev.sigstore.bundle.v0.3+json"',
    ],
    [
      'two signatures',
      (b) => b['dsseEnvelope'].signatures.push(b['dsseEnvelope'].signatures[0]),
      'dsseEnvelope has 2 signatures; an OMS bundle has exactly one',
    ],
    [
      'no signature',
      (b) => {
        b['dsseEnvelope'].signatures = [];
      },
      'dsseEnvelope.signatures is empty or missing',
    ],
    [
      'a bad base64 payload',
      (b) => {
        b['dsseEnvelope'].payload = 'e30=!';
      },
      'dsseEnvelope.payload is not valid base64',
    ],
    [
      'a numeric keyid',
      (b) => {
        b['dsseEnvelope'].signatures[0].keyid = 5;
      },
      'dsseEnvelope.signatures[0].keyid is not a string',
    ],
    [
      'a message signature',
      (b) => {
        b['messageSignature'] = {};
      },
      'the bundle carries a messageSignature; OMS signatures are DSSE envelopes (dsseEnvelope)',
    ],
    [
      'two materials',
      (b) => {
        b['verificationMaterial'].certificate = { rawBytes: 'AA==' };
      },
      'verificationMaterial has both publicKey and certificate',
    ],
    [
      'a hint that is not a SHA-256',
      (b) => {
        b['verificationMaterial'].publicKey.hint = 'abc';
      },
      'verificationMaterial.publicKey.hint is not a hex SHA-256',
    ],
    [
      'an empty certificate chain',
      (b) => {
        b['verificationMaterial'] = { x509CertificateChain: { certificates: [] } };
      },
      'verificationMaterial.x509CertificateChain.certificates is empty or missing',
    ],
  ];
  for (const [what, edit, message] of rejected) {
    it(`rejects ${what}`, () => {
      expect(() => readBundle(bundleJson(edit))).toThrow(new BundleFormatError(message));
    });
  }

  it('rejects non-JSON and non-objects', () => {
    expect(() => readBundle('{')).toThrow(/^the signature file is not JSON: /);
    expect(() => readBundle('[]')).toThrow(new BundleFormatError('the signature file is not a JSON object'));
    expect(() => readBundle(' \n')).toThrow(new BundleFormatError('the signature file is empty'));
  });
});

describe('parseStatement', () => {
  it('accepts resources in any order (root digest recomputed in the given order)', () => {
    const resources = [
      { name: 'z', algorithm: 'sha256', digest: sha('z') },
      { name: 'a', algorithm: 'sha256', digest: sha('a') },
    ];
    expect(parse(statement({}, { resources })).resources.map((r) => r.name)).toEqual(['z', 'a']);
  });

  it('accepts shard_size as 8.0 or 8e0, and shard algorithms with or without -sharded-N', () => {
    const resources = [
      { name: 'w:0:8', algorithm: 'sha256-sharded-8', digest: sha('1') },
      { name: 'w:8:10', algorithm: 'sha256', digest: sha('2') },
    ];
    for (const size of ['8.0', '8e0', '8']) {
      const text = JSON.stringify(
        statement(
          {},
          {
            resources,
            serialization: {
              method: 'shards',
              hash_type: 'sha256',
              allow_symlinks: false,
              shard_size: 'SIZE',
            },
          },
        ),
      ).replace('"SIZE"', size);
      const m = parse(text);
      expect(m.serialization.shard_size).toBe(8);
      expect(m.warnings).toEqual([
        'shard resources use the algorithm "sha256" (OMS spec form) rather than "sha256-sharded-8" (Python/Go form)',
      ]);
    }
  });

  it('accepts the legacy v0.2 predicate with a warning', () => {
    const m = parse({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [
        { name: 'w', digest: { sha256: sha('w') }, annotations: { actual_hash_algorithm: 'file-sha256' } },
      ],
      predicateType: 'https://model_signing/Digests/v0.1',
      predicate: { unused: 'Unused, just passed due to API requirements' },
    });
    expect(m.legacy).toBe(true);
    expect(m.resources).toEqual([{ name: 'w', algorithm: 'sha256', digest: sha('w') }]);
  });

  const shardSer = { method: 'shards', hash_type: 'sha256', allow_symlinks: false, shard_size: 8 };
  const rejected: Array<[string, unknown, string]> = [
    [
      'wrong _type',
      statement({ _type: 'https://in-toto.io/Statement/v0.1' }),
      'statement _type is "https://in-toto.io/Statement/v0.1", expected "https://in-toto.io/Statement/v1"',
    ],
    [
      'wrong predicateType',
      statement({ predicateType: 'x' }),
      'predicateType is "x", expected "https://model_signing/signature/v1.0"',
    ],
    ['two subjects', statement({ subject: [{}, {}] }), 'statement has 2 subject(s), expected exactly one'],
    [
      'a root digest mismatch',
      statement({ subject: [{ name: 'm', digest: { sha256: sha('x') } }] }),
      `the signed resources hash to root digest ${root([sha('a'), sha('b')])}, but the subject says ${sha('x')} (manifest is inconsistent)`,
    ],
    [
      'an unknown serialization field',
      statement({}, { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: false, x: 1 } }),
      'predicate.serialization has unknown field(s): x',
    ],
    [
      'blake3',
      statement({}, { serialization: { method: 'files', hash_type: 'blake3', allow_symlinks: false } }),
      'serialization.hash_type blake3 is not supported (node:crypto has no BLAKE3)',
    ],
    [
      'a fractional shard size',
      statement({}, { serialization: { ...shardSer, shard_size: 8.5 } }),
      'serialization.shard_size is 8.5, expected a positive integer',
    ],
    [
      'allow_symlinks as a string',
      statement({}, { serialization: { method: 'files', hash_type: 'sha256', allow_symlinks: 'false' } }),
      'serialization.allow_symlinks is "false", expected true or false',
    ],
    [
      'a duplicate resource',
      statement(
        {},
        {
          resources: [
            { name: 'a', algorithm: 'sha256', digest: sha('a') },
            { name: 'a', algorithm: 'sha256', digest: sha('b') },
          ],
        },
      ),
      'resource "a" appears twice in the manifest',
    ],
    [
      'a short digest',
      statement({}, { resources: [{ name: 'a', algorithm: 'sha256', digest: 'abcd' }] }),
      'resource "a": digest is not 64 hex digits (sha256)',
    ],
    [
      'an algorithm other than hash_type',
      statement({}, { resources: [{ name: 'a', algorithm: 'blake2b', digest: sha('a') }] }),
      'resource "a": algorithm is "blake2b", expected "sha256" (serialization files/sha256)',
    ],
    [
      'a path escaping the model',
      statement({}, { resources: [{ name: '../etc/passwd', algorithm: 'sha256', digest: sha('a') }] }),
      'resource name "../etc/passwd" is not a relative POSIX path inside the model',
    ],
    [
      'an absolute path',
      statement({}, { resources: [{ name: '/x', algorithm: 'sha256', digest: sha('a') }] }),
      'resource name "/x" is not a relative POSIX path inside the model',
    ],
    [
      'a shard name without a range',
      statement(
        {},
        {
          resources: [{ name: 'w', algorithm: 'sha256-sharded-8', digest: sha('a') }],
          serialization: shardSer,
        },
      ),
      'shard resource "w" is not "path:start:end"',
    ],
    [
      'shards with a gap',
      statement(
        {},
        {
          resources: [
            { name: 'w:0:8', algorithm: 'sha256-sharded-8', digest: sha('a') },
            { name: 'w:16:20', algorithm: 'sha256-sharded-8', digest: sha('b') },
          ],
          serialization: shardSer,
        },
      ),
      'the signed shards of "w" do not tile the file in 8-byte pieces (at w:16:20)',
    ],
    [
      'a shard longer than shard_size',
      statement(
        {},
        {
          resources: [{ name: 'w:0:9', algorithm: 'sha256-sharded-8', digest: sha('a') }],
          serialization: shardSer,
        },
      ),
      'the signed shards of "w" do not tile the file in 8-byte pieces (at w:0:9)',
    ],
    ['a payload that is not JSON', '{"_type": ', 'the signed payload is not JSON: '],
  ];
  for (const [what, input, message] of rejected) {
    it(`rejects ${what}`, () => {
      let thrown: unknown;
      try {
        parse(input);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(BundleFormatError);
      expect((thrown as Error).message.startsWith(message)).toBe(true);
      if (!message.endsWith(': ')) expect((thrown as Error).message).toBe(message);
    });
  }

  it('shard paths may contain ":" (the last two fields are the range)', () => {
    const m = parse(
      statement(
        {},
        {
          resources: [{ name: 'a:b:0:3', algorithm: 'sha256-sharded-8', digest: sha('x') }],
          serialization: shardSer,
        },
      ),
    );
    expect(m.resources[0]!.name).toBe('a:b:0:3');
  });
});

describe('lenient bundles verify end to end (edited statement re-signed with the test key)', () => {
  /** Signs a model, applies `edit` to its statement, re-signs, returns the folder. */
  async function resigned(
    edit: (s: Json) => string,
    opts: { serialization?: 'shards'; shardSize?: number } = {},
  ) {
    const dir = join(tmp.dir, `m-${n++}`);
    mkdirSync(join(dir, 'a'), { recursive: true });
    mkdirSync(join(dir, 'a-b'), { recursive: true });
    for (const name of ['a/b', 'a/c', 'a b', 'a-b/c', 'a.b'])
      writeFileSync(join(dir, name), `content of ${name}\n`.repeat(3));
    const { bundle } = await signModel(dir, { method: 'key', privateKeyPem: PRIVATE, ...opts });
    const st = JSON.parse(readBundle(bundle).envelope.payload.toString('utf8'));
    const payload = Buffer.from(edit(st));
    const sig = ecdsaSign(loadPrivateKey(PRIVATE), pae(PAYLOAD_TYPE, payload));
    writeFileSync(
      join(dir, 'model.sig'),
      JSON.stringify(buildBundle({ publicKeyHint: sha(PUBLIC) }, payload, PAYLOAD_TYPE, sig)),
    );
    return dir;
  }

  it('resources in Python order (path components), root digest in that order', async () => {
    const dir = await resigned((s) => {
      const order = ['a/b', 'a/c', 'a b', 'a-b/c', 'a.b'];
      const rs = s['predicate'].resources as Array<{ name: string; digest: string }>;
      expect(rs.map((r) => r.name)).toEqual(['a b', 'a-b/c', 'a.b', 'a/b', 'a/c']); // what we sign: code-point order
      rs.sort((x, y) => order.indexOf(x.name) - order.indexOf(y.name));
      s['subject'][0].digest.sha256 = root(rs.map((r) => r.digest));
      return JSON.stringify(s, null, 2);
    });
    const v = await verifyModel(dir, { publicKeyPem: PUBLIC });
    expect(v.problems).toEqual([]);
  });

  it('shard_size written as a float, and the plain shard algorithm', async () => {
    const dir = await resigned(
      (s) => {
        for (const r of s['predicate'].resources) r.algorithm = 'sha256';
        return JSON.stringify(s).replace('"shard_size":16', '"shard_size":16.0');
      },
      { serialization: 'shards', shardSize: 16 },
    );
    const v = await verifyModel(dir, { publicKeyPem: PUBLIC });
    expect(v.problems).toEqual([]);
    expect(v.warnings.some((w) => w.includes('OMS spec form'))).toBe(true);
  });

  it('a payloadType other than in-toto is refused after the signature check', async () => {
    const dir = join(tmp.dir, `m-${n++}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'w'), 'w');
    const payload = Buffer.from(JSON.stringify(statement()));
    const sig = ecdsaSign(loadPrivateKey(PRIVATE), pae('text/plain', payload));
    writeFileSync(
      join(dir, 'model.sig'),
      JSON.stringify(buildBundle({ publicKeyHint: sha(PUBLIC) }, payload, 'text/plain', sig)),
    );
    const v = await verifyModel(dir, { publicKeyPem: PUBLIC });
    expect(v.problems).toEqual([
      { kind: 'format', message: 'payloadType is "text/plain", expected "application/vnd.in-toto+json"' },
    ]);
  });
});
