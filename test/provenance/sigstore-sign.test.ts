/**
 * Keyless signing (`signSigstore`) against a local fake Fulcio + Rekor (sigstore-sign-fakes.ts): the
 * bundle it builds, the checks it makes on what the services return, its failures (no token, bad token,
 * refused connection, HTTP errors, a service that never answers) and the service URLs it picks.
 * Nothing here reaches the network.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { X509Certificate } from '@sigstore/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { signModel } from '../../src/provenance/oms/sign.js';
import { checkToken, OIDC_LIMITS } from '../../src/provenance/oms/sigstore/oidc.js';
import { signingEndpoints } from '../../src/provenance/oms/sigstore/sign.js';
import {
  SigstoreConfigError,
  type SigstoreSignOptions,
  SigstoreUnavailableError,
  signSigstore,
  verifySigstoreBundle,
} from '../../src/provenance/oms/sigstore.js';
import { verifyModel } from '../../src/provenance/oms/verify.js';
import { tempDir } from '../support/temp.js';
import { type FakeSigstore, fakeJwt, spki, startFakeSigstore } from './sigstore-sign-fakes.js';

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary bundle JSON
type Json = any;

const TYPE = 'application/vnd.in-toto+json';
const PAYLOAD = Buffer.from(
  JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [{ name: 'model' }] }),
);
const ENV_KEYS = ['SIGSTORE_ID_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN'];

const tmp = tempDir('modelguard-sigstore-sign-');
let fake: FakeSigstore;
let rootPath: string;

beforeAll(async () => {
  fake = await startFakeSigstore();
  rootPath = tmp.write('trusted_root.json', JSON.stringify(fake.trustedRoot()));
});
afterAll(async () => {
  await fake.close();
});

const saved = new Map<string, string | undefined>();
beforeEach(() => {
  for (const k of ENV_KEYS) {
    saved.set(k, process.env[k]);
    delete process.env[k];
  }
  fake.fault = 'none';
  fake.requests.length = 0;
  fake.tokens.length = 0;
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    const v = saved.get(k);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  vi.unstubAllGlobals();
});

/** Options for the fake instance; its trust root makes signSigstore verify what it built. */
const local = (extra: SigstoreSignOptions = {}): SigstoreSignOptions => ({
  identityToken: fakeJwt(),
  fulcioURL: fake.url,
  rekorURL: fake.url,
  trustedRootPath: rootPath,
  fetchTimeoutMs: 2000,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<Error & { code: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(Error);
  return e as Error & { code: string };
}

const paths = () => fake.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`);

describe('a keyless bundle from Fulcio and Rekor', () => {
  it('is a v0.3 bundle of the DSSE envelope, with the Fulcio certificate and the Rekor entry, and verifies', async () => {
    const token = fakeJwt();
    const bundle: Json = await signSigstore(TYPE, PAYLOAD, local({ identityToken: token }));
    expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json');
    expect(bundle.dsseEnvelope.payloadType).toBe(TYPE);
    expect(Buffer.from(bundle.dsseEnvelope.payload, 'base64').equals(PAYLOAD)).toBe(true);
    expect(bundle.dsseEnvelope.signatures).toHaveLength(1);
    expect(Object.keys(bundle.verificationMaterial)).not.toContain('x509CertificateChain');
    const leaf = X509Certificate.parse(
      Buffer.from(bundle.verificationMaterial.certificate.rawBytes, 'base64'),
    );
    expect(leaf.subjectAltName).toBe(fake.identity);
    const entries = bundle.verificationMaterial.tlogEntries;
    expect(entries).toHaveLength(1);
    expect(entries[0].kindVersion).toEqual({ kind: 'dsse', version: '0.0.1' });
    const logged = JSON.parse(Buffer.from(entries[0].canonicalizedBody, 'base64').toString());
    expect(logged.spec.signatures[0].signature).toBe(bundle.dsseEnvelope.signatures[0].sig);
    // One Fulcio call with our token, one Rekor call; no retries.
    expect(paths()).toEqual(['POST /api/v2/signingCert', 'POST /api/v1/log/entries']);
    expect(fake.tokens).toEqual([token]);

    const verified = await verifySigstoreBundle(bundle, {
      identity: fake.identity,
      issuer: fake.issuer,
      trustedRootPath: rootPath,
    });
    expect(verified.payload.equals(PAYLOAD)).toBe(true);
    expect(verified.payloadType).toBe(TYPE);
  });

  it('uses a fresh ephemeral key for every signature', async () => {
    const keys = [];
    for (let i = 0; i < 2; i++) {
      const b: Json = await signSigstore(TYPE, PAYLOAD, local());
      keys.push(
        X509Certificate.parse(
          Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64'),
        ).publicKey.toString('base64'),
      );
    }
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('signModel --method sigstore writes model.sig that verifyModel accepts for the identity', async () => {
    const dir = join(tmp.dir, 'model');
    tmp.write('model/config.json', '{"a":1}');
    tmp.write('model/weights.bin', Buffer.alloc(4096, 7));
    const signed = await signModel(dir, { method: 'sigstore', sigstore: local() });
    expect(signed.path).toBe(join(dir, 'model.sig'));
    const policy = { identity: fake.identity, issuer: fake.issuer, trustedRootPath: rootPath };
    const ok = await verifyModel(dir, { sigstore: policy });
    expect(ok).toMatchObject({ verified: true, method: 'sigstore', problems: [] });
    const other = await verifyModel(dir, { sigstore: { ...policy, identity: 'someone@else.test' } });
    expect(other.verified).toBe(false);
  });

  it('takes the token from SIGSTORE_ID_TOKEN when none is passed', async () => {
    const token = fakeJwt({ sub: 'from-env' });
    process.env['SIGSTORE_ID_TOKEN'] = token;
    const { identityToken: _, ...opts } = local();
    await signSigstore(TYPE, PAYLOAD, opts);
    expect(fake.tokens).toEqual([token]);
  });

  it('fetches the ambient GitHub Actions token for audience sigstore', async () => {
    const token = fakeJwt({ sub: 'repo:org/model:ref:refs/heads/main' });
    const seen: IncomingMessage[] = [];
    const oidc = createServer((req, res) => {
      seen.push(req);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: token }));
    });
    await new Promise<void>((r) => oidc.listen(0, '127.0.0.1', r));
    try {
      const port = (oidc.address() as AddressInfo).port;
      process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `http://127.0.0.1:${port}/token?api-version=2.0`;
      process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-bearer';
      const { identityToken: _, ...opts } = local();
      await signSigstore(TYPE, PAYLOAD, opts);
      expect(seen).toHaveLength(1);
      const url = new URL(seen[0]?.url ?? '', 'http://x');
      expect(url.searchParams.get('audience')).toBe('sigstore');
      expect(url.searchParams.get('api-version')).toBe('2.0');
      expect(seen[0]?.headers.authorization).toBe('Bearer request-bearer');
      expect(fake.tokens).toEqual([token]);
    } finally {
      await new Promise((r) => oidc.close(r));
    }
  });

  it('a GitHub Actions token request that fails names the permission it needs', async () => {
    process.env['ACTIONS_ID_TOKEN_REQUEST_URL'] = `${fake.url}/nothing-here`;
    process.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'] = 'request-bearer';
    const { identityToken: _, ...opts } = local();
    const e = await failure(signSigstore(TYPE, PAYLOAD, opts));
    expect(e).toBeInstanceOf(SigstoreUnavailableError);
    expect(e.message).toMatch(/GitHub Actions OIDC token.*HTTP 404/);
    expect(e.message).toContain('id-token: write');
    expect(e.message).not.toContain('request-bearer');
  });
});

