import { sign as cryptoSign, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { bundleFromJSON } from '@sigstore/bundle';
import { dsse, X509Certificate as SigstoreCertificate } from '@sigstore/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyDsse } from '../../src/provenance/oms/sigstore/dsse-signature.js';
import { assertTlogNamesLeaf } from '../../src/provenance/oms/sigstore/tlog-checks.js';
import {
  isSigstoreBundle,
  SigstoreConfigError,
  type SigstorePolicy,
  SigstoreUnavailableError,
  SigstoreVerifyError,
  signSigstore,
  verifySigstoreBundle,
} from '../../src/provenance/oms/sigstore.js';
import { tempDir } from '../support/temp.js';

const REF = new URL('../../../shared/vectors/model-signing/reference-impl/', import.meta.url).pathname;
const SPEC = new URL('../../../shared/vectors/model-signing/spec/test-vectors/v1.0/', import.meta.url)
  .pathname;
const VERSIONS = ['v0.3.1', 'v1.0.0', 'v1.0.1', 'v1.1.0'] as const;
const IDENTITY = 'stefanb@us.ibm.com';
const ISSUER = 'https://sigstore.verify.ibm.com/oauth2';
const POLICY = { identity: IDENTITY, issuer: ISSUER };
const OMS_PREDICATES = ['https://model_signing/signature/v1.0', 'https://model_signing/Digests/v0.1'];

// biome-ignore lint/suspicious/noExplicitAny: tests edit arbitrary bundle JSON
type Json = any;

function load(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8'));
}
const vector = (v: string, method = 'sigstore'): Json => load(`${REF}${v}-${method}/model.sig`);
const clone = (x: Json): Json => structuredClone(x);

/** The public-good trusted_root.json embedded in @sigstore/tuf (what the verifier uses by default). */
function publicGoodRoot(): Json {
  const seeds = load(createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json'));
  return JSON.parse(
    Buffer.from(seeds['https://tuf-repo-cdn.sigstore.dev'].targets['trusted_root.json'], 'base64').toString(),
  );
}

/** Rejects with a SigstoreVerifyError of `kind`; returns it for message checks. */
async function failure(
  bundle: unknown,
  kind: string,
  policy: SigstorePolicy = POLICY,
): Promise<SigstoreVerifyError> {
  const e = await verifySigstoreBundle(bundle, policy).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(SigstoreVerifyError);
  const err = e as SigstoreVerifyError;
  expect(err.code).toBe('SIGSTORE_VERIFY');
  expect({ kind: err.kind, message: err.message }).toMatchObject({ kind });
  return err;
}

/** Replaces the base64 character at `at` by another one, so the text still decodes to different bytes. */
function editBase64(b64: string, at: number): string {
  const c = b64[at] === 'A' ? 'B' : 'A';
  const edited = b64.slice(0, at) + c + b64.slice(at + 1);
  expect(Buffer.from(edited, 'base64').equals(Buffer.from(b64, 'base64'))).toBe(false);
  return edited;
}

// Nothing here may reach the network: every fetch fails the run.
const fetchCalls: string[] = [];
beforeAll(() => {
  vi.stubGlobal('fetch', (url: unknown) => {
    fetchCalls.push(String(url));
    return Promise.reject(new Error('network access in a test'));
  });
});
afterAll(() => {
  vi.unstubAllGlobals();
  expect(fetchCalls).toEqual([]);
});

describe('reference keyless vectors verify offline', () => {
  for (const v of VERSIONS) {
    it(`${v}-sigstore verifies with its identity and issuer and returns the signed payload`, async () => {
      const bundle = vector(v);
      expect(isSigstoreBundle(bundle)).toBe(true);
      const r = await verifySigstoreBundle(bundle, POLICY);
      expect(r.signer).toBe(`${IDENTITY} (${ISSUER})`);
      expect(r.payloadType).toBe('application/vnd.in-toto+json');
      expect(r.payload.equals(Buffer.from(bundle.dsseEnvelope.payload, 'base64'))).toBe(true);
      const statement = JSON.parse(r.payload.toString('utf8'));
      expect(statement._type).toBe('https://in-toto.io/Statement/v1');
      expect(OMS_PREDICATES).toContain(statement.predicateType);
      expect(statement.predicate.resources.map((x: { name: string }) => x.name)).toContain('signme-1');
      expect(r.warnings).toEqual([]);
    });
  }

  it('uses the signed time, not the wall clock: every leaf certificate has expired', async () => {
    for (const v of VERSIONS) {
      const der = Buffer.from(vector(v).verificationMaterial.certificate.rawBytes, 'base64');
      expect(new Date(new X509Certificate(der).validTo).getTime()).toBeLessThan(Date.now());
    }
    await expect(verifySigstoreBundle(vector('v1.0.1'), POLICY)).resolves.toBeDefined();
  });

  it('the spec valid keyless vector verifies; its missing-tlog-entries vector is a format error', async () => {
    await expect(
      verifySigstoreBundle(load(`${SPEC}valid/sigstore.bundle.json`), POLICY),
    ).resolves.toMatchObject({
      signer: `${IDENTITY} (${ISSUER})`,
    });
    const e = await failure(load(`${SPEC}invalid/missing-tlog-entries.bundle.json`), 'format');
    expect(e.message).toMatch(/no transparency log entries/);
  });
});

describe('identity and issuer are matched exactly', () => {
  const bundle = vector('v1.1.0');
  const identities = [
    'someone@us.ibm.com',
    'stefanb@us.ibm.co', // prefix
    'stefanb@us.ibm', // prefix
    'us.ibm.com', // substring
    'tefanb@us.ibm.com', // suffix
    'STEFANB@US.IBM.COM', // case
    'stefanb@us.ibm.com.*', // regex metacharacters
    '.*',
    '^stefanb@us.ibm.com$',
    'stefanb@us.ibm.com ',
  ];
  for (const identity of identities)
    it(`identity ${JSON.stringify(identity)} is untrusted`, async () => {
      const e = await failure(bundle, 'untrusted', { identity, issuer: ISSUER });
      expect(e.message).toContain('signer identity mismatch');
      expect(e.message).toContain(JSON.stringify(IDENTITY));
    });
  it('an empty identity or issuer is a configuration error', async () => {
    for (const policy of [
      { identity: '', issuer: ISSUER },
      { identity: IDENTITY, issuer: '' },
    ]) {
      const e = await verifySigstoreBundle(bundle, policy).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SigstoreConfigError);
      expect((e as Error).message).toMatch(/needs a non-empty (identity|issuer)/);
    }
  });
  const issuers = [
    'https://accounts.google.com',
    'https://sigstore.verify.ibm.com/oauth', // prefix
    'https://sigstore.verify.ibm.com/oauth2/', // trailing slash
    'https://sigstore.verify.ibm.com/.*',
    'http://sigstore.verify.ibm.com/oauth2',
  ];
  for (const issuer of issuers)
    it(`issuer ${JSON.stringify(issuer)} is untrusted`, async () => {
      const e = await failure(bundle, 'untrusted', { identity: IDENTITY, issuer });
      expect(e.message).toContain('OIDC issuer mismatch');
    });
});

describe('tampered bundles fail', () => {
  it('an edited payload fails the signature check', async () => {
    for (const v of VERSIONS) {
      const b = clone(vector(v));
      b.dsseEnvelope.payload = editBase64(b.dsseEnvelope.payload, 40);
      const e = await failure(b, 'signature');
      expect(e.message).toMatch(/DSSE signature does not verify/);
    }
  });

  it('an edited payload type fails the signature check (PAE covers it)', async () => {
    const b = clone(vector('v1.0.0'));
    b.dsseEnvelope.payloadType = 'application/json';
    await failure(b, 'signature');
  });

  it('an edited signature fails', async () => {
    for (const v of VERSIONS) {
      const b = clone(vector(v));
      const sig = b.dsseEnvelope.signatures[0].sig as string;
      b.dsseEnvelope.signatures[0].sig = editBase64(sig, sig.length - 10);
      await failure(b, 'signature');
    }
  });

  it("another signer's certificate (same identity) does not verify the envelope", async () => {
    const b = clone(vector('v1.1.0'));
    b.verificationMaterial.certificate = vector('v1.0.1').verificationMaterial.certificate;
    await failure(b, 'signature');
  });

  it('removed or emptied tlog entries fail', async () => {
    for (const v of VERSIONS) {
      const emptied = clone(vector(v));
      emptied.verificationMaterial.tlogEntries = [];
      await failure(emptied, 'format');
      const removed = clone(vector(v));
      delete removed.verificationMaterial.tlogEntries;
      await failure(removed, 'format');
    }
  });

  it("another bundle's tlog entry is not accepted", async () => {
    const b = clone(vector('v1.0.1'));
    b.verificationMaterial.tlogEntries = vector('v1.0.0').verificationMaterial.tlogEntries;
    await failure(b, 'untrusted');
  });

  it('an edited signed entry timestamp, integrated time or inclusion proof fails', async () => {
    const set = clone(vector('v1.0.0'));
    const p = set.verificationMaterial.tlogEntries[0].inclusionPromise;
    p.signedEntryTimestamp = editBase64(p.signedEntryTimestamp, 20);
    expect((await failure(set, 'untrusted')).detail).toBe('TLOG_INCLUSION_PROMISE_ERROR');

    const time = clone(vector('v1.0.0'));
    time.verificationMaterial.tlogEntries[0].integratedTime = String(
      Number(time.verificationMaterial.tlogEntries[0].integratedTime) + 1,
    );
    expect((await failure(time, 'untrusted')).detail).toBe('TLOG_INCLUSION_PROMISE_ERROR');

    const proof = clone(vector('v1.0.0'));
    const hashes = proof.verificationMaterial.tlogEntries[0].inclusionProof.hashes;
    hashes[3] = editBase64(hashes[3], 5);
    expect((await failure(proof, 'untrusted')).detail).toBe('TLOG_INCLUSION_PROOF_ERROR');

    const checkpoint = clone(vector('v1.0.0'));
    const cp = checkpoint.verificationMaterial.tlogEntries[0].inclusionProof.checkpoint;
    cp.envelope = cp.envelope.replace(/\n\d+\n/, (m: string) => `\n${Number(m) + 1}\n`);
    await failure(checkpoint, 'untrusted');
  });

  it("an inclusion proof's root hash or tree size that contradicts its signed checkpoint fails", async () => {
    const root = clone(vector('v1.0.1'));
    const proof = root.verificationMaterial.tlogEntries[0].inclusionProof;
    proof.rootHash = editBase64(proof.rootHash, 10);
    expect((await failure(root, 'untrusted')).message).toMatch(
      /root hash differs from its signed checkpoint/,
    );
    const size = clone(vector('v1.0.1'));
    size.verificationMaterial.tlogEntries[0].inclusionProof.treeSize = '467035600';
    expect((await failure(size, 'untrusted')).message).toMatch(
      /tree size differs from its signed checkpoint/,
    );
  });

  it('a duplicated tlog entry is refused', async () => {
    const b = clone(vector('v1.0.1'));
    b.verificationMaterial.tlogEntries.push(b.verificationMaterial.tlogEntries[0]);
    expect((await failure(b, 'format')).message).toMatch(/appears twice/);
  });

  it('a signed time is required: without its SET, v1.0.1 has none; v1.1.0 still has its RFC 3161 timestamp', async () => {
    const noSet = clone(vector('v1.0.1'));
    delete noSet.verificationMaterial.tlogEntries[0].inclusionPromise;
    const e = await failure(noSet, 'untrusted');
    expect(e.detail).toBe('TIMESTAMP_ERROR');

    const tsa = clone(vector('v1.1.0'));
    delete tsa.verificationMaterial.tlogEntries[0].inclusionPromise;
    await expect(verifySigstoreBundle(tsa, POLICY)).resolves.toBeDefined();
    const ts = tsa.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
    const der = Buffer.from(ts.signedTimestamp, 'base64');
    der.writeUInt8(der.readUInt8(der.length - 20) ^ 1, der.length - 20); // inside the TSA's signature
    ts.signedTimestamp = der.toString('base64');
    await expect(verifySigstoreBundle(tsa, POLICY)).rejects.toBeInstanceOf(SigstoreVerifyError);
  });

  it('a second DSSE signature is refused', async () => {
    const b = clone(vector('v1.0.0'));
    b.dsseEnvelope.signatures.push(b.dsseEnvelope.signatures[0]);
    await failure(b, 'format');
  });

  it('a message-signature bundle carries no OMS payload', async () => {
    const b = clone(vector('v1.0.0'));
    b.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: Buffer.alloc(32, 1).toString('base64') },
      signature: b.dsseEnvelope.signatures[0].sig,
    };
    delete b.dsseEnvelope;
    expect(isSigstoreBundle(b)).toBe(true);
    expect((await failure(b, 'format')).message).toMatch(/message signature/);
  });

  it('over-limit bundles are refused before any verification', async () => {
    const b = clone(vector('v1.0.0'));
    b.verificationMaterial.tlogEntries = Array(9).fill(b.verificationMaterial.tlogEntries[0]);
    expect((await failure(b, 'format')).message).toMatch(/maxTlogEntries \(8\)/);
  });
});

