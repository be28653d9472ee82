/**
 * The `certificate` method with a PKI made by the openssl CLI in a temp dir: root CA → intermediate CA →
 * leaf. Round trip, and each way a chain can be untrustworthy, named.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  certificatesFromPem,
  KeyMaterialError,
  loadPrivateKey,
  PAYLOAD_TYPE,
  pae,
  readBundle,
  signModel,
  verifyModel,
} from '../../src/provenance/oms/index.js';
import { ecdsaSign } from '../../src/provenance/oms/keys.js';
import { tempDir } from '../support/temp.js';

const tmp = tempDir('modelguard-oms-pki-');
const PKI = join(tmp.dir, 'pki');
mkdirSync(PKI);

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: PKI, stdio: 'pipe' });
}

/** An EC key (PKCS#8 PEM) written as NAME.key. */
function key(name: string, curve: 'P-256' | 'P-384'): string {
  const pem = generateKeyPairSync('ec', { namedCurve: curve }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  writeFileSync(join(PKI, `${name}.key`), pem);
  return pem as string;
}

/** NAME.pem: a certificate for NAME.key signed by ISSUER (ISSUER.pem/.key), with the given extensions. */
function issue(name: string, issuer: string, extensions: string[], serial: number): string {
  writeFileSync(join(PKI, `${name}.ext`), `${extensions.join('\n')}\n`);
  openssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${issuer}.pem`,
    '-CAkey',
    `${issuer}.key`,
    '-set_serial',
    String(serial),
    '-days',
    '3650',
    '-sha384',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
  return readFileSync(join(PKI, `${name}.pem`), 'utf8');
}

function selfSigned(name: string): string {
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    `/CN=${name}`,
    '-days',
    '3650',
    '-sha384',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${name}.pem`,
  );
  return readFileSync(join(PKI, `${name}.pem`), 'utf8');
}

const CA = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
const SIGNER = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=codeSigning',
];

key('root', 'P-384');
const ROOT = selfSigned('root');
key('int', 'P-384');
const INT = issue('int', 'root', CA, 2);
const LEAF_KEY = key('leaf', 'P-256');
const LEAF = issue('leaf', 'int', SIGNER, 3);
key('other-root', 'P-256');
const OTHER_ROOT = selfSigned('other-root');
// Leaves that should not verify, and an intermediate that is not a CA.
const NOUSE_KEY = key('nouse', 'P-256');
const NOUSE = issue('nouse', 'int', ['basicConstraints=CA:FALSE', 'keyUsage=critical,keyAgreement'], 4);
const EKU_ONLY_KEY = key('ekuonly', 'P-384');
const EKU_ONLY = issue('ekuonly', 'int', ['extendedKeyUsage=codeSigning'], 5);
key('notca', 'P-256');
const NOT_CA = issue(
  'notca',
  'root',
  ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature'],
  6,
);
const UNDER_NOT_CA_KEY = key('undernotca', 'P-256');
const UNDER_NOT_CA = issue('undernotca', 'notca', SIGNER, 7);

let n = 0;
function model(): string {
  const dir = join(tmp.dir, `model-${n++}`);
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'weights.bin'), Buffer.alloc(3000, 7));
  writeFileSync(join(dir, 'sub', 'config.json'), '{}');
  return dir;
}

/** Writes a bundle for `dir` signed by `keyPem` with `chain` as verification material, bypassing sign's checks. */
async function forge(dir: string, keyPem: string, chain: string[]): Promise<void> {
  const { bundle } = await signModel(dir, { method: 'key', privateKeyPem: keyPem, write: false });
  const payload = readBundle(bundle).envelope.payload;
  const certs = chain.flatMap((p) => certificatesFromPem(p, 'test').map((c) => c.x509.raw));
  const sig = ecdsaSign(loadPrivateKey(keyPem), pae(PAYLOAD_TYPE, payload));
  writeFileSync(
    join(dir, 'model.sig'),
    JSON.stringify(buildBundle({ certificates: certs }, payload, PAYLOAD_TYPE, sig)),
  );
}

