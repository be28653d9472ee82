/**
 * A local stand-in for a Sigstore instance, for keyless-signing tests without the network: a Fulcio that
 * checks the proof of possession and issues a real X.509 leaf (SAN, OIDC issuer, embedded SCT from a fake
 * CT log) chained to its own root, a Rekor that logs `dsse` 0.0.1 entries with a signed entry timestamp
 * and a checkpoint-signed inclusion proof, and the `trusted_root.json` that trusts exactly these keys.
 * Certificates are DER built here and signed with node:crypto; `fault` makes a service misbehave.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// --- DER -----------------------------------------------------------------------------------------------

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len =
    n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...xs: Buffer[]): Buffer => tlv(0x30, Buffer.concat(xs));
const set = (...xs: Buffer[]): Buffer => tlv(0x31, Buffer.concat(xs));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const octet = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.concat([Buffer.from([unused]), b]));
const TRUE = Buffer.from([0x01, 0x01, 0xff]);
const explicit = (n: number, body: Buffer): Buffer => tlv(0xa0 | n, body);

function int(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && (v[1] as number) < 0x80) v = v.subarray(1);
  return tlv(0x02, (v[0] as number) >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const out = [40 * a + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number) => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

function ext(id: string, value: Buffer, critical = false): Buffer {
  return critical ? seq(oid(id), TRUE, octet(value)) : seq(oid(id), octet(value));
}

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const name = (cn: string): Buffer =>
  seq(set(seq(oid('2.5.4.10'), utf8('modelguard-test'))), set(seq(oid('2.5.4.3'), utf8(cn))));
export const spki = (k: KeyObject): Buffer => k.export({ format: 'der', type: 'spki' });

function tbs(o: {
  issuer: Buffer;
  subject: Buffer;
  key: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: Buffer[];
}): Buffer {
  return seq(
    explicit(0, int(Buffer.from([2]))),
    int(randomBytes(16)),
    ECDSA_SHA256,
    o.issuer,
    seq(utcTime(o.notBefore), utcTime(o.notAfter)),
    o.subject,
    spki(o.key),
    explicit(3, seq(...o.extensions)),
  );
}

function certificate(tbsDer: Buffer, caKey: KeyObject): Buffer {
  return seq(tbsDer, ECDSA_SHA256, bits(sign('sha256', tbsDer, caKey)));
}

const pem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;

// --- the fake instance -----------------------------------------------------------------------------------

export type Fault =
  | 'none'
  | 'fulcio-500'
  | 'fulcio-401'
  | 'fulcio-hang'
  | 'fulcio-other-key' // certifies a fresh key, not the one in the request
  | 'fulcio-no-san'
  | 'rekor-500'
  | 'rekor-hang'
  | 'rekor-other-signature' // logs a different signature than the envelope's
  | 'rekor-untrusted-key'; // signs the SET and checkpoint with a key the trust root does not name

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface FakeSigstore {
  url: string;
  requests: Recorded[];
  fault: Fault;
  /** Who the certificates name, and the issuer they record. */
  readonly identity: string;
  readonly issuer: string;
  /** Tokens Fulcio was shown. */
  tokens: string[];
  trustedRoot(): object;
  close(): Promise<void>;
}

const ISSUER = 'https://issuer.example.test';
const IDENTITY = 'signer@example.test';

/** A JWT Fulcio-shaped enough for the signing client (unsigned: the fake Fulcio does not check it). */
export function fakeJwt(claims: Record<string, unknown> = {}): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return [
    part({ alg: 'RS256', typ: 'JWT' }),
    part({
      iss: ISSUER,
      sub: 'subject-123',
      aud: 'sigstore',
      email: IDENTITY,
      email_verified: true,
      exp: Math.floor(Date.now() / 1000) + 600,
      ...claims,
    }),
    randomBytes(64).toString('base64url'),
  ].join('.');
}