describe('bundle forms', () => {
  it('legacy v0.1 and v0.2 media types with an x509CertificateChain verify, with a warning', async () => {
    for (const [mt, v] of [
      ['application/vnd.dev.sigstore.bundle+json;version=0.1', 'v1.0.0'],
      ['application/vnd.dev.sigstore.bundle+json;version=0.2', 'v1.1.0'],
    ] as const) {
      const b = clone(vector(v));
      b.mediaType = mt;
      b.verificationMaterial.x509CertificateChain = { certificates: [b.verificationMaterial.certificate] };
      delete b.verificationMaterial.certificate;
      expect(isSigstoreBundle(b)).toBe(true);
      const r = await verifySigstoreBundle(b, POLICY);
      expect(r.warnings).toEqual([`legacy Sigstore bundle media type ${mt}`]);
    }
  });

  it('a v0.1 bundle must carry inclusion promises', async () => {
    const b = clone(vector('v1.0.0'));
    b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
    delete b.verificationMaterial.tlogEntries[0].inclusionPromise;
    await failure(b, 'format');
  });

  it('key and certificate (PKI) bundles are not keyless', async () => {
    for (const v of ['v0.3.1', 'v1.1.0']) {
      for (const method of ['elliptic-key', 'certificate']) {
        const b = vector(v, method);
        expect(isSigstoreBundle(b)).toBe(false);
        const e = await failure(b, 'format');
        expect(e.message).toMatch(/not a keyless Sigstore bundle/);
      }
    }
    expect(isSigstoreBundle(vector('v0.2.0', 'certificate'))).toBe(false);
  });

  it('non-bundles are format errors', async () => {
    for (const x of [null, 42, 'model.sig', [], {}, { mediaType: 'application/json' }]) {
      expect(isSigstoreBundle(x)).toBe(false);
      await failure(x, 'format');
    }
  });
});