describe('certificate method', () => {
  it('round trip: leaf + intermediate in the bundle, root trusted', async () => {
    const dir = model();
    const r = await signModel(dir, {
      method: 'certificate',
      privateKeyPem: LEAF_KEY,
      certificatePem: LEAF,
      chainPems: [INT],
    });
    const vm = (r.bundle as { verificationMaterial: Record<string, unknown> }).verificationMaterial;
    expect(vm).toEqual({
      x509CertificateChain: {
        certificates: [LEAF, INT].map((p) => ({
          rawBytes: certificatesFromPem(p, 't')[0]!.x509.raw.toString('base64'),
        })),
      },
      tlogEntries: [],
    });
    const v = await verifyModel(dir, { chainPems: [ROOT] });
    expect(v.problems).toEqual([]);
    expect(v).toMatchObject({
      verified: true,
      method: 'certificate',
      signer: "certificate 'CN=leaf' (trusted via 'CN=root')",
    });
    expect(v.warnings).toEqual([]);
  });

  it('a leaf that has expired since still verifies, with a warning (validity at its notBefore)', async () => {
    const dir = model();
    await signModel(dir, {
      method: 'certificate',
      privateKeyPem: LEAF_KEY,
      certificatePem: LEAF,
      chainPems: [INT],
    });
    const v = await verifyModel(dir, { chainPems: [ROOT], now: new Date('2200-01-01T00:00:00Z') });
    expect(v.verified).toBe(true);
    expect(v.warnings).toEqual([
      expect.stringMatching(/^the signing certificate 'CN=leaf' expired on .*validated at its notBefore/),
    ]);
  });

  it('a leaf with only ExtendedKeyUsage codeSigning (no KeyUsage) may sign', async () => {
    const dir = model();
    await signModel(dir, {
      method: 'certificate',
      privateKeyPem: EKU_ONLY_KEY,
      certificatePem: EKU_ONLY,
      chainPems: [INT],
    });
    expect((await verifyModel(dir, { chainPems: [ROOT] })).verified).toBe(true);
  });

  it('sign refuses a certificate of another key, and one that may not sign', async () => {
    const dir = model();
    await expect(
      signModel(dir, {
        method: 'certificate',
        privateKeyPem: NOUSE_KEY,
        certificatePem: LEAF,
        chainPems: [INT],
      }),
    ).rejects.toThrow(
      new KeyMaterialError(
        "the signing certificate 'CN=leaf' holds a different public key than the private key",
      ),
    );
    await expect(
      signModel(dir, {
        method: 'certificate',
        privateKeyPem: NOUSE_KEY,
        certificatePem: NOUSE,
        chainPems: [INT],
      }),
    ).rejects.toThrow(
      /'CN=nouse' may not sign: its KeyUsage lacks digitalSignature and its ExtendedKeyUsage lacks codeSigning/,
    );
  });

  const untrusted: Array<[string, () => Promise<void>, string[], RegExp]> = [
    [
      'bundle without the intermediate',
      async () => undefined,
      [ROOT],
      /^the certificate chain does not lead to a trusted root: no certificate named 'CN=int' \(the issuer of 'CN=leaf'\) is in the bundle or in the certificate chain files$/,
    ],
    ['another root trusted', async () => undefined, [OTHER_ROOT], /no certificate named 'CN=int'/],
    [
      'only the intermediate trusted',
      async () => undefined,
      [INT],
      /^none of the trusted certificates is a self-signed root \('CN=int'\)$/,
    ],
  ];
  for (const [name, , trust, message] of untrusted) {
    it(`untrusted: ${name}`, async () => {
      const dir = model();
      await signModel(dir, {
        method: 'certificate',
        privateKeyPem: LEAF_KEY,
        certificatePem: LEAF,
        chainPems: [],
      });
      const v = await verifyModel(dir, { chainPems: trust });
      expect(v.verified).toBe(false);
      expect(v.problems).toHaveLength(1);
      expect(v.problems[0]!.kind).toBe('untrusted');
      expect(v.problems[0]!.message).toMatch(message);
    });
  }

  it('untrusted: an issuer whose basic constraints say it is not a CA', async () => {
    const dir = model();
    await signModel(dir, {
      method: 'certificate',
      privateKeyPem: UNDER_NOT_CA_KEY,
      certificatePem: UNDER_NOT_CA,
      chainPems: [NOT_CA],
    });
    const v = await verifyModel(dir, { chainPems: [ROOT] });
    expect(v.problems).toEqual([
      {
        kind: 'untrusted',
        message:
          "certificate 'CN=notca' issues other certificates but its basic constraints say it is not a CA",
      },
    ]);
  });

  it('untrusted: a leaf that may not sign (bundle made without sign’s check)', async () => {
    const dir = model();
    await forge(dir, NOUSE_KEY, [NOUSE, INT]);
    const v = await verifyModel(dir, { chainPems: [ROOT] });
    expect(v.problems).toEqual([
      {
        kind: 'untrusted',
        message:
          "signing certificate 'CN=nouse' may not sign: its KeyUsage lacks digitalSignature and its ExtendedKeyUsage lacks codeSigning",
      },
    ]);
  });

  it('signature: a valid chain whose leaf key did not sign', async () => {
    const dir = model();
    await forge(dir, NOUSE_KEY, [LEAF, INT]);
    const v = await verifyModel(dir, { chainPems: [ROOT] });
    expect(v.problems).toEqual([
      {
        kind: 'signature',
        message:
          "the signature does not verify with the signing certificate's key ('CN=leaf', P-256): the payload or the signature was altered, or another key signed it",
      },
    ]);
  });

  it('format: a certificate that is not DER', async () => {
    const dir = model();
    await signModel(dir, {
      method: 'certificate',
      privateKeyPem: LEAF_KEY,
      certificatePem: LEAF,
      chainPems: [INT],
    });
    const b = JSON.parse(readFileSync(join(dir, 'model.sig'), 'utf8'));
    b.verificationMaterial.x509CertificateChain.certificates[1].rawBytes =
      Buffer.from('not a certificate').toString('base64');
    writeFileSync(join(dir, 'model.sig'), JSON.stringify(b));
    const v = await verifyModel(dir, { chainPems: [ROOT] });
    expect(v.problems).toEqual([
      {
        kind: 'format',
        message: expect.stringMatching(
          /^verificationMaterial\.x509CertificateChain\.certificates\[1\] is not a DER X\.509 certificate/,
        ),
      },
    ]);
  });

  it('a chain file without any certificate is a usage error', async () => {
    const dir = model();
    await signModel(dir, {
      method: 'certificate',
      privateKeyPem: LEAF_KEY,
      certificatePem: LEAF,
      chainPems: [INT],
    });
    await expect(verifyModel(dir, { chainPems: ['hello'] })).rejects.toThrow(
      new KeyMaterialError('certificate chain file #1 holds no PEM certificate'),
    );
  });
});
