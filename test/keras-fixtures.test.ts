/**
 * Keras fixtures (scripts/fixtures/make_keras_fixtures.py: h5py and zipfile writing what Keras 2 and 3
 * write; never loaded) scanned end to end with scanPaths: benign models are safe with nothing at medium
 * or above, each malicious technique gets its rule at its severity.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/finding.js';
import { atLeast, type Severity } from '../src/core/severity.js';
import { scanPaths } from '../src/scanners/engine.js';
import { checkReport, describeReport } from './corpus/check.js';

const DIR = join(import.meta.dirname, 'fixtures', 'keras');

async function scan(rel: string) {
  const report = await scanPaths([join(DIR, rel)], { failOn: 'never' });
  return { report, text: describeReport(report) };
}

function has(findings: readonly Finding[], rule: string, severity: Severity, mention?: string): boolean {
  return findings.some(
    (f) =>
      f.ruleId === rule &&
      f.severity === severity &&
      (mention === undefined || f.message.includes(mention) || (f.evidence ?? '').includes(mention)),
  );
}

describe('benign Keras fixtures', () => {
  const files = [
    ['benign/sequential_keras2.h5', 'keras-h5'],
    ['benign/functional_keras2.h5', 'keras-h5'],
    ['benign/weights_only_keras2.h5', 'keras-weights'],
    ['benign/model.weights.h5', 'hdf5'],
    ['benign/sequential.keras', 'keras'],
    ['benign/functional.keras', 'keras'],
  ] as const;

  it.each(files)('%s is safe and recognised as %s', async (rel, format) => {
    const { report, text } = await scan(rel);
    expect(checkReport(report, 'safe'), text).toEqual([]);
    expect(
      report.findings.filter((f) => atLeast(f.severity, 'low')),
      text,
    ).toEqual([]);
    expect(report.artifacts[0]?.format, text).toContain(format);
  });

  it('a model.to_json() architecture in a folder is safe', async () => {
    const { report, text } = await scan('benign/architecture');
    expect(checkReport(report, 'safe'), text).toEqual([]);
  });

  it('the whole benign folder scans safe', async () => {
    const { report, text } = await scan('benign');
    expect(report.summary.byVerdict.safe, text).toBe(report.artifacts.length);
    expect(
      report.findings.filter((f) => atLeast(f.severity, 'medium')),
      text,
    ).toEqual([]);
  });
});

describe('malicious Keras fixtures', () => {
  const cases: [string, string, string, Severity, string | undefined][] = [
    ['T51', 'malicious/lambda_keras2.h5', 'keras/lambda', 'critical', 'system'],
    ['T51', 'malicious/lambda.keras', 'keras/lambda', 'critical', "'echo modelguard-test'"],
    ['T51', 'malicious/lambda_harmless.h5', 'keras/lambda', 'critical', 'names: (none)'],
    ['T51', 'malicious/lambda_harmless.h5', 'keras/custom-object', 'low', 'focal_loss_custom'],
    ['T51', 'malicious/architecture', 'keras/lambda', 'critical', 'model_from_json'],
    [
      'T52',
      'malicious/lambda_nested.h5',
      'keras/lambda',
      'critical',
      'layers[1].config.layers[1].config.layer',
    ],
    ['T52', 'malicious/tfoplambda_custom.h5', 'keras/tf-op-lambda', 'high', 'io.write_file'],
    ['T52', 'malicious/tfoplambda_custom.h5', 'keras/custom-object', 'medium', 'MyPackage>Scale'],
    ['T52', 'malicious/tfoplambda_custom.h5', 'keras/dead-node', 'high', 'tf.io.write_file'],
    ['T53', 'malicious/safe_mode_ignored.h5', 'keras/lambda', 'critical', 'CVE-2025-9905'],
    ['T54', 'malicious/popen.keras', 'keras/foreign-class', 'critical', 'subprocess.Popen'],
    ['T54', 'malicious/function_type.keras', 'keras/foreign-class', 'critical', 'types.FunctionType'],
    ['T55', 'malicious/get_file.keras', 'keras/remote-download', 'high', 'https://attacker.example'],
    ['T55', 'malicious/unsafe_toggle.keras', 'keras/unsafe-deserialization', 'critical', 'CVE-2025-9906'],
    ['T55', 'malicious/unsafe_toggle.keras', 'keras/lambda', 'critical', undefined],
    ['T55', 'malicious/dead_nodes.keras', 'keras/dead-node', 'high', 'unused (Dense)'],
    ['T55', 'malicious/dead_nodes.keras', 'keras/function-layer', 'high', 'set_dtype_policy'],
    ['T56', 'malicious/tfsm_layer.keras', 'keras/tfsm-layer', 'high', '../exported_savedmodel'],
    ['T49', 'malicious/torch_module_wrapper.keras', 'keras/torch-module', 'medium', 'CVE-2025-49655'],
    ['T49', 'malicious/torch_module_wrapper.keras', 'pickle/dangerous-global', 'critical', 'posix.system'],
    ['T58', 'malicious/yaml_model', 'configs/yaml-python-tag', 'critical', 'os.system'],
    ['user block', 'userblock', 'hdf5/user-block', 'medium', '512-byte'],
    ['user block', 'userblock', 'keras/lambda', 'critical', 'system'],
  ];

  it.each(cases)('%s %s: %s at %s', async (_t, rel, rule, severity, mention) => {
    const { report, text } = await scan(rel);
    expect(checkReport(report, 'unsafe'), text).toEqual([]);
    expect(has(report.findings, rule, severity, mention), text).toBe(true);
  });

  it('the TorchModuleWrapper payload is scanned as a member, down to its data.pkl', async () => {
    const { report, text } = await scan('malicious/torch_module_wrapper.keras');
    const f = report.findings.find((x) => x.ruleId === 'pickle/dangerous-global');
    expect(f?.location.member, text).toBe('<TorchModuleWrapper>!/archive/data.pkl');
    expect(report.artifacts[0]?.format, text).toEqual(
      expect.arrayContaining(['keras', 'pytorch-zip', 'pickle']),
    );
  });

  it('messages on H5 files say that H5 loading ignores safe_mode', async () => {
    for (const rel of ['malicious/lambda_keras2.h5', 'malicious/lambda_nested.h5']) {
      const { report } = await scan(rel);
      const lambda = report.findings.find((f) => f.ruleId === 'keras/lambda');
      expect(lambda?.message).toContain('ignores safe_mode');
    }
  });
});
