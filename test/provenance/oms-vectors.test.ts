/**
 * Interop: the reference implementation's own signatures (sigstore/model-transparency scripts/tests,
 * model_signing 0.2 → 1.1) verify with the material its README lists, and every derived negative fails
 * with a message naming what differs. The OMS spec's test vectors parse (valid) or are rejected (invalid).
 */
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, cpSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BundleFormatError,
  parseStatement,
  readBundle,
  type VerifyOptions,
  verifyModel,
} from '../../src/provenance/oms/index.js';
import type { VerifyResult } from '../../src/provenance/types.js';
import { tempDir } from '../support/temp.js';

const SHARED = new URL('../../../shared/vectors/model-signing/', import.meta.url).pathname;
const REF = join(SHARED, 'reference-impl');
const KEYS = join(REF, 'keys/certificate');
const SPEC = join(SHARED, 'spec/test-vectors/v1.0');
const PUBLIC_KEY = readFileSync(join(KEYS, 'signing-key-pub.pem'));
const ROOT_CA = readFileSync(join(KEYS, 'ca-cert.pem'));
const INTERMEDIATE_CA = readFileSync(join(KEYS, 'int-ca-cert.pem'));

interface Vector {
  dir: string;
  method: 'key' | 'certificate';
  /** The README lists `ignore-me` to pass with --ignore-paths. */
  ignore: boolean;
  /** Signed as a single file (resource "."): the model path is the file, model.sig lies beside it. */
  singleFile: boolean;
}

const VECTORS: Vector[] = [
  { dir: 'v0.2.0-certificate', method: 'certificate', ignore: false, singleFile: false },
  { dir: 'v0.3.1-certificate', method: 'certificate', ignore: false, singleFile: false },
  { dir: 'v1.0.0-certificate', method: 'certificate', ignore: false, singleFile: false },
  { dir: 'v1.0.1-certificate', method: 'certificate', ignore: true, singleFile: false },
  { dir: 'v1.1.0-certificate', method: 'certificate', ignore: true, singleFile: false },
  { dir: 'v0.3.1-elliptic-key', method: 'key', ignore: false, singleFile: true },
  { dir: 'v1.0.0-elliptic-key', method: 'key', ignore: false, singleFile: true },
  { dir: 'v1.0.1-elliptic-key', method: 'key', ignore: true, singleFile: false },
  { dir: 'v1.1.0-elliptic-key', method: 'key', ignore: true, singleFile: false },
];

function material(v: Vector): Pick<VerifyOptions, 'publicKeyPem' | 'chainPems'> {
  return v.method === 'key' ? { publicKeyPem: PUBLIC_KEY } : { chainPems: [ROOT_CA] };
}

/** Verifies a copy (or the original) of a vector folder as the reference's test scripts do. */
function verifyVector(v: Vector, dir: string, extra: Partial<VerifyOptions> = {}): Promise<VerifyResult> {
  return verifyModel(v.singleFile ? join(dir, 'signme-1') : dir, {
    signaturePath: join(dir, 'model.sig'),
    ...material(v),
    ...(v.ignore ? { ignorePaths: [join(dir, 'ignore-me')] } : {}),
    ...extra,
  });
}

const tmp = tempDir('modelguard-oms-vectors-');
let copies = 0;
/** A writable copy of a vector folder. */
function copy(v: Vector): string {
  const dir = join(tmp.dir, `${v.dir}-${copies++}`);
  cpSync(join(REF, v.dir), dir, { recursive: true });
  for (const f of readdirSync(dir)) chmodSync(join(dir, f), 0o644);
  chmodSync(dir, 0o755);
  return dir;
}

function flipByte(path: string, at = 0): void {
  const b = readFileSync(path);
  b[at] = (b[at] ?? 0) ^ 0x01;
  writeFileSync(path, b);
}

function signedFiles(v: Vector): string[] {
  return readdirSync(join(REF, v.dir)).filter((f) => f.startsWith('signme-'));
}

