import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { pickleCall } from '../../src/formats/pickle/assembler.js';
import { signModel } from '../../src/provenance/oms/index.js';
import { tempDir } from '../support/temp.js';
import { auditValidator, p256, sarifValidator } from './audit-support.js';
import { cyclonedxValidator } from './bom-schema.js';

const tmp = tempDir('modelguard-audit-cli-');
const BENIGN = new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e]);
const KEY = p256();
const keyFile = tmp.write('keys/pub.pem', KEY.publicKeyPem);

function folder(name: string, evil = false): string {
  tmp.write(`${name}/weights.pkl`, evil ? pickleCall('posix', 'system', 'echo modelguard-test') : BENIGN);
  tmp.write(`${name}/README.md`, '# tiny model\n');
  return join(tmp.dir, name);
}

let stderr: MockInstance;
beforeEach(() => {
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => stderr.mockRestore());

function errText(): string {
  return stderr.mock.calls.map((c) => String(c[0])).join('');
}

/** Runs `modelguard audit …` in-process, the report written to a file; returns exit code and report. */
async function audit(...args: string[]): Promise<{ code: number; out: string }> {
  const out = join(tmp.dir, `out-${Math.random().toString(36).slice(2)}`);
  const code = await run(['node', 'modelguard', 'audit', ...args, '--output', out, '--no-progress']);
  let text = '';
  try {
    text = readFileSync(out, 'utf8');
  } catch {
    // no report (usage error)
  }
  return { code, out: text };
}

interface Sarif {
  runs: {
    automationDetails: { id: string };
    properties: { verdict: string; signature: string };
    tool: { driver: { rules: { id: string; properties: { tags: string[] } }[] } };
    results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
  }[];
}

describe('modelguard audit: a malicious pickle in all four formats', () => {
  const dir = folder('evil', true);

  it('text: verdict first, then the finding', async () => {
    const r = await audit(dir, '--format', 'text');
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toBe(`FAIL  ${dir}`);
    expect(r.out).toContain('pickle/dangerous-global');
    expect(r.out).toContain("posix.system('echo modelguard-test')");
    expect(r.out.indexOf('── Findings')).toBeLessThan(r.out.indexOf('── Signature'));
    expect(r.out.indexOf('── Signature')).toBeLessThan(r.out.indexOf('── Bill of materials'));
    expect(errText()).toContain('Audit FAIL: scan: 1 finding at or above high');
  });

  it('JSON validates against schemas/audit.schema.json', async () => {
    const r = await audit(dir, '--format', 'json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out) as { verdict: string; scan: { findings: { ruleId: string }[] } };
    const validate = auditValidator();
    expect(validate(doc), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    expect(doc.verdict).toBe('fail');
    expect(doc.scan.findings.map((f) => f.ruleId)).toContain('pickle/dangerous-global');
  });

  it('SARIF validates and carries the finding, the verdict and the audit category', async () => {
    const r = await audit(dir, '--format', 'sarif');
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.out) as Sarif;
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const first = sarif.runs[0];
    expect(first?.automationDetails.id).toBe('modelguard/audit/');
    expect(first?.properties.verdict).toBe('fail');
    expect(first?.results.map((x) => x.ruleId)).toContain('pickle/dangerous-global');
  });

  it('HTML: one self-contained page with the verdict and the finding', async () => {
    const r = await audit(dir, '--format', 'html');
    expect(r.code).toBe(1);
    expect(r.out.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(r.out).toContain('data-verdict="fail">FAIL<');
    expect(r.out).toContain('data-rule="pickle/dangerous-global"');
    expect(r.out).toContain('id="signature"');
    expect(r.out).toContain('id="bom"');
  });
});

describe('modelguard audit: signatures through the CLI', () => {
  it('a signed folder verifies (0) and --bom writes a CycloneDX 1.6 (or 1.5) BOM', async () => {
    const dir = folder('signed');
    await signModel(dir, { method: 'key', privateKeyPem: KEY.privateKeyPem });
    const bom = join(tmp.dir, 'signed.cdx.json');
    const r = await audit(dir, '--public-key', keyFile, '--require-signature', '--bom', bom);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe(`PASS  ${dir}`);
    expect(r.out).toMatch(
      /✓ signature: verified \(method: key; signer: key [0-9a-f]{64} \(P-256\); 2 signed resources match\)/,
    );
    const doc = JSON.parse(readFileSync(bom, 'utf8')) as object;
    const v16 = cyclonedxValidator('1.6');
    expect(v16(doc), JSON.stringify(v16.errors?.slice(0, 3))).toBe(true);
    const bom15 = join(tmp.dir, 'signed.cdx15.json');
    expect((await audit(dir, '--bom', bom15, '--bom-spec-version', '1.5')).code).toBe(0);
    const v15 = cyclonedxValidator('1.5');
    expect(v15(JSON.parse(readFileSync(bom15, 'utf8')) as object)).toBe(true);
  });

  it('a tampered file fails (1) and every format names it', async () => {
    const dir = folder('tampered');
    await signModel(dir, { method: 'key', privateKeyPem: KEY.privateKeyPem });
    appendFileSync(join(dir, 'weights.pkl'), 'x');
    const text = await audit(dir, '--public-key', keyFile);
    expect(text.code).toBe(1);
    expect(text.out).toContain('✗ signature: verification failed — modified: weights.pkl');
    const sarifRun = await audit(dir, '--public-key', keyFile, '--format', 'sarif');
    const sarif = JSON.parse(sarifRun.out) as Sarif;
    expect(sarifValidator()(sarif)).toBe(true);
    const result = sarif.runs[0]?.results.find((x) => x.ruleId === 'provenance/file-modified');
    expect(result?.locations[0]?.physicalLocation.artifactLocation.uri).toMatch(/tampered\/weights\.pkl$/);
    const rule = sarif.runs[0]?.tool.driver.rules.find((x) => x.id === 'provenance/file-modified');
    expect(rule?.properties.tags).toEqual(
      expect.arrayContaining(['security', 'external/cwe/cwe-345', 'atlas/AML.T0010.003', 'owasp/ML06:2023']),
    );
    expect(sarif.runs[0]?.properties.signature).toBe('failed');
    const html = await audit(dir, '--public-key', keyFile, '--format', 'html');
    expect(html.out).toMatch(/<tr class="problem" data-kind="modified">.*<code>weights\.pkl<\/code>/);
    expect(html.out).toContain('data-rule="provenance/file-modified"');
    const json = JSON.parse((await audit(dir, '--public-key', keyFile, '--format', 'json')).out) as {
      provenanceFindings: { ruleId: string }[];
    };
    expect(json.provenanceFindings.map((f) => f.ruleId)).toEqual(['provenance/file-modified']);
  });

  it('--require-signature on an unsigned folder fails (1)', async () => {
    const r = await audit(folder('unsigned'), '--require-signature');
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ signature: required but the model has no signature file');
    expect((await audit(join(tmp.dir, 'unsigned'))).code).toBe(0);
  });
});

describe('modelguard audit: usage errors exit 2', () => {
  const dir = folder('usage');
  it.each([
    ['a path that does not exist', [join(tmp.dir, 'nope')], /no such file or directory/],
    ['an unknown format', [dir, '--format', 'xml'], /./],
    [
      '--identity without --issuer',
      [dir, '--identity', 'me@example.com'],
      /--identity and --issuer go together/,
    ],
    ['an unreadable key', [dir, '--public-key', join(tmp.dir, 'nope.pem')], /cannot read public key/],
    [
      'two verification methods',
      [dir, '--public-key', keyFile, '--identity', 'a@b.c', '--issuer', 'https://x'],
      /one verification method/,
    ],
    ['a bad --fail-on', [dir, '--fail-on', 'severe'], /--fail-on must be/],
    ['a missing signature file', [dir, '--signature', join(tmp.dir, 'nope.sig')], /no such signature file/],
  ])('%s', async (_what, args, message) => {
    const r = await audit(...args);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(errText()).toMatch(message);
  });
});
