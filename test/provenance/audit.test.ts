import { appendFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickleCall } from '../../src/formats/pickle/assembler.js';
import { DEFAULT_DEPS } from '../../src/provenance/audit/deps.js';
import { decideVerdict } from '../../src/provenance/audit/verdict.js';
import { AuditOptionsError, type AuditReport, auditModel } from '../../src/provenance/audit.js';
import { signModel } from '../../src/provenance/oms/index.js';
import { tempDir } from '../support/temp.js';
import { auditValidator, p256, VECTORS } from './audit-support.js';

const tmp = tempDir('modelguard-audit-');
const BENIGN = new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e]); // PROTO 4, BININT1 7, STOP
const validate = auditValidator();

function clean(name: string): string {
  tmp.write(`${name}/weights.pkl`, BENIGN);
  tmp.write(`${name}/config.json`, '{"model_type": "mlp", "hidden_size": 8}\n');
  tmp.write(`${name}/README.md`, '---\nlicense: apache-2.0\n---\n# tiny model\n');
  return join(tmp.dir, name);
}

function valid(r: AuditReport): void {
  const doc = JSON.parse(JSON.stringify(r)) as unknown;
  expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
}

const KEY = p256();
const OTHER_KEY = p256();

async function signed(name: string): Promise<string> {
  const dir = clean(name);
  await signModel(dir, { method: 'key', privateKeyPem: KEY.privateKeyPem });
  return dir;
}

