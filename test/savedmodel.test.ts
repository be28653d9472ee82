/**
 * TensorFlow SavedModel without TensorFlow: models built from the .proto definitions
 * (test/support/savedmodel-writer.ts) in the layouts TF1 and TF2 write. Benign ones (with their
 * saver) are safe; T57 ops in the graph and in the function library are found, judged by what they
 * do; Keras Lambda layers in keras_metadata.pb and in the object graph are reported.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import {
  findKerasLambdas,
  parseSavedModel,
  sniffTensorflow,
  TF_OP_RISKS,
  TF_STANDARD_OPS,
} from '../src/formats/savedmodel/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import { savedModelHandler } from '../src/scanners/savedmodel/index.js';
import { sniff } from '../src/scanners/sniff.js';
import { type Recording, ruleIds, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { graph as onnxGraph, model as onnxModel, node as onnxNode } from './support/onnx-writer.js';
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
import { tempDir } from './support/temp.js';

async function scan(bytes: Uint8Array): Promise<Recording> {
  return scanWith(savedModelHandler, new MemorySource(bytes));
}

function atOrAbove(rec: Recording, s: 'medium' | 'high' | 'critical') {
  const order = ['info', 'low', 'medium', 'high', 'critical'];
  return rec.findings.filter((f) => order.indexOf(f.severity) >= order.indexOf(s));
}

describe('benign SavedModels', () => {
  it('a TF2 model with its traced saver is safe (checkpoint ops in the saver are info)', async () => {
    const rec = await scan(benignTf2());
    expect(atOrAbove(rec, 'medium')).toEqual([]);
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['savedmodel/checkpoint-io', 'info']]);
    expect(rec.findings[0]?.message).toContain('SaveV2, MergeV2Checkpoints, RestoreV2');
  });

  it('a TF1 model with its save/ scope is safe', async () => {
    const rec = await scan(benignTf1());
    expect(atOrAbove(rec, 'medium')).toEqual([]);
  });

  it('the walker sees meta graphs, functions, every op and the saver scope', () => {
    const info = parseSavedModel(new MemorySource(benignTf1()));
    expect(info.schemaVersion).toBe(1);
    expect(info.metaGraphs[0]).toMatchObject({
      tags: ['serve'],
      tensorflowVersion: '1.15.0',
      saverScope: 'save/',
    });
    expect(info.ops.map((o) => o.op)).toContain('RestoreV2');
    const tf2 = parseSavedModel(new MemorySource(benignTf2()), new Set(['SaveV2']));
    expect(tf2.functions.map((f) => f.name)).toContain('__inference__traced_save_300');
    expect(tf2.detailNodes).toEqual([
      expect.objectContaining({ op: 'SaveV2', fn: '__inference__traced_save_300', name: 'SaveV2' }),
    ]);
  });

  it('scans from disk as format savedmodel by content (no file name needed)', async () => {
    const tmp = tempDir('modelguard-sm-');
    const p = tmp.write('export/1/model.bin', benignTf2());
    const report = await scanPaths([p], { hash: false });
    expect(report.artifacts[0]).toMatchObject({ format: ['savedmodel'], verdict: 'safe' });
  });
});

describe('T57: file, Python and network ops', () => {
  it('ReadFile in the top-level graph is high', async () => {
    const rec = await scan(benignTf1([nodeDef('steal', 'ReadFile', ['path']), nodeDef('path', 'Const')]));
    expect(atOrAbove(rec, 'medium').map((f) => [f.ruleId, f.severity])).toEqual([
      ['savedmodel/file-op', 'high'],
    ]);
    expect(rec.findings.find((f) => f.ruleId === 'savedmodel/file-op')?.message).toMatch(
      /ReadFile \(1 node\) reads the file named by its input tensor/,
    );
  });

  it('WriteFile hidden in a library function is high, with the function named', async () => {
    const evil = functionDef('__inference_serving_default_999', [
      nodeDef('w', 'WriteFile', ['fn', 'contents']),
    ]);
    const rec = await scan(benignTf2([], [evil]));
    const f = rec.findings.find((x) => x.ruleId === 'savedmodel/file-op');
    expect(f?.severity).toBe('high');
    expect(f?.message).toMatch(/WriteFile/);
  });

  it('PyFunc, PyFuncStateless and EagerPyFunc are critical', async () => {
    for (const op of ['PyFunc', 'PyFuncStateless', 'EagerPyFunc']) {
      const evil = functionDef('__inference_f_1', [nodeDef('p', op, ['x'], { token: { s: 'pyfunc_0' } })]);
      const rec = await scan(benignTf2([], [evil]));
      expect(
        atOrAbove(rec, 'medium').map((x) => [x.ruleId, x.severity]),
        op,
      ).toEqual([['savedmodel/python-op', 'critical']]);
    }
  });

  it('MatchingFiles and ImmutableConst read the file system; evidence names the node and its attributes', async () => {
    const tmp = tempDir('modelguard-sm-');
    const p = tmp.write(
      'saved_model.pb',
      benignTf1([
        nodeDef('glob', 'MatchingFiles', ['pattern']),
        nodeDef('mm', 'ImmutableConst', [], { memory_region_name: { s: '/etc/shadow' } }),
      ]),
    );
    const report = await scanPaths([p], { hash: false });
    const hits = report.findings.filter((f) => f.ruleId === 'savedmodel/file-op');
    expect(hits.map((f) => f.severity)).toEqual(['high', 'high']);
    expect(hits.find((f) => f.message.includes('ImmutableConst'))?.evidence).toBe(
      'meta_graph[0] graph node "mm"; attrs memory_region_name="/etc/shadow"',
    );
    expect(report.artifacts[0]?.verdict).toBe('unsafe');
  });

  it('checkpoint ops outside the saver are file writes (SaveV2 in a serving function)', async () => {
    const evil = functionDef('__inference_serving_default_7', [nodeDef('SaveV2', 'SaveV2', ['prefix'])]);
    const rec = await scan(benignTf2([], [evil]));
    const high = atOrAbove(rec, 'high');
    expect(high.map((f) => f.ruleId)).toEqual(['savedmodel/file-op']);
    expect(high[0]?.message).toMatch(/outside the model's saver/);
    // The real saver's ops stay info.
    expect(rec.findings.some((f) => f.ruleId === 'savedmodel/checkpoint-io')).toBe(true);
  });

  it('a TF1 node outside the save/ scope with RestoreV2 is high', async () => {
    const rec = await scan(benignTf1([nodeDef('grab/RestoreV2', 'RestoreV2', ['p'])]));
    expect(atOrAbove(rec, 'high').map((f) => f.ruleId)).toEqual(['savedmodel/file-op']);
  });

  it('PrintV2 to file:// is high, to stderr nothing; DecodeProtoV2 with a descriptor file is medium', async () => {
    const rec = await scan(
      benignTf1([
        nodeDef('p1', 'PrintV2', ['s'], { output_stream: { s: 'file:///root/.bashrc' } }),
        nodeDef('p2', 'PrintV2', ['s'], { output_stream: { s: 'stderr' } }),
        nodeDef('d', 'DecodeProtoV2', ['b'], {
          descriptor_source: { s: '/tmp/evil.desc' },
          message_type: { s: 'x.Y' },
        }),
      ]),
    );
    const f = rec.findings.filter((x) => x.ruleId === 'savedmodel/file-op');
    expect(f.map((x) => [x.severity, x.message.match(/op (\w+)/)?.[1]])).toEqual([
      ['high', 'PrintV2'],
      ['medium', 'DecodeProtoV2'],
    ]);
  });

  it('vocabulary reads are medium; network ops are high', async () => {
    const rec = await scan(
      benignTf1([
        nodeDef('vocab', 'InitializeTableFromTextFileV2', ['table', 'asset']),
        nodeDef('rpc', 'Rpc', ['address', 'method', 'request']),
        nodeDef('creds', 'GcsConfigureCredentials', ['json']),
      ]),
    );
    expect(
      rec.findings.filter((f) => f.ruleId !== 'savedmodel/checkpoint-io').map((f) => [f.ruleId, f.severity]),
    ).toEqual([
      ['savedmodel/file-op', 'medium'],
      ['savedmodel/network-op', 'high'],
      ['savedmodel/network-op', 'high'],
    ]);
  });

  it('an op outside the standard set is medium, a call to a library function is not', async () => {
    const rec = await scan(
      benignTf2([nodeDef('x', 'MyCustomKernel'), nodeDef('call', '__inference_serving_default_145', ['x'])]),
    );
    expect(atOrAbove(rec, 'medium').map((f) => [f.ruleId, f.severity])).toEqual([
      ['savedmodel/unknown-op', 'medium'],
    ]);
    expect(rec.findings.find((f) => f.ruleId === 'savedmodel/unknown-op')?.message).toContain(
      '"MyCustomKernel"',
    );
  });

  it('an asset file name that climbs out of assets/ is high', async () => {
    const graph = graphDef([nodeDef('t', 'InitializeTableFromTextFileV2', ['h', 'asset_path'])]);
    const bytes = savedModel([
      metaGraph({ graph, assets: ['vocab.txt', '../../../../home/user/.aws/credentials'] }),
    ]);
    const rec = await scan(bytes);
    const hit = rec.findings.filter((f) => f.ruleId === 'savedmodel/file-op' && f.severity === 'high');
    expect(hit).toHaveLength(1);
    expect(hit[0]?.message).toMatch(/escapes the assets\/ folder/);
  });

  it('ops in every meta graph are walked', async () => {
    const bytes = savedModel([
      metaGraph({ graph: graphDef([nodeDef('a', 'Add')]) }),
      metaGraph({ graph: graphDef([nodeDef('r', 'ReadFile')]), tags: ['train'] }),
    ]);
    expect(ruleIds(await scan(bytes))).toEqual(['savedmodel/file-op']);
  });
});

describe('Keras metadata (T51/T52)', () => {
  const lambdaModel = JSON.stringify({
    class_name: 'Sequential',
    config: {
      name: 'seq',
      layers: [{ class_name: 'Dense', config: { name: 'd' } }, JSON.parse(lambdaLayerJson('evil'))],
    },
  });

  it('keras_metadata.pb with a marshalled Lambda is high', async () => {
    const bytes = kerasMetadata([
      { path: 'root', identifier: '_tf_keras_sequential', metadata: lambdaModel },
      { path: 'root.layer-0', identifier: '_tf_keras_layer', metadata: '{"class_name": "Dense"}' },
    ]);
    expect(sniffTensorflow(bytes.subarray(0, 512))).toBe('keras-metadata');
    expect(sniff(bytes.subarray(0, 512))).toBe('savedmodel');
    const rec = await scan(bytes);
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['savedmodel/keras-lambda', 'high']]);
    expect(rec.findings[0]?.message).toMatch(
      /Lambda layer "evil" \(_tf_keras_sequential root\) with marshalled Python bytecode/,
    );
  });

  it('a Lambda naming a function is medium; nested models are searched', () => {
    const fnLambda = {
      class_name: 'Functional',
      config: {
        layers: [
          {
            class_name: 'Sequential',
            config: {
              layers: [
                {
                  class_name: 'Lambda',
                  config: { name: 'l', function: 'my_fn', function_type: 'function', module: 'pkg.mod' },
                },
              ],
            },
          },
        ],
      },
    };
    const { lambdas } = findKerasLambdas(JSON.stringify(fnLambda), 100);
    expect(lambdas).toEqual([
      { layer: 'l', functionType: 'function', bytecode: false, module: 'pkg.mod', functionName: 'my_fn' },
    ]);
  });

  it('Lambda metadata in the object graph of saved_model.pb (TF ≤ 2.4) is found', async () => {
    const graph = graphDef([nodeDef('x', 'Placeholder')]);
    const bytes = savedModel([
      metaGraph({
        graph,
        userObjects: [{ identifier: '_tf_keras_layer', metadata: lambdaLayerJson('inner') }],
      }),
    ]);
    const rec = await scan(bytes);
    expect(rec.findings.map((f) => f.ruleId)).toEqual(['savedmodel/keras-lambda']);
  });

  it('invalid or too deep Keras JSON is reported, not parsed blindly', async () => {
    const bad = kerasMetadata([{ path: 'root', identifier: '_tf_keras_model', metadata: '{"class_name": ' }]);
    expect((await scan(bad)).findings.map((f) => [f.ruleId, f.severity])).toEqual([
      ['savedmodel/malformed', 'medium'],
    ]);
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const rec = await scan(kerasMetadata([{ path: 'root', identifier: '_tf_keras_model', metadata: deep }]));
    expect(rec.findings.map((f) => f.ruleId)).toEqual(['savedmodel/limit-exceeded']);
  });
});

describe('op facts', () => {
  it('every risky op counts as known, and common TF2 ops are standard', () => {
    for (const op of Object.keys(TF_OP_RISKS)) expect(TF_STANDARD_OPS.has(op), op).toBe(true);
    for (const op of [
      'StatefulPartitionedCall',
      'VarHandleOp',
      'ReadVariableOp',
      'MatMul',
      'Conv2D',
      'StatelessIf',
    ])
      expect(TF_STANDARD_OPS.has(op), op).toBe(true);
    expect(TF_STANDARD_OPS.has('ShellExec')).toBe(false);
  });
});

describe('sniffing', () => {
  it('claims SavedModels (TF1, TF2, schema version omitted) and not ONNX, pickles or text', () => {
    expect(sniff(benignTf1().subarray(0, 512))).toBe('savedmodel');
    expect(sniff(benignTf2().subarray(0, 512))).toBe('savedmodel');
    const noVersion = savedModel([metaGraph({ graph: graphDef([nodeDef('a', 'Add')]) })]).subarray(2);
    expect(sniffTensorflow(noVersion)).toBe('saved-model');
    expect(sniffTensorflow(onnxModel({ graph: onnxGraph([onnxNode({ op: 'Relu' })]) }))).toBeUndefined();
    expect(sniffTensorflow(SYSTEM_ID_PICKLE)).toBeUndefined();
    expect(sniffTensorflow(new TextEncoder().encode('\b\u0001\u0012 not a model at all'))).toBeUndefined();
  });
});
