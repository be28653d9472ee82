/**
 * ONNX: real models from python3-onnx / torch (scripts/fixtures/make_onnx_fixtures.py) scan clean;
 * each malicious fixture triggers its rule (T59 traversal forms, T60 links and ranges, T61 custom
 * ops in the graph, a branch and a function); structural checks on TS-built models; sniffing.
 */
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource, MemorySource } from '../src/core/source.js';
import { isOnnx, parseOnnx } from '../src/formats/onnx/index.js';
import { isSavedModel } from '../src/formats/savedmodel/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import { onnxHandler } from '../src/scanners/onnx/index.js';
import { sniff } from '../src/scanners/sniff.js';
import { ruleIds, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { fn, graph, model, nestedIfs, node, pb, tensor } from './support/onnx-writer.js';
import { benignTf2 } from './support/savedmodel-writer.js';
import { tempDir } from './support/temp.js';
import { buildZip } from './support/zip-writer.js';

const DIR = join(import.meta.dirname, 'fixtures', 'onnx');
const benign = readdirSync(join(DIR, 'benign'))
  .filter((f) => f.endsWith('.onnx'))
  .map((f) => join('benign', f));
benign.push(join('benign', 'external', 'model.onnx'));

async function scanFile(path: string) {
  const report = await scanPaths([path], { hash: false, failOn: 'never' });
  return {
    report,
    findings: report.findings,
    verdict: report.artifacts[0]?.verdict,
    format: report.artifacts[0]?.format,
  };
}

describe('benign ONNX models made by torch / onnx', () => {
  it('are present', () => {
    expect(benign.length).toBeGreaterThanOrEqual(10);
  });

  it.each(benign)('%s is recognised and safe, nothing at medium or above', async (rel) => {
    const { findings, verdict, format } = await scanFile(join(DIR, rel));
    expect(format).toEqual(['onnx']);
    expect(verdict).toBe('safe');
    expect(findings.filter((f) => ['critical', 'high', 'medium'].includes(f.severity))).toEqual([]);
  });

  it('the torch CNN is walked completely without reading weights', () => {
    const m = parseOnnx(new FileSource(join(DIR, 'benign', 'cnn.onnx')));
    expect(m.stopped).toBeUndefined();
    expect(m.producerName).toBe('pytorch');
    expect(m.ops.map((o) => o.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm', 'Softmax']);
    expect(m.stats.initializers).toBe(4);
    expect(m.stats.rawDataBytes).toBeGreaterThan(0);
    expect(m.anomalies).toEqual([]);
  });

  it('If/Loop bodies are walked, model-local functions and metadata are listed', async () => {
    const cf = parseOnnx(new FileSource(join(DIR, 'benign', 'control_flow.onnx')));
    expect(cf.stats.graphs).toBe(4);
    expect(cf.ops.find((o) => o.opType === 'Neg')?.where).toContain('If else_branch');
    const fnRec = await scanWith(onnxHandler, new FileSource(join(DIR, 'benign', 'local_function.onnx')));
    expect(ruleIds(fnRec)).toEqual(['onnx/model-function']);
    expect(fnRec.findings[0]?.message).toContain('local.fns.AddRelu (2 nodes)');
    const meta = await scanWith(onnxHandler, new FileSource(join(DIR, 'benign', 'metadata.onnx')));
    expect(meta.findings[0]).toMatchObject({ ruleId: 'onnx/metadata', severity: 'info' });
    expect(meta.findings[0]?.message).toContain('"license"="Apache-2.0"');
  });

  it('onnxruntime contrib ops are low, ai.onnx.ml ops are standard', async () => {
    const ort = await scanFile(join(DIR, 'benign', 'ort_contrib.onnx'));
    expect(ort.findings.map((f) => [f.ruleId, f.severity])).toEqual([['onnx/custom-op', 'low']]);
    expect((await scanFile(join(DIR, 'benign', 'ml_ops.onnx'))).findings).toEqual([]);
  });

  it('external weights next to the model are resolved and size-checked', async () => {
    const { findings } = await scanFile(join(DIR, 'benign', 'external', 'model.onnx'));
    expect(findings).toEqual([]);
  });
});

const MALICIOUS: Array<[string, string, string, RegExp]> = [
  ['external_dotdot.onnx', 'onnx/external-data-traversal', 'high', /'\.\.' path segment, resolving outside/],
  ['external_absolute.onnx', 'onnx/external-data-traversal', 'high', /absolute path/],
  ['external_subdir_dotdot.onnx', 'onnx/external-data-traversal', 'high', /subdir\/\.\.\/\.\./],
  ['external_windows.onnx', 'onnx/external-data-traversal', 'high', /drive-letter path/],
  ['external_huge_range.onnx', 'onnx/external-data-range', 'medium', /beyond 2\^53/],
  ['external_missing.onnx', 'onnx/external-data-missing', 'low', /missing_weights\.bin/],
  ['custom_domain.onnx', 'onnx/custom-op', 'medium', /custom operator domain "com\.evil\.ops"/],
  [
    'unknown_default_op.onnx',
    'onnx/custom-op',
    'medium',
    /"ExecShell", which is not an operator of the default ONNX domain/,
  ],
  ['custom_op_in_if_branch.onnx', 'onnx/custom-op', 'medium', /com\.evil\.ops/],
  ['custom_op_in_function.onnx', 'onnx/custom-op', 'medium', /com\.evil\.ops/],
  ['raw_data_oversized.onnx', 'onnx/size-anomaly', 'medium', /need 16 bytes but raw_data holds 49/],
  ['huge_dims.onnx', 'onnx/size-anomaly', 'medium', /exhausts memory/],
];

describe('malicious ONNX fixtures (one per technique)', () => {
  it.each(MALICIOUS)('%s → %s (%s)', async (file, rule, severity, message) => {
    const { findings, format } = await scanFile(join(DIR, 'malicious', file));
    expect(format).toEqual(['onnx']);
    const hit = findings.find((f) => f.ruleId === rule);
    expect(hit, JSON.stringify(findings)).toBeDefined();
    expect(hit?.severity).toBe(severity);
    expect(hit?.message).toMatch(message);
  });

  it('evidence says where a hidden op sits (If branch, function body)', async () => {
    const branch = await scanFile(join(DIR, 'malicious', 'custom_op_in_if_branch.onnx'));
    expect(branch.findings[0]?.evidence).toContain('If then_branch');
    const inFn = await scanFile(join(DIR, 'malicious', 'custom_op_in_function.onnx'));
    expect(inFn.findings.find((f) => f.ruleId === 'onnx/custom-op')?.evidence).toContain(
      'inside a model-local function',
    );
  });

  it('the whole malicious folder fails the default --fail-on high', async () => {
    const report = await scanPaths([join(DIR, 'malicious')], { hash: false });
    expect(report.summary.failed).toBe(true);
  });
});

describe('external data on disk (T60)', () => {
  const tmp = tempDir('modelguard-onnx-');
  const ext = (location: string, extra: Record<string, string> = {}) =>
    model({
      graph: graph(
        [node({ op: 'Add', inputs: ['x', 'w'] })],
        [tensor({ name: 'w', dims: [4], external: { location, ...extra } })],
      ),
    });

  it('a symlinked external file pointing outside the model folder is high', async () => {
    const outside = tmp.write('secrets/credentials', 'aws_secret_access_key=…');
    const model1 = tmp.write('m1/model.onnx', ext('weights.bin'));
    symlinkSync(outside, join(tmp.dir, 'm1', 'weights.bin'));
    const { findings } = await scanFile(model1);
    expect(findings.map((f) => [f.ruleId, f.severity])).toEqual([['onnx/external-data-symlink', 'high']]);
    expect(findings[0]?.message).toMatch(/outside the model folder/);
  });

  it('a link through a parent folder and a dangling link are high too', async () => {
    mkdirSync(join(tmp.dir, 'm2'));
    symlinkSync('/etc', join(tmp.dir, 'm2', 'data'));
    const m2 = tmp.write('m2/model.onnx', ext('data/passwd'));
    expect((await scanFile(m2)).findings.map((f) => f.ruleId)).toEqual(['onnx/external-data-symlink']);
    const m3 = tmp.write('m3/model.onnx', ext('w.bin'));
    symlinkSync(join(tmp.dir, 'nowhere'), join(tmp.dir, 'm3', 'w.bin'));
    expect((await scanFile(m3)).findings.map((f) => f.ruleId)).toEqual(['onnx/external-data-symlink']);
  });

  it('a link that stays inside the folder is fine; a directory is not a regular file', async () => {
    const m4 = tmp.write('m4/model.onnx', ext('w.bin'));
    tmp.write('m4/real/w.bin', new Uint8Array(16));
    symlinkSync(join(tmp.dir, 'm4', 'real', 'w.bin'), join(tmp.dir, 'm4', 'w.bin'));
    expect((await scanFile(m4)).findings).toEqual([]);
    const m5 = tmp.write('m5/model.onnx', ext('sub'));
    mkdirSync(join(tmp.dir, 'm5', 'sub'));
    const f5 = (await scanFile(m5)).findings;
    expect(f5.map((f) => f.ruleId)).toEqual(['onnx/external-data-symlink']);
    expect(f5[0]?.message).toMatch(/is a directory/);
  });

  it('offset/length past the end of the external file, or not numbers, are reported', async () => {
    const m6 = tmp.write('m6/model.onnx', ext('w.bin', { offset: '8', length: '16' }));
    writeFileSync(join(tmp.dir, 'm6', 'w.bin'), new Uint8Array(16));
    const f6 = (await scanFile(m6)).findings;
    expect(f6.map((f) => [f.ruleId, f.severity])).toEqual([['onnx/external-data-range', 'medium']]);
    expect(f6[0]?.message).toMatch(/runs past the end of the 16-byte file/);
    const m7 = tmp.write('m7/model.onnx', ext('w.bin', { offset: '-1' }));
    writeFileSync(join(tmp.dir, 'm7', 'w.bin'), new Uint8Array(16));
    expect((await scanFile(m7)).findings[0]?.message).toMatch(/offset="-1" is not a decimal integer/);
  });

  it('external data whose size differs from dims × dtype is a size anomaly', async () => {
    const m8 = tmp.write('m8/model.onnx', ext('w.bin'));
    writeFileSync(join(tmp.dir, 'm8', 'w.bin'), new Uint8Array(64));
    const f8 = (await scanFile(m8)).findings;
    expect(f8.map((f) => f.ruleId)).toEqual(['onnx/size-anomaly']);
    expect(f8[0]?.message).toMatch(/need 16 bytes but the external data is 64 bytes/);
  });

  it('inside an archive only the location text is judged (no file system access)', async () => {
    const zip = buildZip([
      { name: 'm/model.onnx', data: ext('../../x') },
      { name: 'm/ok.onnx', data: ext('w.bin') },
    ]);
    const p = tmp.write('m9.zip', zip);
    const { findings } = await scanFile(p);
    expect(findings.map((f) => [f.ruleId, f.location.member])).toEqual([
      ['onnx/external-data-traversal', 'm/model.onnx'],
    ]);
  });

  it('NUL bytes and empty locations count as traversal; unmarked entries are still judged', async () => {
    const nul = await scanWith(onnxHandler, new MemorySource(ext('w.bin\u0000/../../etc/passwd')), {
      path: '/nonexistent/x.onnx',
    });
    expect(nul.findings[0]?.message).toMatch(/NUL byte/);
    const unmarked = model({
      graph: graph(
        [],
        [tensor({ name: 'w', dims: [1], external: { location: '/etc/shadow' }, markExternal: false })],
      ),
    });
    const rec = await scanWith(onnxHandler, new MemorySource(unmarked), { path: '/nonexistent/x.onnx' });
    expect(rec.findings[0]?.message).toMatch(/data_location is not EXTERNAL/);
  });

  it('bad dims do not hide an external-data traversal', async () => {
    const m = model({
      graph: graph([], [tensor({ name: 'w', dims: [-1, 4], external: { location: '../../etc/passwd' } })]),
    });
    const rec = await scanWith(onnxHandler, new MemorySource(m), { path: '/nonexistent/x.onnx' });
    expect(ruleIds(rec)).toEqual(['onnx/external-data-traversal', 'onnx/size-anomaly']);
  });

  it('a tensor marked EXTERNAL without a location is reported', async () => {
    const m = model({ graph: graph([], [tensor({ name: 'w', dims: [1], external: { offset: '0' } })]) });
    const rec = await scanWith(onnxHandler, new MemorySource(m), { path: '/nonexistent/x.onnx' });
    expect(rec.findings.map((f) => f.message)).toEqual([expect.stringMatching(/names no location/)]);
  });
});

describe('graph structure', () => {
  it('a custom op nested 10 If levels deep is found', async () => {
    const bytes = nestedIfs(10, node({ op: 'Steal', domain: 'evil', name: 'deep' }));
    const rec = await scanWith(onnxHandler, new MemorySource(bytes));
    expect(ruleIds(rec)).toEqual(['onnx/custom-op']);
    expect(rec.findings[0]?.message).toMatch(/"evil"/);
  });

  it('subgraphs deeper than maxGraphDepth are reported, not walked', () => {
    const m = parseOnnx(new MemorySource(nestedIfs(40, node({ op: 'Relu' }))));
    expect(m.stats.skippedGraphs).toBe(1);
    expect(m.anomalies[0]).toMatchObject({ kind: 'too-deep' });
    expect(m.anomalies[0]?.detail).toMatch(/levels …/);
  });

  it('node and tensor floods stop at their limits', () => {
    const many = graph(Array.from({ length: 50 }, () => node({ op: 'Relu' })));
    const m = parseOnnx(new MemorySource(model({ graph: many })), { maxNodes: 10 });
    expect(m.stopped).toMatchObject({ kind: 'limit', limit: 'maxNodes' });
    const inits = graph(
      [],
      Array.from({ length: 20 }, (_, i) => tensor({ name: `t${i}`, dims: [1], floats: [1] })),
    );
    expect(parseOnnx(new MemorySource(model({ graph: inits })), { maxTensors: 5 }).stopped?.limit).toBe(
      'maxTensors',
    );
  });

  it('a graph field given twice is merged, as protobuf parsers merge it', () => {
    const bytes = pb()
      .varint(1, 8)
      .msg(7, graph([node({ op: 'Relu' })]))
      .msg(7, graph([node({ op: 'Backdoor', domain: 'x.y' })]))
      .msg(8, pb().string(1, '').varint(2, 13))
      .build();
    const m = parseOnnx(new MemorySource(bytes));
    expect(m.ops.map((o) => o.opType)).toEqual(['Relu', 'Backdoor']);
  });

  it('the last domain field of a node wins; a wrongly typed domain is ignored like protobuf does', () => {
    const n = pb().string(4, 'Relu').string(7, 'evil').string(7, '');
    const m1 = parseOnnx(new MemorySource(model({ graph: pb().msg(1, n) })));
    expect(m1.ops[0]?.domain).toBe('');
    const n2 = pb().string(4, 'Relu').varint(7, 5);
    expect(parseOnnx(new MemorySource(model({ graph: pb().msg(1, n2) }))).ops[0]?.domain).toBe('');
  });

  it('typed data counts are checked: float_data, int64_data, wrong field', () => {
    const bad = model({ graph: graph([], [tensor({ name: 'f', dims: [3], floats: [1, 2] })]) });
    expect(parseOnnx(new MemorySource(bad)).anomalies[0]?.detail).toMatch(
      /need 3 values in float_data but it holds 2/,
    );
    const wrong = model({
      graph: graph([], [pb().varint(1, 2).varint(2, 7).msg(4, pb()).packed(5, [1, 2]).string(8, 'x')]),
    });
    expect(parseOnnx(new MemorySource(wrong)).anomalies[0]?.detail).toMatch(
      /values in the wrong field: int32_data: 2/,
    );
  });

  it('a function name does not excuse an op in another domain', async () => {
    const bytes = model({
      graph: graph([node({ op: 'F', domain: 'other' })]),
      functions: [fn('mine', 'F', [node({ op: 'Relu' })])],
    });
    const rec = await scanWith(onnxHandler, new MemorySource(bytes));
    expect(rec.findings.map((f) => f.ruleId).sort()).toEqual(['onnx/custom-op', 'onnx/model-function']);
  });

  it('custom-op findings are capped per model', async () => {
    const g = graph(Array.from({ length: 30 }, (_, i) => node({ op: `Op${i}`, domain: 'evil' })));
    const rec = await scanWith(onnxHandler, new MemorySource(model({ graph: g })));
    expect(rec.findings).toHaveLength(21);
    expect(rec.findings[20]?.message).toMatch(/10 more 'onnx\/custom-op' findings in this model/);
  });
});

describe('sniffing', () => {
  it('claims every ONNX fixture by content', () => {
    for (const rel of [...benign, ...MALICIOUS.map(([f]) => join('malicious', f))]) {
      const head = readFileSync(join(DIR, rel)).subarray(0, 512);
      expect(sniff(head), rel).toBe('onnx');
      expect(isSavedModel(head), rel).toBe(false);
    }
  });

  it('does not steal other formats or protobufs', () => {
    expect(sniff(SYSTEM_ID_PICKLE)).toBe('pickle');
    expect(isOnnx(benignTf2().subarray(0, 512))).toBe(false);
    expect(isOnnx(buildZip([{ name: 'a', data: 'x' }]))).toBe(false);
    expect(isOnnx(new TextEncoder().encode('\b hello world'))).toBe(false);
    // fingerprint.pb of a SavedModel: field 1 is a 64-bit checksum, not an ir_version.
    expect(isOnnx(pb().varint(1, 0xdeadbeefcafen).varint(2, 123456789n).build())).toBe(false);
    // ir_version alone is not a model.
    expect(isOnnx(Uint8Array.from([0x08, 0x07]))).toBe(false);
    // A producer name that is not text.
    expect(isOnnx(pb().varint(1, 7).bytes(2, [0x00, 0xff, 0x01]).build())).toBe(false);
  });
});