describe('what the services return is checked before a bundle is returned', () => {
  const cases: [string, FakeSigstore['fault'], RegExp][] = [
    ['Fulcio certifies another key', 'fulcio-other-key', /Fulcio .* different public key/],
    ['Fulcio leaves out the identity', 'fulcio-no-san', /Fulcio .* names no identity \(SAN\)/],
    ['Rekor logs another signature', 'rekor-other-signature', /Rekor .* does not record this signature/],
  ];
  for (const [what, fault, message] of cases)
    it(`${what}: refused, even without a trust root to verify against`, async () => {
      fake.fault = fault;
      const { trustedRootPath: _, ...opts } = local();
      const e = await failure(signSigstore(TYPE, PAYLOAD, opts));
      expect(e).toBeInstanceOf(SigstoreUnavailableError);
      expect(e.message).toMatch(message);
      expect(e.message).toContain('nothing was signed');
    });

  it('a log entry signed by a key outside the trust root fails the verification of the new bundle', async () => {
    fake.fault = 'rekor-untrusted-key';
    const e = await failure(signSigstore(TYPE, PAYLOAD, local()));
    expect(e).toBeInstanceOf(SigstoreUnavailableError);
    expect(e.message).toContain('does not verify against the trust root');
    expect(e.message).toContain(rootPath);
    // The same bundle without the trust root passes the structural checks: the verification caught it.
    const { trustedRootPath: _, ...opts } = local();
    await expect(signSigstore(TYPE, PAYLOAD, opts)).resolves.toBeDefined();
  });
});