describe('auditModel verdicts', () => {
  it('a clean, unsigned folder passes (0) with a note that nothing is signed', async () => {
    const r = await auditModel(clean('clean'));
    expect(r.verdict).toBe('pass');
    expect(r.exitCode).toBe(0);
    expect(r.signature).toEqual({ status: 'absent', required: false });
    expect(r.reasons[0]).toMatch(/^scan: nothing at or above high in 3 files$/);
    expect(r.notes.some((n) => n.includes('--require-signature'))).toBe(true);
    expect(r.bom?.summary.fileCount).toBe(3);
    expect(r.bom?.summary.licence).toBe('Apache-2.0');
    expect(r.provenanceFindings).toEqual([]);
    valid(r);
  });

  it('a malicious pickle fails (1) with the finding', async () => {
    const evil = tmp.write('evil/model.pkl', pickleCall('posix', 'system', 'echo modelguard-test'));
    const r = await auditModel(join(tmp.dir, 'evil'));
    expect(r.verdict).toBe('fail');
    expect(r.exitCode).toBe(1);
    expect(r.reasons[0]).toMatch(/^scan: 1 finding at or above high \(1 critical\) in 1 file$/);
    const f = r.scan.findings.find((x) => x.ruleId === 'pickle/dangerous-global');
    expect(f?.location.path).toBe(evil);
    expect(r.bom?.summary.vulnerabilities.critical).toBe(1);
    valid(r);
  });

  it('the schema is not vacuous: it rejects a report whose parts disagree or are missing', async () => {
    const r = JSON.parse(JSON.stringify(await auditModel(join(tmp.dir, 'evil')))) as Record<string, unknown>;
    expect(validate({ ...r, exitCode: 0 })).toBe(false); // fail must exit 1
    expect(validate({ ...r, reasons: [] })).toBe(false);
    expect(validate({ ...r, signature: { status: 'verified' } })).toBe(false);
    expect(
      validate({ ...r, provenanceFindings: [{ ...(r['scan'] as { findings: object[] }).findings[0] }] }),
    ).toBe(
      false, // provenance findings are provenance/* rules only
    );
    const { bom: _bom, ...noBom } = r;
    expect(validate(noBom)).toBe(false);
  });

  it('--fail-on never does not gate the scan, and says so', async () => {
    const r = await auditModel(join(tmp.dir, 'evil'), { failOn: 'never' });
    expect(r.verdict).toBe('pass');
    expect(r.notes).toContain('scan: not gated (--fail-on never)');
  });

  it('a folder signed with a P-256 key verifies with its public key', async () => {
    const dir = await signed('signed');
    const r = await auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(r.signature.status).toBe('verified');
    expect(r.verdict).toBe('pass');
    expect(r.reasons).toContain(
      `signature: verified (method: key; signer: ${(r.signature as { result: { signer: string } }).result.signer}; 3 signed resources match)`,
    );
    expect(r.bom?.summary.signature.status).toBe('verified');
    valid(r);
  });

  it('a signature present but no key: not a failure, a clear note', async () => {
    const dir = await signed('signed-nokey');
    const r = await auditModel(dir);
    expect(r.signature).toEqual({
      status: 'present-unverified',
      signaturePath: join(dir, 'model.sig'),
      required: false,
    });
    expect(r.verdict).toBe('pass');
    expect(r.notes.join('\n')).toMatch(
      /signature: present \(.*model\.sig\), not verified — pass --public-key, --certificate-chain or --identity with --issuer/,
    );
    const required = await auditModel(dir, { requireSignature: true });
    expect(required.verdict).toBe('fail');
    expect(required.reasons[0]).toMatch(/^signature: required, present .* but not verified/);
  });

  it('each file tampered in turn fails, naming the file', async () => {
    const dir = await signed('tamper');
    for (const name of ['weights.pkl', 'config.json', 'README.md']) {
      const before = readFileSync(join(dir, name));
      appendFileSync(join(dir, name), '\n');
      const r = await auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem } });
      expect(r.verdict, name).toBe('fail');
      expect(r.exitCode).toBe(1);
      expect(r.reasons).toContain(`signature: verification failed — modified: ${name}`);
      expect(r.provenanceFindings.map((f) => [f.ruleId, f.location.path])).toEqual([
        ['provenance/file-modified', join(dir, name)],
      ]);
      expect(r.provenanceFindings[0]?.cwe).toEqual(['CWE-345', 'CWE-494']);
      expect(r.bom?.summary.signature.status).toBe('failed');
      valid(r);
      writeFileSync(join(dir, name), before);
    }
    const restored = await auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(restored.verdict).toBe('pass');
  });

  it('a single signed file verifies, and its tampering is located at the file', async () => {
    const file = tmp.write('single/model.pkl', BENIGN);
    await signModel(file, { method: 'key', privateKeyPem: KEY.privateKeyPem });
    const ok = await auditModel(file, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(ok.signature).toMatchObject({ status: 'verified', signaturePath: `${file}.sig` });
    expect(ok.scan.artifacts.map((a) => a.path)).toEqual([file]);
    appendFileSync(file, 'x');
    const bad = await auditModel(file, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(bad.verdict).toBe('fail');
    expect(bad.provenanceFindings.map((f) => [f.ruleId, f.location.path])).toEqual([
      ['provenance/file-modified', file],
    ]);
  });

  it('a tampered shard is located at its file and start offset', async () => {
    const dir = join(tmp.dir, 'sharded');
    tmp.write('sharded/weights.bin', new Uint8Array(4096).fill(7));
    await signModel(dir, {
      method: 'key',
      privateKeyPem: KEY.privateKeyPem,
      serialization: 'shards',
      shardSize: 1024,
    });
    const weights = join(dir, 'weights.bin');
    const bytes = readFileSync(weights);
    bytes[2500] = 8; // inside the third shard, 2048–3072
    writeFileSync(weights, bytes);
    const r = await auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(r.verdict).toBe('fail');
    expect(r.provenanceFindings.map((f) => [f.ruleId, f.location])).toEqual([
      ['provenance/file-modified', { path: weights, offset: 2048 }],
    ]);
    expect(r.reasons[0]).toBe('signature: verification failed — modified: weights.bin:2048:3072');
  });

  it('a missing and an extra file fail as file-missing and file-unsigned', async () => {
    const dir = await signed('missing-extra');
    rmSync(join(dir, 'config.json'));
    writeFileSync(join(dir, 'added.py'), 'print("hi")\n');
    const r = await auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(r.verdict).toBe('fail');
    expect(r.reasons[0]).toBe(
      'signature: verification failed — missing: config.json; not signed (extra): added.py',
    );
    expect(r.provenanceFindings.map((f) => f.ruleId).sort()).toEqual([
      'provenance/file-missing',
      'provenance/file-unsigned',
    ]);
  });

  it('the wrong key fails the signature itself', async () => {
    const r = await auditModel(await signed('wrong-key'), {
      signature: { publicKeyPem: OTHER_KEY.publicKeyPem },
    });
    expect(r.verdict).toBe('fail');
    expect(r.signature.status).toBe('failed');
    expect(r.provenanceFindings.length).toBeGreaterThan(0);
    for (const f of r.provenanceFindings) {
      expect(['provenance/signature-invalid', 'provenance/signer-untrusted']).toContain(f.ruleId);
      expect(f.location.path).toBe(join(tmp.dir, 'wrong-key', 'model.sig'));
    }
    valid(r);
  });

  it('--require-signature on an unsigned folder fails with provenance/signature-missing', async () => {
    const dir = clean('unsigned-required');
    const r = await auditModel(dir, { requireSignature: true });
    expect(r.verdict).toBe('fail');
    expect(r.exitCode).toBe(1);
    expect(r.reasons).toEqual(['signature: required but the model has no signature file']);
    expect(r.provenanceFindings.map((f) => f.ruleId)).toEqual(['provenance/signature-missing']);
    valid(r);
  });

  it('verification material with nothing to verify is a failure (it implies a required signature)', async () => {
    const r = await auditModel(clean('unsigned-key'), { signature: { publicKeyPem: KEY.publicKeyPem } });
    expect(r.verdict).toBe('fail');
    expect(r.signature).toEqual({ status: 'absent', required: true });
  });

  it('contradictory verification material is refused before any work', async () => {
    const dir = join(tmp.dir, 'clean');
    await expect(
      auditModel(dir, { signature: { publicKeyPem: KEY.publicKeyPem, identity: 'a', issuer: 'b' } }),
    ).rejects.toBeInstanceOf(AuditOptionsError);
    await expect(auditModel(dir, { signature: { identity: 'a' } })).rejects.toThrow(
      /needs both an identity and an issuer/,
    );
    await expect(
      auditModel(dir, { signature: { chainPems: ['x'], trustedRootPath: '/tmp/root.json' } }),
    ).rejects.toThrow(/trust root only applies/);
  });
});