export async function startFakeSigstore(): Promise<FakeSigstore> {
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = ec();
  const ct = ec();
  const rekor = ec();
  const rogue = ec();
  const start = new Date(Date.now() - 3600_000);
  const rootTbs = tbs({
    issuer: name('fake fulcio root'),
    subject: name('fake fulcio root'),
    key: ca.publicKey,
    notBefore: start,
    notAfter: new Date(Date.now() + 86_400_000),
    extensions: [
      ext('2.5.29.19', seq(TRUE), true), // basicConstraints CA:TRUE
      ext('2.5.29.15', bits(Buffer.from([0x06]), 1), true), // keyCertSign, cRLSign
    ],
  });
  const rootDer = certificate(rootTbs, ca.privateKey);
  const logId = (k: KeyObject) => createHash('sha256').update(spki(k)).digest();
  let logIndex = 0;

  const fake: FakeSigstore = {
    url: '',
    requests: [],
    fault: 'none',
    identity: IDENTITY,
    issuer: ISSUER,
    tokens: [],
    trustedRoot: () => {
      const validFor = { start: start.toISOString() };
      const log = (k: KeyObject) => ({
        baseUrl: fake.url,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: spki(k).toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor },
        logId: { keyId: logId(k).toString('base64') },
      });
      return {
        mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
        tlogs: [log(rekor.publicKey)],
        certificateAuthorities: [
          {
            subject: { organization: 'modelguard-test', commonName: 'fake fulcio root' },
            uri: fake.url,
            certChain: { certificates: [{ rawBytes: rootDer.toString('base64') }] },
            validFor,
          },
        ],
        ctlogs: [log(ct.publicKey)],
        timestampAuthorities: [],
      };
    },
    close: () => new Promise((r) => server.close(() => r())),
  };

  function issue(publicKey: KeyObject): Buffer {
    const now = Date.now();
    const exts = [
      ext('2.5.29.15', bits(Buffer.from([0x80]), 7), true), // digitalSignature
      ext('2.5.29.37', seq(oid('1.3.6.1.5.5.7.3.3'))), // codeSigning
      ...(fake.fault === 'fulcio-no-san'
        ? []
        : [ext('2.5.29.17', seq(tlv(0x81, Buffer.from(IDENTITY, 'ascii'))), true)]),
      ext('1.3.6.1.4.1.57264.1.1', Buffer.from(ISSUER, 'utf8')),
      ext('1.3.6.1.4.1.57264.1.8', utf8(ISSUER)),
    ];
    const certFields = {
      issuer: name('fake fulcio root'),
      subject: seq(),
      key: publicKey,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 600_000),
    };
    // RFC 6962 precertificate SCT over the TBS without the SCT extension, then the TBS with it (last).
    const pre = tbs({ ...certFields, extensions: exts });
    const ts = Buffer.alloc(8);
    ts.writeBigUInt64BE(BigInt(now));
    const len24 = Buffer.from([pre.length >> 16, (pre.length >> 8) & 0xff, pre.length & 0xff]);
    const signed = Buffer.concat([
      Buffer.from([0, 0]),
      ts,
      Buffer.from([0, 1]),
      createHash('sha256').update(spki(ca.publicKey)).digest(),
      len24,
      pre,
      Buffer.from([0, 0]),
    ]);
    const sig = sign('sha256', signed, ct.privateKey);
    const sct = Buffer.concat([
      Buffer.from([0]),
      logId(ct.publicKey),
      ts,
      Buffer.from([0, 0, 4, 3, sig.length >> 8, sig.length & 0xff]),
      sig,
    ]);
    const item = Buffer.concat([Buffer.from([sct.length >> 8, sct.length & 0xff]), sct]);
    const list = Buffer.concat([Buffer.from([item.length >> 8, item.length & 0xff]), item]);
    // Same fields, same serial: rebuild the TBS by splicing the SCT extension into the one signed above.
    const full = withExtension(pre, ext('1.3.6.1.4.1.11129.2.4.2', octet(list)));
    return certificate(full, ca.privateKey);
  }

  function fulcio(body: string): [number, object] {
    const req = JSON.parse(body);
    const token: string = req.credentials.oidcIdentityToken;
    fake.tokens.push(token);
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString());
    const key = createPublicKey(req.publicKeyRequest.publicKey.content);
    const pop = Buffer.from(req.publicKeyRequest.proofOfPossession, 'base64');
    if (!verify('sha256', Buffer.from(claims.email ?? claims.sub), key, pop))
      return [400, { code: 400, message: 'proof of possession does not verify' }];
    const certified = fake.fault === 'fulcio-other-key' ? ec().publicKey : key;
    return [
      201,
      { signedCertificateEmbeddedSct: { chain: { certificates: [pem(issue(certified)), pem(rootDer)] } } },
    ];
  }

  function rekorEntry(body: string): [number, object] {
    const proposed = JSON.parse(body);
    if (proposed.kind !== 'dsse') return [400, { message: `unexpected kind ${proposed.kind}` }];
    const envelope = JSON.parse(proposed.spec.proposedContent.envelope);
    const payload = Buffer.from(envelope.payload, 'base64');
    const signature =
      fake.fault === 'rekor-other-signature'
        ? randomBytes(70).toString('base64')
        : envelope.signatures[0].sig;
    const hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    // Canonical JSON: keys in sorted order.
    const canonical = JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'dsse',
      spec: {
        envelopeHash: { algorithm: 'sha256', value: hex(proposed.spec.proposedContent.envelope) },
        payloadHash: { algorithm: 'sha256', value: hex(payload) },
        signatures: [{ signature, verifier: proposed.spec.proposedContent.verifiers[0] }],
      },
    });
    const logKey = fake.fault === 'rekor-untrusted-key' ? rogue : rekor;
    const id = logId(rekor.publicKey); // the log claims to be the trusted one
    const index = logIndex++;
    const integratedTime = Math.floor(Date.now() / 1000);
    const b64 = Buffer.from(canonical).toString('base64');
    const set = sign(
      'sha256',
      Buffer.from(JSON.stringify({ body: b64, integratedTime, logID: id.toString('hex'), logIndex: index })),
      logKey.privateKey,
    );
    // A one-leaf tree: the root is the leaf hash, the proof has no hashes.
    const root = createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(canonical)]))
      .digest();
    const origin = new URL(fake.url).host;
    const note = `${origin}\n1\n${root.toString('base64')}\n`;
    const noteSig = Buffer.concat([id.subarray(0, 4), sign('sha256', Buffer.from(note), logKey.privateKey)]);
    return [
      201,
      {
        [randomBytes(32).toString('hex')]: {
          body: b64,
          integratedTime,
          logID: id.toString('hex'),
          logIndex: index,
          verification: {
            signedEntryTimestamp: set.toString('base64'),
            inclusionProof: {
              logIndex: 0,
              treeSize: 1,
              rootHash: root.toString('hex'),
              hashes: [],
              checkpoint: `${note}\n\u2014 ${origin} ${noteSig.toString('base64')}\n`,
            },
          },
        },
      },
    ];
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      fake.requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      const reply = (status: number, json: object) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      const isFulcio = path?.endsWith('/api/v2/signingCert') === true;
      const isRekor = path?.endsWith('/api/v1/log/entries') === true;
      if ((isFulcio && fake.fault === 'fulcio-hang') || (isRekor && fake.fault === 'rekor-hang')) return;
      if (isFulcio && fake.fault === 'fulcio-500') return reply(500, { message: 'fulcio is down' });
      if (isFulcio && fake.fault === 'fulcio-401') return reply(401, { message: 'invalid identity token' });
      if (isRekor && fake.fault === 'rekor-500') return reply(500, { message: 'rekor is down' });
      try {
        if (isFulcio) return reply(...fulcio(body));
        if (isRekor) return reply(...rekorEntry(body));
      } catch (e) {
        return reply(400, { message: String(e) });
      }
      reply(404, { message: `no route ${path}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

/** Appends one extension to a TBS built by `tbs` (its `[3]` extensions are last). */
function withExtension(tbsDer: Buffer, extension: Buffer): Buffer {
  const fields = children(contents(tbsDer));
  const last = fields.pop() as Buffer; // [3] { SEQUENCE { ext... } }
  const exts = children(contents(contents(last)));
  return seq(...fields, explicit(3, seq(...exts, extension)));
}

/** The contents of one DER TLV. */
function contents(der: Buffer): Buffer {
  const first = der[1] as number;
  if (first < 0x80) return der.subarray(2, 2 + first);
  const n = first & 0x7f;
  const len = der.subarray(2, 2 + n).reduce((acc, b) => acc * 256 + b, 0);
  return der.subarray(2 + n, 2 + n + len);
}

/** The consecutive TLVs in `body`. */
function children(body: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; ) {
    const first = body[at + 1] as number;
    const n = first < 0x80 ? 0 : first & 0x7f;
    const len = n === 0 ? first : body.subarray(at + 2, at + 2 + n).reduce((acc, b) => acc * 256 + b, 0);
    const end = at + 2 + n + len;
    out.push(body.subarray(at, end));
    at = end;
  }
  return out;
}