describe('trust roots', () => {
  const tmp = tempDir('modelguard-sigstore-');

  it('--trust-root loads a trusted_root.json file', async () => {
    const path = tmp.write('root.json', JSON.stringify(publicGoodRoot()));
    await expect(
      verifySigstoreBundle(vector('v1.1.0'), { ...POLICY, trustedRootPath: path }),
    ).resolves.toMatchObject({ signer: `${IDENTITY} (${ISSUER})` });
  });

  it('a root whose Fulcio CA is another CA does not trust the certificate', async () => {
    const root = publicGoodRoot();
    for (const ca of root.certificateAuthorities) ca.certChain = root.timestampAuthorities[0].certChain;
    const path = tmp.write('other-ca.json', JSON.stringify(root));
    const e = await failure(vector('v1.0.0'), 'untrusted', { ...POLICY, trustedRootPath: path });
    expect(e.detail).toBe('CERTIFICATE_ERROR');
  });

  it('a root with another Rekor key does not trust the log entry', async () => {
    const root = publicGoodRoot();
    root.tlogs[0].publicKey.rawBytes = root.ctlogs[1].publicKey.rawBytes;
    const path = tmp.write('other-rekor.json', JSON.stringify(root));
    const e = await failure(vector('v1.0.0'), 'untrusted', { ...POLICY, trustedRootPath: path });
    expect(e.detail).toMatch(/^TLOG_/);
  });

  it('a root without CT logs rejects the certificate (SCT required)', async () => {
    const root = publicGoodRoot();
    root.ctlogs = [];
    const path = tmp.write('no-ct.json', JSON.stringify(root));
    const e = await failure(vector('v1.0.0'), 'untrusted', { ...POLICY, trustedRootPath: path });
    expect(e.message).toMatch(/SCT/);
  });

  it('staging is not shipped: a clear message unless --trust-root is given', async () => {
    const e = await verifySigstoreBundle(vector('v1.1.0'), { ...POLICY, staging: true }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SigstoreConfigError);
    expect((e as Error).message).toBe('staging trust root not available offline; pass --trust-root FILE');
    const path = tmp.write('staging.json', JSON.stringify(publicGoodRoot()));
    const r = await verifySigstoreBundle(vector('v1.1.0'), {
      ...POLICY,
      staging: true,
      trustedRootPath: path,
    });
    expect(r.warnings.join()).toMatch(/staging/);
  });

  it('unusable trust root files are configuration errors', async () => {
    const cases: Array<[string, RegExp]> = [
      [tmp.write('bad.json', '{'), /not JSON/],
      [tmp.write('other.json', '{"mediaType":"application/json"}'), /not a Sigstore trusted_root/],
      [
        tmp.write('empty-root.json', JSON.stringify({ ...publicGoodRoot(), tlogs: [] })),
        /no transparency log/,
      ],
      [tmp.write('big.json', Buffer.alloc(1024 * 1024 + 1, 0x20)), /maxTrustRootBytes/],
      [`${tmp.dir}/absent.json`, /cannot read trust root/],
      [tmp.dir, /not a regular file/],
    ];
    for (const [path, message] of cases) {
      const e = await verifySigstoreBundle(vector('v1.0.0'), { ...POLICY, trustedRootPath: path }).catch(
        (x: unknown) => x,
      );
      expect(e).toBeInstanceOf(SigstoreConfigError);
      expect((e as Error).message).toMatch(message);
    }
  });
});