describe('auditModel on the reference implementation’s signatures', () => {
  const keys = join(VECTORS, 'keys', 'certificate');
  const copy = (name: string) => {
    const dir = join(tmp.dir, `ref-${name}`);
    cpSync(join(VECTORS, name), dir, { recursive: true });
    return dir;
  };

  it('certificate chain (v1.0.0-certificate) verifies', async () => {
    const r = await auditModel(copy('v1.0.0-certificate'), {
      signature: { chainPems: [readFileSync(join(keys, 'ca-cert.pem'), 'utf8')] },
    });
    expect(r.signature.status).toBe('verified');
    expect(r.verdict).toBe('pass');
    valid(r);
  });

  it('keyless Sigstore (v1.0.0-sigstore) verifies offline with the exact identity and issuer', async () => {
    const dir = copy('v1.0.0-sigstore');
    const identity = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
    const r = await auditModel(dir, { signature: identity });
    expect(r.signature.status).toBe('verified');
    expect(r.verdict).toBe('pass');
    const other = await auditModel(dir, { signature: { ...identity, identity: 'someone@example.com' } });
    expect(other.verdict).toBe('fail');
    expect(other.provenanceFindings.map((f) => f.ruleId)).toContain('provenance/signer-untrusted');
  });

  it('a file outside the signature (v1.0.1 ignore-me, verified by the reference only with --ignore-paths) is unsigned', async () => {
    const dir = copy('v1.0.1-elliptic-key');
    const r = await auditModel(dir, {
      signature: { publicKeyPem: readFileSync(join(keys, 'signing-key-pub.pem'), 'utf8') },
    });
    expect(r.verdict).toBe('fail');
    expect(r.provenanceFindings.map((f) => [f.ruleId, f.location.path])).toEqual([
      ['provenance/file-unsigned', join(dir, 'ignore-me')],
    ]);
    const ignored = await auditModel(dir, {
      signature: {
        publicKeyPem: readFileSync(join(keys, 'signing-key-pub.pem'), 'utf8'),
        ignorePaths: ['ignore-me'],
      },
    });
    expect(ignored.signature.status).toBe('verified');
    const tolerated = await auditModel(dir, {
      signature: {
        publicKeyPem: readFileSync(join(keys, 'signing-key-pub.pem'), 'utf8'),
        ignoreUnsignedFiles: true,
      },
    });
    expect(tolerated.signature.status).toBe('verified');
  });
});

describe('auditModel when a part cannot run', () => {
  it('a BOM that cannot be built is a tool error (2), unless something failed (1)', async () => {
    const deps = {
      ...DEFAULT_DEPS,
      buildBom: async () => {
        throw new Error('disk on fire');
      },
    };
    const r = await auditModel(join(tmp.dir, 'clean'), {}, deps);
    expect(r.verdict).toBe('error');
    expect(r.exitCode).toBe(2);
    expect(r.reasons).toEqual(['bom: could not be built: disk on fire']);
    expect(r.bom).toBeNull();
    valid(r);
    const failed = await auditModel(join(tmp.dir, 'evil'), {}, deps);
    expect(failed.verdict).toBe('fail');
    expect(failed.reasons[1]).toBe('bom: could not be built: disk on fire');
  });

  it('a verifier that throws (unreadable signature, bad key) is a tool error naming the cause', async () => {
    const dir = await signed('bad-key');
    const r = await auditModel(dir, { signature: { publicKeyPem: 'not a key' } });
    expect(r.verdict).toBe('error');
    expect(r.exitCode).toBe(2);
    expect(r.signature.status).toBe('error');
    expect(r.reasons[0]).toMatch(/^signature: verification could not run: /);
    valid(r);
  });

  it('a named signature file that does not exist is absent, not an error', async () => {
    const dir = clean('gone-sig');
    const deps = { ...DEFAULT_DEPS, findSignature: () => join(dir, 'no-such.sig') };
    const r = await auditModel(dir, {}, deps);
    expect(r.signature).toEqual({ status: 'absent', required: false });
    expect(r.verdict).toBe('pass');
  });

  it('a file that could not be scanned makes the verdict error (2), listing it', async () => {
    const r = await auditModel(join(tmp.dir, 'clean'));
    const broken = {
      ...r.scan,
      artifacts: r.scan.artifacts.map((a, i) =>
        i === 0 ? { ...a, verdict: 'error' as const, error: 'EIO' } : a,
      ),
    };
    const v = decideVerdict(broken, r.signature, null);
    expect(v.verdict).toBe('error');
    expect(v.exitCode).toBe(2);
    expect(v.reasons).toEqual([`scan: 1 file could not be scanned (${r.scan.artifacts[0]?.path}: EIO)`]);
  });
});
