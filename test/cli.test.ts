import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pickleCall } from '../src/formats/pickle/assembler.js';
import { tempDir } from './support/temp.js';

const BIN = new URL('../bin/modelguard.js', import.meta.url).pathname;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr, signal: r.signal };
}

const tmp = tempDir();
const evil = tmp.write('evil.pkl', pickleCall('posix', 'system', 'echo modelguard-test'));
const unknown = tmp.write('inhouse.pkl', pickleCall('mycompany.layers', 'Block'));
const benign = tmp.write('plain', new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e])); // PROTO 4, BININT1 7, STOP

describe('modelguard scan exit codes', () => {
  it('0 when nothing is at or above --fail-on', () => {
    expect(cli('scan', benign).code).toBe(0);
    expect(cli('scan', unknown).code).toBe(0); // medium < high
    expect(cli('scan', evil, '--fail-on', 'never').code).toBe(0);
  });
  it('1 when a finding is at or above --fail-on', () => {
    const r = cli('scan', evil);
    expect(r.code).toBe(1);
    expect(r.out).toContain("posix.system('echo modelguard-test')");
    expect(cli('scan', unknown, '--fail-on', 'medium').code).toBe(1);
  });
  it('2 on usage errors', () => {
    expect(cli('scan', join(tmp.dir, 'does-not-exist')).code).toBe(2);
    expect(cli('scan', evil, '--format', 'xml').code).toBe(2);
    expect(cli('scan', evil, '--fail-on', 'severe').code).toBe(2);
    expect(cli('scan', evil, '--limit', 'noSuchLimit=3').code).toBe(2);
    expect(cli('scan').code).toBe(2);
    expect(cli('frobnicate').code).toBe(2);
  });
  it('--policy extends the allowlist for in-house classes', () => {
    const policy = tmp.write('policy.json', JSON.stringify({ allow: ['mycompany.layers:*'] }));
    const r = cli('scan', unknown, '--fail-on', 'medium', '--policy', policy, '--format', 'json');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as { artifacts: { verdict: string }[] };
    expect(report.artifacts[0]?.verdict).toBe('safe');
    const bad = tmp.write('bad-policy.json', '{"allow": 3}');
    expect(cli('scan', unknown, '--policy', bad).code).toBe(2);
  });
  it('--output writes the report to a file and --format sarif writes SARIF', () => {
    const out = join(tmp.dir, 'report.sarif');
    const r = cli('scan', tmp.dir, '--format', 'sarif', '--output', out);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    const sarif = JSON.parse(readFileSync(out, 'utf8')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
  });
  it('--version prints the package version', () => {
    const r = cli('--version');
    expect(r.code).toBe(0);
    expect(r.out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('process lifetime', () => {
  it('exits as soon as the scan is done, even after starting the HDF5 worker (.keras)', () => {
    const keras = new URL('./fixtures/keras/malicious/popen.keras', import.meta.url).pathname;
    const started = Date.now();
    const r = cli('scan', keras);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