describe('no usable identity token: immediate, clear failure, nothing contacted', () => {
  it('no token at all names every way to give one and says there is no browser flow', async () => {
    const { identityToken: _, ...opts } = local();
    const e = await failure(signSigstore(TYPE, PAYLOAD, opts));
    expect(e).toBeInstanceOf(SigstoreUnavailableError);
    expect(e.code).toBe('SIGSTORE_UNAVAILABLE');
    for (const part of [
      '--identity-token',
      'SIGSTORE_ID_TOKEN',
      'OIDC',
      'interactive OAuth',
      'not supported',
    ])
      expect(e.message).toContain(part);
    expect(fake.requests).toEqual([]);
  });

  it('modelguard sign --method sigstore without a token exits 2 with that message', async () => {
    tmp.write('cli-model/w.bin', 'weights');
    let err = '';
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      err += String(s);
      return true;
    });
    try {
      const code = await run([
        'node',
        'modelguard',
        'sign',
        join(tmp.dir, 'cli-model'),
        '--method',
        'sigstore',
        '--no-progress',
      ]);
      expect(code).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(err).toMatch(/no OIDC identity token .*--identity-token/);
  });

  const now = Math.floor(Date.now() / 1000);
  const bad: [string, string, RegExp][] = [
    ['not a JWT', 'opaque-token-value', /is not a JWT/],
    ['claims not JSON', `a.${Buffer.from('nope').toString('base64url')}.c`, /not base64url JSON/],
    ['no issuer', fakeJwt({ iss: undefined }), /no issuer \(iss\)/],
    ['expired', fakeJwt({ exp: now - 60 }), /expired at .*fresh one/],
    ['unverified email', fakeJwt({ email_verified: false }), /did not verify it/],
    ['no subject', fakeJwt({ email: undefined, sub: undefined }), /neither an email nor a subject/],
    ['too long', `a.${'b'.repeat(OIDC_LIMITS.maxTokenChars)}.c`, /over the limit maxTokenChars/],
  ];
  for (const [what, token, message] of bad)
    it(`a token that is ${what} is refused before any network call, and not echoed`, async () => {
      const e = await failure(signSigstore(TYPE, PAYLOAD, local({ identityToken: token })));
      expect(e).toBeInstanceOf(SigstoreUnavailableError);
      expect(e.message).toMatch(message);
      expect(e.message).toContain('--identity-token');
      expect(e.message).not.toContain(token);
      expect(fake.requests).toEqual([]);
    });

  it('checkToken reads the subject Fulcio certifies: the verified email, else sub', () => {
    expect(checkToken(fakeJwt(), 'x')).toMatchObject({ subject: 'signer@example.test' });
    expect(checkToken(fakeJwt({ email: undefined, sub: 'wf' }), 'x')).toMatchObject({
      subject: 'wf',
      issuer: 'https://issuer.example.test',
    });
  });
});

describe('network failures name the service and end within fetchTimeoutMs', () => {
  it('Fulcio refusing connections (closed port)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((r) => closed.close(r));
    const token = fakeJwt();
    const e = await failure(signSigstore(TYPE, PAYLOAD, local({ fulcioURL: url, identityToken: token })));
    expect(e).toBeInstanceOf(SigstoreUnavailableError);
    expect(e.message).toContain(`keyless signing failed at Fulcio (${url})`);
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('needs network access');
    expect(e.message).not.toContain(token);
    expect(fake.requests).toEqual([]);
  });

  it('a Fulcio that accepts the connection and never answers: the deadline fires', async () => {
    fake.fault = 'fulcio-hang';
    const e = await failure(signSigstore(TYPE, PAYLOAD, local({ fetchTimeoutMs: 300 })));
    expect(e.message).toMatch(/failed at Fulcio \(http:\/\/127\.0\.0\.1:\d+\): no answer within 300 ms/);
    expect(paths()).toEqual(['POST /api/v2/signingCert']);
  });

  it('a Rekor that never answers: named, after Fulcio answered', async () => {
    fake.fault = 'rekor-hang';
    const e = await failure(signSigstore(TYPE, PAYLOAD, local({ fetchTimeoutMs: 300 })));
    expect(e.message).toMatch(/failed at Rekor \(http:\/\/127\.0\.0\.1:\d+\): no answer within 300 ms/);
    expect(paths()).toEqual(['POST /api/v2/signingCert', 'POST /api/v1/log/entries']);
  });

  it('HTTP errors: status and server message, a hint, and no retry', async () => {
    fake.fault = 'fulcio-500';
    let e = await failure(signSigstore(TYPE, PAYLOAD, local()));
    expect(e.message).toMatch(/failed at Fulcio .*HTTP 500 fulcio is down .*try again later/);
    expect(paths()).toEqual(['POST /api/v2/signingCert']);

    fake.fault = 'fulcio-401';
    e = await failure(signSigstore(TYPE, PAYLOAD, local()));
    expect(e.message).toMatch(/HTTP 401 invalid identity token \(is the identity token valid/);

    fake.requests.length = 0;
    fake.fault = 'rekor-500';
    e = await failure(signSigstore(TYPE, PAYLOAD, local()));
    expect(e.message).toMatch(/failed at Rekor .*HTTP 500 rekor is down/);
    expect(paths()).toEqual(['POST /api/v2/signingCert', 'POST /api/v1/log/entries']);
  });

  it('the timestamp authority, when named, is called and named on failure', async () => {
    const e = await failure(signSigstore(TYPE, PAYLOAD, local({ tsaURL: `${fake.url}/tsa` })));
    expect(e.message).toMatch(
      /failed at the timestamp authority \(http:\/\/127\.0\.0\.1:\d+\/tsa\): HTTP 404/,
    );
    expect(e.message).toContain('leave out the timestamp authority');
    expect(paths()).toContain('POST /tsa'); // a URL with a path is the endpoint itself
  });
});

