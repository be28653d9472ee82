/**
 * Committed SavedModel and TFLite fixtures (test/fixtures/savedmodel, test/fixtures/tflite), one per
 * technique, built by the TS writers in test/support from the .proto / .fbs definitions (TensorFlow is
 * not installed). Golden files: the test fails when a fixture differs from what its builder makes now;
 * MODELGUARD_WRITE_FIXTURES=1 rewrites them. Each is scanned from disk and must give its verdict/rule.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_OPERATORS } from '../src/formats/tflite/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import {
  benignTf1,
  benignTf2,
  functionDef,
  graphDef,
  kerasMetadata,
  lambdaLayerJson,
  metaGraph,
  nodeDef,
  savedModel,
} from './support/savedmodel-writer.js';
import { tfliteModel } from './support/tflite-writer.js';

const ROOT = join(import.meta.dirname, 'fixtures');
const WRITE = process.env['MODELGUARD_WRITE_FIXTURES'] === '1';
const CUSTOM = BUILTIN_OPERATORS.indexOf('CUSTOM');
const CONV = BUILTIN_OPERATORS.indexOf('CONV_2D');

type Expect = { verdict: 'safe' | 'suspicious' | 'unsafe'; rule?: string; severity?: string };

const FIXTURES: Array<[string, () => Uint8Array, Expect]> = [
  ['savedmodel/benign/tf2/saved_model.pb', () => benignTf2(), { verdict: 'safe' }],
  ['savedmodel/benign/tf1/saved_model.pb', () => benignTf1(), { verdict: 'safe' }],
  [
    'savedmodel/benign/keras/keras_metadata.pb',
    () =>
      kerasMetadata([
        {
          path: 'root',
          identifier: '_tf_keras_sequential',
          metadata: '{"class_name": "Sequential", "config": {"layers": [{"class_name": "Dense"}]}}',
        },
      ]),
    { verdict: 'safe' },
  ],
  [
    'savedmodel/malicious/readfile_in_graph/saved_model.pb',
    () => benignTf1([nodeDef('exfil/path', 'Const'), nodeDef('exfil/ReadFile', 'ReadFile', ['exfil/path'])]),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/readfile_in_function/saved_model.pb',
    () =>
      benignTf2(
        [],
        [functionDef('__inference_serving_default_146', [nodeDef('ReadFile', 'ReadFile', ['path'])])],
      ),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/writefile_in_graph/saved_model.pb',
    () => benignTf1([nodeDef('drop', 'WriteFile', ['fname', 'contents'])]),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/writefile_in_function/saved_model.pb',
    () =>
      benignTf2(
        [],
        [functionDef('__inference_serving_default_999', [nodeDef('w', 'WriteFile', ['fn', 'contents'])])],
      ),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/pyfunc_in_graph/saved_model.pb',
    () => benignTf1([nodeDef('py', 'PyFunc', ['x'], { token: { s: 'pyfunc_0' } })]),
    { verdict: 'unsafe', rule: 'savedmodel/python-op', severity: 'critical' },
  ],
  [
    'savedmodel/malicious/eagerpyfunc_in_function/saved_model.pb',
    () =>
      benignTf2(
        [],
        [
          functionDef('__inference_call_77', [
            nodeDef('py', 'EagerPyFunc', ['x'], { token: { s: 'pyfunc_3' } }),
          ]),
        ],
      ),
    { verdict: 'unsafe', rule: 'savedmodel/python-op', severity: 'critical' },
  ],
  [
    'savedmodel/malicious/matchingfiles/saved_model.pb',
    () => benignTf1([nodeDef('glob', 'MatchingFiles', ['pattern'])]),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/savev2_outside_saver/saved_model.pb',
    () =>
      benignTf2(
        [],
        [functionDef('__inference_serving_default_7', [nodeDef('SaveV2', 'SaveV2', ['prefix'])])],
      ),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/printv2_to_file/saved_model.pb',
    () => benignTf1([nodeDef('p', 'PrintV2', ['s'], { output_stream: { s: 'file:///home/user/.bashrc' } })]),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/rpc/saved_model.pb',
    () => benignTf1([nodeDef('call', 'Rpc', ['address', 'method', 'request'])]),
    { verdict: 'unsafe', rule: 'savedmodel/network-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/custom_op/saved_model.pb',
    () => benignTf2([nodeDef('x', 'ShellExec', ['cmd'])]),
    { verdict: 'suspicious', rule: 'savedmodel/unknown-op', severity: 'medium' },
  ],
  [
    'savedmodel/malicious/asset_traversal/saved_model.pb',
    () =>
      savedModel([
        metaGraph({
          graph: graphDef([nodeDef('t', 'InitializeTableFromTextFileV2', ['h', 'asset_path'])]),
          assets: ['../../../../home/user/.aws/credentials'],
        }),
      ]),
    { verdict: 'unsafe', rule: 'savedmodel/file-op', severity: 'high' },
  ],
  [
    'savedmodel/malicious/keras_lambda/keras_metadata.pb',
    () =>
      kerasMetadata([
        { path: 'root.layer-1', identifier: '_tf_keras_layer', metadata: lambdaLayerJson('lambda') },
      ]),
    { verdict: 'unsafe', rule: 'savedmodel/keras-lambda', severity: 'high' },
  ],
  [
    'savedmodel/malicious/keras_lambda_object_graph/saved_model.pb',
    () =>
      savedModel([
        metaGraph({
          graph: graphDef([nodeDef('x', 'Placeholder')]),
          userObjects: [{ identifier: '_tf_keras_layer', metadata: lambdaLayerJson('inner') }],
        }),
      ]),
    { verdict: 'unsafe', rule: 'savedmodel/keras-lambda', severity: 'high' },
  ],
  [
    'savedmodel/malicious/truncated/saved_model.pb',
    () => benignTf2().subarray(0, 700),
    { verdict: 'unsafe', rule: 'savedmodel/malformed', severity: 'high' },
  ],
  [
    'tflite/benign/conv_add.tflite',
    () =>
      tfliteModel({
        opcodes: [{ builtin: CONV }, { builtin: 0 }],
        operators: [[0, 1]],
        buffers: [new Uint8Array(0), new Uint8Array(36).fill(1)],
      }),
    { verdict: 'safe' },
  ],
  [
    'tflite/malicious/custom_op.tflite',
    () =>
      tfliteModel({
        opcodes: [{ builtin: 0 }, { builtin: CUSTOM, custom: 'Backdoor' }],
        operators: [[0, 1]],
      }),
    { verdict: 'suspicious', rule: 'tflite/custom-op', severity: 'medium' },
  ],
  [
    'tflite/malicious/flex_readfile.tflite',
    () => tfliteModel({ opcodes: [{ builtin: CUSTOM, custom: 'FlexReadFile' }], operators: [[0]] }),
    { verdict: 'unsafe', rule: 'tflite/flex-op', severity: 'high' },
  ],
  [
    'tflite/malicious/flex_writefile.tflite',
    () => tfliteModel({ opcodes: [{ builtin: CUSTOM, custom: 'FlexWriteFile' }], operators: [[0]] }),
    { verdict: 'unsafe', rule: 'tflite/flex-op', severity: 'high' },
  ],
  [
    'tflite/malicious/flex_hidden_nodedef.tflite',
    () =>
      tfliteModel({
        opcodes: [{ builtin: CUSTOM, custom: 'FlexAddV2', nodeDefOp: 'WriteFile' }],
        operators: [[0]],
      }),
    { verdict: 'unsafe', rule: 'tflite/flex-op', severity: 'high' },
  ],
  [
    'tflite/malicious/bad_opcode_index.tflite',
    () => tfliteModel({ opcodes: [{ builtin: 0 }], operators: [[0, 7]] }),
    { verdict: 'suspicious', rule: 'tflite/malformed', severity: 'medium' },
  ],
  [
    'tflite/malicious/truncated.tflite',
    () => tfliteModel({ opcodes: [{ builtin: 0 }], operators: [[0]] }).subarray(0, 120),
    { verdict: 'unsafe', rule: 'tflite/malformed', severity: 'high' },
  ],
];

describe('committed SavedModel / TFLite fixtures', () => {
  it.each(FIXTURES)('%s', async (rel, build, want) => {
    const path = join(ROOT, rel);
    const bytes = build();
    if (WRITE) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, bytes);
    }
    expect(
      new Uint8Array(readFileSync(path)),
      `${rel} differs from its builder (MODELGUARD_WRITE_FIXTURES=1)`,
    ).toEqual(bytes);
    const report = await scanPaths([path], { hash: false, failOn: 'never' });
    const a = report.artifacts[0];
    expect(a?.format).toEqual([rel.startsWith('tflite') ? 'tflite' : 'savedmodel']);
    expect(a?.verdict, JSON.stringify(report.findings)).toBe(want.verdict);
    if (want.rule !== undefined)
      expect(report.findings.map((f) => [f.ruleId, f.severity])).toContainEqual([want.rule, want.severity]);
  });
});