describe('reference implementation signatures verify', () => {
  for (const v of VECTORS) {
    it(`${v.dir} (${v.method})`, async () => {
      const r = await verifyVector(v, join(REF, v.dir));
      expect(r.problems).toEqual([]);
      expect(r.verified).toBe(true);
      expect(r.method).toBe(v.method);
      expect(r.checkedResources).toBe(v.singleFile ? 1 : 2);
      expect(r.signer).toContain(
        v.method === 'key'
          ? 'e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e'
          : 'CN=intermediate-ca',
      );
    });
  }

  it('v0.2.0 needs the legacy predicate and PAE (warnings say so)', async () => {
    const r = await verifyVector(VECTORS[0]!, join(REF, 'v0.2.0-certificate'));
    expect(r.warnings.join('\n')).toMatch(/Digests\/v0\.1/);
    expect(r.warnings.join('\n')).toMatch(/0\.2's PAE encoding \(with sha256\)/);
  });

  it('v1.0.1 (no recorded ignore_paths) fails without --ignore-paths: ignore-me is extra', async () => {
    const v = VECTORS.find((x) => x.dir === 'v1.0.1-elliptic-key')!;
    const r = await verifyModel(join(REF, v.dir), { publicKeyPem: PUBLIC_KEY });
    expect(r.verified).toBe(false);
    expect(r.problems).toEqual([
      { kind: 'extra', resource: 'ignore-me', message: 'ignore-me is not covered by the signature' },
    ]);
  });

  it('v1.1.0 records ignore-me in ignore_paths, so it passes without --ignore-paths', async () => {
    const r = await verifyModel(join(REF, 'v1.1.0-elliptic-key'), { publicKeyPem: PUBLIC_KEY });
    expect(r.verified).toBe(true);
  });

  it('a single-file signature (resource ".") checked against the folder says to verify the file', async () => {
    const r = await verifyModel(join(REF, 'v1.0.0-elliptic-key'), { publicKeyPem: PUBLIC_KEY });
    expect(r.verified).toBe(false);
    expect(r.problems).toContainEqual(
      expect.objectContaining({
        kind: 'missing',
        resource: '.',
        message: expect.stringMatching(/single file/),
      }),
    );
    expect(r.problems).toContainEqual(expect.objectContaining({ kind: 'extra', resource: 'signme-1' }));
  });
});

describe('derived negatives fail with a precise message', () => {
  for (const v of VECTORS) {
    describe(v.dir, () => {
      for (const file of signedFiles(v)) {
        if (v.singleFile && file !== 'signme-1') continue;
        it(`one byte of ${file} changed → modified ${file}`, async () => {
          const dir = copy(v);
          flipByte(join(dir, file), 3);
          const r = await verifyVector(v, dir);
          expect(r.verified).toBe(false);
          expect(r.problems).toHaveLength(1);
          expect(r.problems[0]).toMatchObject({ kind: 'modified', resource: file });
          expect(r.problems[0]!.message).toMatch(
            new RegExp(`^${file} has changed: sha256 [0-9a-f]{64}, signed [0-9a-f]{64}$`),
          );
        });
      }

      if (!v.singleFile) {
        it('an extra file → extra', async () => {
          const dir = copy(v);
          writeFileSync(join(dir, 'payload.py'), 'import os\n');
          const r = await verifyVector(v, dir);
          expect(r.problems).toEqual([
            { kind: 'extra', resource: 'payload.py', message: 'payload.py is not covered by the signature' },
          ]);
          const tolerant = await verifyVector(v, dir, { ignoreUnsignedFiles: true });
          expect(tolerant.verified).toBe(true);
          expect(tolerant.warnings.join('\n')).toMatch(/1 file\(s\) not covered/);
        });

        it('a deleted file → missing', async () => {
          const dir = copy(v);
          unlinkSync(join(dir, 'signme-2'));
          const r = await verifyVector(v, dir);
          expect(r.problems).toEqual([
            { kind: 'missing', resource: 'signme-2', message: 'signme-2 is signed but missing' },
          ]);
        });
      }

      it('an edited payload → signature problem, nothing else checked', async () => {
        const dir = copy(v);
        const sigPath = join(dir, 'model.sig');
        const bundle = JSON.parse(readFileSync(sigPath, 'utf8'));
        const statement = Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8');
        // Re-point the first resource digest at another value: a forger's edit of the manifest.
        const edited = statement.replace(
          /"([0-9a-f]{64})"/,
          (_m, d: string) => `"${d.slice(0, -1)}${d.endsWith('0') ? '1' : '0'}"`,
        );
        expect(edited).not.toBe(statement);
        bundle.dsseEnvelope.payload = Buffer.from(edited).toString('base64');
        writeFileSync(sigPath, JSON.stringify(bundle));
        const r = await verifyVector(v, dir);
        expect(r.verified).toBe(false);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]!.kind).toBe('signature');
        expect(r.problems[0]!.message).toMatch(/^the signature does not verify with .*P-384/);
      });

      it('an edited signature → signature problem', async () => {
        const dir = copy(v);
        const sigPath = join(dir, 'model.sig');
        const bundle = JSON.parse(readFileSync(sigPath, 'utf8'));
        const sig = Buffer.from(bundle.dsseEnvelope.signatures[0].sig, 'base64');
        sig[sig.length - 5]! ^= 0x40;
        bundle.dsseEnvelope.signatures[0].sig = sig.toString('base64');
        writeFileSync(sigPath, JSON.stringify(bundle));
        const r = await verifyVector(v, dir);
        expect(r.problems).toHaveLength(1);
        expect(r.problems[0]!.kind).toBe('signature');
      });
    });
  }

  it('wrong public key: the hint says which key signed', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const r = await verifyModel(join(REF, 'v1.1.0-elliptic-key'), { publicKeyPem: other });
    expect(r.verified).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.kind).toBe('untrusted');
    expect(r.problems[0]!.message).toMatch(
      /^the signature names key hint e8450dec4eb99dae995da9af1bc2cc9f76ed669ee2e744f57abba763df3e3f8e, but the given public key \(P-384\) has hint [0-9a-f]{64}: it was signed with another key$/,
    );
  });

  it('wrong public key on a rawBytes bundle (no hint): the embedded key differs', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
      type: 'spki',
      format: 'pem',
    });
    const v = VECTORS.find((x) => x.dir === 'v1.0.1-elliptic-key')!;
    const r = await verifyVector(v, join(REF, v.dir), { publicKeyPem: other });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatchObject({
      kind: 'untrusted',
      message: expect.stringMatching(/embeds public key e8450dec/),
    });
  });

  it('a publicKey with neither hint nor rawBytes is a format problem', async () => {
    const v = VECTORS.find((x) => x.dir === 'v1.0.1-elliptic-key')!;
    const dir = copy(v);
    const bundle = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
    bundle.verificationMaterial.publicKey = { hint: null, rawBytes: null };
    writeFileSync(join(dir, 'model.sig'), JSON.stringify(bundle));
    const r = await verifyVector(v, dir);
    expect(r.problems[0]).toMatchObject({
      kind: 'format',
      message: 'verificationMaterial.publicKey has neither hint nor rawBytes',
    });
  });

  for (const v of VECTORS.filter((x) => x.method === 'certificate')) {
    it(`${v.dir}: trusting only the intermediate (no root) → untrusted`, async () => {
      const r = await verifyVector(v, join(REF, v.dir), { chainPems: [INTERMEDIATE_CA] });
      expect(r.problems).toEqual([
        {
          kind: 'untrusted',
          message: "none of the trusted certificates is a self-signed root ('CN=intermediate-ca')",
        },
      ]);
    });

    it(`${v.dir}: bundle chain without its intermediate → untrusted, names the missing issuer`, async () => {
      const dir = copy(v);
      const bundle = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
      bundle.verificationMaterial.x509CertificateChain.certificates.splice(1);
      writeFileSync(join(dir, 'model.sig'), JSON.stringify(bundle));
      const r = await verifyVector(v, dir);
      expect(r.problems).toHaveLength(1);
      expect(r.problems[0]!.kind).toBe('untrusted');
      // The leaf names 'CN=intermediate-ca' as issuer and the root does not sign it.
      expect(r.problems[0]!.message).toMatch(/^the certificate chain does not lead to a trusted root: /);
      // …but the intermediate may come from the --certificate-chain files instead.
      const withInt = await verifyVector(v, dir, { chainPems: [ROOT_CA, INTERMEDIATE_CA] });
      expect(withInt.verified).toBe(true);
    });

    it(`${v.dir}: a public key instead of a chain → untrusted, says which method`, async () => {
      const r = await verifyVector(v, join(REF, v.dir), { chainPems: [], publicKeyPem: PUBLIC_KEY });
      expect(r.problems).toEqual([
        {
          kind: 'untrusted',
          message: 'the signature was made with a certificate: verify it with a certificate chain',
        },
      ]);
    });
  }
});