describe('service URLs', () => {
  it('public-good by default, staging with staging, each overridable', () => {
    expect(signingEndpoints({})).toEqual({
      fulcio: 'https://fulcio.sigstore.dev',
      rekor: 'https://rekor.sigstore.dev',
      tsa: undefined,
    });
    expect(signingEndpoints({ staging: true })).toEqual({
      fulcio: 'https://fulcio.sigstage.dev',
      rekor: 'https://rekor.sigstage.dev',
      tsa: undefined,
    });
    expect(signingEndpoints({ staging: true, fulcioURL: 'https://fulcio.corp.test/' })).toEqual({
      fulcio: 'https://fulcio.corp.test',
      rekor: 'https://rekor.sigstage.dev',
      tsa: undefined,
    });
    expect(signingEndpoints({ tsaURL: 'https://timestamp.sigstore.dev' }).tsa).toBe(
      'https://timestamp.sigstore.dev',
    );
  });

  it('the URLs chosen are the URLs called (paths of the Fulcio and Rekor APIs under each base)', async () => {
    fake.fault = 'rekor-500';
    const e = await failure(
      signSigstore(TYPE, PAYLOAD, local({ fulcioURL: `${fake.url}/f`, rekorURL: `${fake.url}/r/` })),
    );
    expect(e.message).toContain(`failed at Rekor (${fake.url}/r)`);
    expect(paths()).toEqual(['POST /f/api/v2/signingCert', 'POST /r/api/v1/log/entries']);
  });

  it('plain http is refused except to this machine: the token is a bearer credential', async () => {
    for (const key of ['fulcioURL', 'rekorURL', 'tsaURL'] as const) {
      const e = await failure(signSigstore(TYPE, PAYLOAD, local({ [key]: 'http://sigstore.example.test' })));
      expect(e).toBeInstanceOf(SigstoreConfigError);
      expect(e.message).toMatch(/must use https/);
    }
    const e = await failure(signSigstore(TYPE, PAYLOAD, local({ fulcioURL: 'not a url' })));
    expect(e).toBeInstanceOf(SigstoreConfigError);
    expect(fake.requests).toEqual([]);
  });

  it('a bad fetchTimeoutMs or trust root is a configuration error before any call', async () => {
    for (const fetchTimeoutMs of [0, -1, Number.NaN]) {
      const e = await failure(signSigstore(TYPE, PAYLOAD, local({ fetchTimeoutMs })));
      expect(e).toBeInstanceOf(SigstoreConfigError);
    }
    const e = await failure(
      signSigstore(TYPE, PAYLOAD, local({ trustedRootPath: join(tmp.dir, 'missing.json') })),
    );
    expect(e).toBeInstanceOf(SigstoreConfigError);
    expect(e.message).toMatch(/cannot read trust root/);
    expect(fake.requests).toEqual([]);
  });

  it('the certified key is the one the signature verifies with (fake Fulcio checks proof of possession)', async () => {
    const b: Json = await signSigstore(TYPE, PAYLOAD, local());
    const body = JSON.parse(fake.requests[0]?.body ?? '{}');
    const requested = spki(
      (await import('node:crypto')).createPublicKey(body.publicKeyRequest.publicKey.content),
    );
    const leaf = X509Certificate.parse(Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64'));
    expect(leaf.publicKey.equals(requested)).toBe(true);
  });
});