describe('building blocks', () => {
  it('the DSSE check hashes by curve (P-256, P-384, P-521) and supports Ed25519', () => {
    const pae = (p: Buffer) => dsse.preAuthEncoding('application/vnd.in-toto+json', p);
    const payload = Buffer.from('{"a":1}');
    for (const [curve, hash, wrong] of [
      ['P-256', 'sha256', 'sha384'],
      ['P-384', 'sha384', 'sha256'],
      ['P-521', 'sha512', 'sha256'],
    ] as const) {
      const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const good = cryptoSign(hash, pae(payload), privateKey);
      expect(verifyDsse('application/vnd.in-toto+json', payload, good, publicKey)).toBe(true);
      expect(verifyDsse('application/vnd.in-toto+json', Buffer.from('{"a":2}'), good, publicKey)).toBe(false);
      expect(verifyDsse('application/json', payload, good, publicKey)).toBe(false);
      const wrongHash = cryptoSign(wrong, pae(payload), privateKey);
      expect(verifyDsse('application/vnd.in-toto+json', payload, wrongHash, publicKey)).toBe(false);
      expect(verifyDsse('application/vnd.in-toto+json', payload, Buffer.from('not DER'), publicKey)).toBe(
        false,
      );
    }
    const ed = generateKeyPairSync('ed25519');
    const sig = cryptoSign(null, pae(payload), ed.privateKey);
    expect(verifyDsse('application/vnd.in-toto+json', payload, sig, ed.publicKey)).toBe(true);
  });

  it('a log entry must name the bundle certificate', () => {
    const entries = bundleFromJSON(vector('v1.1.0')).verificationMaterial.tlogEntries;
    const own = SigstoreCertificate.parse(
      Buffer.from(vector('v1.1.0').verificationMaterial.certificate.rawBytes, 'base64'),
    );
    const other = SigstoreCertificate.parse(
      Buffer.from(vector('v1.0.1').verificationMaterial.certificate.rawBytes, 'base64'),
    );
    expect(() => assertTlogNamesLeaf(entries, own)).not.toThrow();
    expect(() => assertTlogNamesLeaf(entries, other)).toThrow(/made for a different certificate/);
  });
});

describe('keyless signing', () => {
  it('fails at once with a clear message (no signing client, no token) and touches no network', async () => {
    const before = process.env['SIGSTORE_ID_TOKEN'];
    delete process.env['SIGSTORE_ID_TOKEN'];
    try {
      const e = await signSigstore('application/vnd.in-toto+json', Buffer.from('{}'), {
        fetchTimeoutMs: 1000,
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(SigstoreUnavailableError);
      expect((e as SigstoreUnavailableError).code).toBe('SIGSTORE_UNAVAILABLE');
      expect((e as Error).message).toMatch(/keyless Sigstore signing is not available/);
      expect((e as Error).message).toMatch(/network/);
      expect((e as Error).message).toMatch(/no OIDC identity token/i);
      const withToken = await signSigstore('t', Buffer.from('{}'), { identityToken: 'eyJ.x.y' }).catch(
        (x: unknown) => x,
      );
      expect(withToken).toBeInstanceOf(SigstoreUnavailableError);
      expect((withToken as Error).message).not.toMatch(/no OIDC identity token/i);
    } finally {
      if (before !== undefined) process.env['SIGSTORE_ID_TOKEN'] = before;
    }
  });
});