describe('keyless bundles are dispatched to the Sigstore verifier', () => {
  it('v1.1.0-sigstore verifies offline with the exact identity and issuer', async () => {
    const r = await verifyModel(join(REF, 'v1.1.0-sigstore'), {
      sigstore: { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' },
    });
    expect(r.problems).toEqual([]);
    expect(r.method).toBe('sigstore');
    expect(r.signer).toContain('stefanb@us.ibm.com');
  });

  it('with a key instead of an identity: untrusted, says what to give', async () => {
    const r = await verifyModel(join(REF, 'v1.1.0-sigstore'), { publicKeyPem: PUBLIC_KEY });
    expect(r.problems).toEqual([
      {
        kind: 'untrusted',
        message:
          'the signature is a Sigstore keyless signature: verify it with the signer identity and OIDC issuer',
      },
    ]);
  });
});

describe('OMS spec test vectors', () => {
  const read = (name: string) => readFileSync(join(SPEC, name));

  for (const name of readdirSync(join(SPEC, 'valid'))) {
    it(`valid/${name} parses and passes structural validation`, () => {
      const b = readBundle(read(`valid/${name}`));
      expect(b.envelope.payloadType).toBe('application/vnd.in-toto+json');
      const m = parseStatement(b.envelope.payload);
      expect(m.resources.map((r) => r.name)).toEqual(['signme-1', 'signme-2']);
      expect(m.rootDigest).toMatch(/^[0-9a-f]{64}$/);
    });
  }

  it('valid/key and valid/certificate also verify against the reference model files', async () => {
    const model = join(REF, 'v1.1.0-elliptic-key');
    // These bundles do not record model.sig in ignore_paths, and the folder's own model.sig is not theirs.
    const ignorePaths = [join(model, 'model.sig')];
    const key = await verifyModel(model, {
      signaturePath: join(SPEC, 'valid/key.bundle.json'),
      publicKeyPem: PUBLIC_KEY,
      ignorePaths,
    });
    expect(key.problems).toEqual([]);
    const cert = await verifyModel(model, {
      signaturePath: join(SPEC, 'valid/certificate.bundle.json'),
      chainPems: [ROOT_CA],
      ignorePaths,
    });
    expect(cert.problems).toEqual([]);
  });

  const INVALID: Record<string, string> = {
    'empty.bundle.json': 'the signature file is empty',
    'missing-envelope.bundle.json': 'the bundle has no dsseEnvelope',
    'missing-verification-material.bundle.json': 'the bundle has no verificationMaterial',
    'missing-tlog-entries.bundle.json':
      'verificationMaterial has a Sigstore certificate but no tlogEntries: a keyless signature needs at least one transparency-log entry',
  };
  it('invalid/ holds exactly the cases below', () => {
    expect(readdirSync(join(SPEC, 'invalid')).sort()).toEqual(Object.keys(INVALID).sort());
  });
  for (const [name, message] of Object.entries(INVALID)) {
    it(`invalid/${name} is rejected: ${message}`, async () => {
      expect(() => readBundle(read(`invalid/${name}`))).toThrow(new BundleFormatError(message));
      const r = await verifyModel(join(REF, 'v1.1.0-elliptic-key'), {
        signaturePath: join(SPEC, 'invalid', name),
        publicKeyPem: PUBLIC_KEY,
      });
      expect(r).toMatchObject({ verified: false, method: null, problems: [{ kind: 'format', message }] });
    });
  }

  it('invalid-payload/wrong-predicate is rejected when its statement is read', async () => {
    const b = readBundle(read('invalid-payload/wrong-predicate.bundle.json'));
    expect(() => parseStatement(b.envelope.payload)).toThrow(
      'predicateType is "https://example.com/wrong-predicate/v1.0", expected "https://model_signing/signature/v1.0"',
    );
    // Its signature does not verify either (the vector was not re-signed), and that is checked first.
    const r = await verifyModel(join(REF, 'v1.1.0-elliptic-key'), {
      signaturePath: join(SPEC, 'invalid-payload/wrong-predicate.bundle.json'),
      publicKeyPem: PUBLIC_KEY,
    });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.kind).toBe('signature');
  });
});
