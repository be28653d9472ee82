/**
 * TF.js models: the manifest reader, shard path checks, and the repository scanner over the fixtures
 * (scripts/fixtures/make_keras_fixtures.py) and hand-made folders.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { atLeast } from '../src/core/severity.js';
import { readTfjsModel, shardPathProblem } from '../src/formats/tfjs/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import { describeReport } from './corpus/check.js';
import { tempDir } from './support/temp.js';

const DIR = join(import.meta.dirname, 'fixtures', 'tfjs');
const tmp = tempDir('modelguard-tfjs-');

async function scanDir(path: string) {
  const report = await scanPaths([path], { failOn: 'never' });
  return { report, text: describeReport(report) };
}

describe('shardPathProblem', () => {
  it.each([
    ['group1-shard1of1.bin', undefined],
    ['weights/group1-shard1of2', undefined],
    ['a..b.bin', undefined],
  ])('accepts %s', (p, want) => {
    expect(shardPathProblem(p)).toBe(want);
  });

  it.each([
    ['../../etc/passwd', "'..'"],
    ['sub/../../x.bin', "'..'"],
    ['/etc/shadow', 'absolute'],
    ['C:\\weights.bin', 'drive-letter'],
    ['https://evil.example/x.bin', 'URL'],
    ['file:///etc/passwd', 'URL'],
    ['data:application/octet-stream;base64,AAAA', 'URL'],
    ['//evil.example/x.bin', 'protocol-relative'],
    ['%2e%2e/%2e%2e/x.bin', '%-decoded'],
    ['..%2fsecret.bin', '%-decoded'],
    ['..\\..\\x.bin', "'..'"],
    ['%2F%2Fevil.example/x', 'protocol-relative'],
    ['%zz', 'invalid'],
    ['', 'empty'],
  ])('rejects %s (%s)', (p, why) => {
    expect(shardPathProblem(p)).toContain(why);
  });

  it('rejects paths that are not strings', () => {
    expect(shardPathProblem(42)).toBe('not a string');
  });
});

describe('readTfjsModel', () => {
  it('computes group sizes from dtype, shape and quantisation', () => {
    const m = readTfjsModel({
      format: 'layers-model',
      weightsManifest: [
        {
          paths: ['a.bin'],
          weights: [
            { name: 'k', shape: [4, 8], dtype: 'float32' },
            { name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } },
            { name: 'h', shape: [3], dtype: 'float32', quantization: { dtype: 'float16' } },
            { name: 'b', shape: [], dtype: 'bool' },
            { name: 'c', shape: [2], dtype: 'complex64' },
          ],
        },
      ],
    });
    expect(m?.groups[0]?.expectedBytes).toBe(128 + 10 + 6 + 1 + 16);
    expect(m?.problems).toEqual([]);
  });

  it('leaves the size unknown for string weights', () => {
    const m = readTfjsModel([{ paths: ['s'], weights: [{ name: 'vocab', shape: [3], dtype: 'string' }] }]);
    expect(m?.kind).toBe('manifest');
    expect(m?.groups[0]?.expectedBytes).toBeUndefined();
  });

  it('reports shapes and dtypes TF.js does not write', () => {
    const m = readTfjsModel({
      weightsManifest: [
        {
          paths: ['a'],
          weights: [
            { name: 'neg', shape: [-1, 2], dtype: 'float32' },
            { name: 'odd', shape: [2], dtype: 'float128' },
            { name: 'huge', shape: [2 ** 40, 2 ** 40], dtype: 'float32' },
            'not an object',
          ],
        },
      ],
    });
    expect(m?.problems.join('\n')).toMatch(/neg.*not a list of sizes/);
    expect(m?.problems.join('\n')).toMatch(/float128/);
    expect(m?.problems.join('\n')).toMatch(/huge.*beyond any real tensor/);
    expect(m?.problems.join('\n')).toMatch(/not an object/);
  });

  it('is undefined for JSON that is no TF.js file', () => {
    expect(readTfjsModel({ class_name: 'Sequential', config: {} })).toBeUndefined();
    expect(readTfjsModel([1, 2, 3])).toBeUndefined();
    expect(readTfjsModel('x')).toBeUndefined();
  });
});

describe('TF.js fixtures', () => {
  it.each(['layers_model', 'face_api'])('%s is safe, with the model noted', async (name) => {
    const { report, text } = await scanDir(join(DIR, name));
    expect(
      report.findings.filter((f) => atLeast(f.severity, 'low')),
      text,
    ).toEqual([]);
    expect(
      report.findings.some((f) => f.ruleId === 'tfjs/model'),
      text,
    ).toBe(true);
  });

  it('traversal: every escaping shard path is high', async () => {
    const { report, text } = await scanDir(join(DIR, 'traversal'));
    const hits = report.findings.filter((f) => f.ruleId === 'tfjs/path-traversal');
    expect(hits.length, text).toBe(4);
    expect(hits.every((f) => f.severity === 'high')).toBe(true);
    expect(report.artifacts.find((a) => a.path.endsWith('model.json'))?.verdict).toBe('unsafe');
  });

  it('size_mismatch: a short shard is medium', async () => {
    const { report, text } = await scanDir(join(DIR, 'size_mismatch'));
    const f = report.findings.find((x) => x.ruleId === 'tfjs/size-mismatch');
    expect(f?.severity, text).toBe('medium');
    expect(f?.message, text).toContain('need 268 bytes');
  });

  it('missing_shard: a shard that is not there is medium', async () => {
    const { report, text } = await scanDir(join(DIR, 'missing_shard'));
    const f = report.findings.find((x) => x.ruleId === 'tfjs/size-mismatch');
    expect(f?.message, text).toContain('group1-shard2of2.bin');
  });

  it('lambda: Lambda bytecode naming os.system is high, a custom class low', async () => {
    const { report, text } = await scanDir(join(DIR, 'lambda'));
    const custom = report.findings.filter((x) => x.ruleId === 'tfjs/custom-layer');
    expect(custom.map((f) => f.severity).sort(), text).toEqual(['high', 'low']);
    expect(custom.find((f) => f.severity === 'high')?.evidence).toContain('system');
  });
});

describe('TF.js repository scanner on hand-made folders', () => {
  const weights = [{ name: 'w', shape: [4], dtype: 'float32' }];
  const model = (paths: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({ format: 'layers-model', weightsManifest: [{ paths, weights }], ...extra });

  it('a shard with extra bytes is medium (hidden data)', async () => {
    const d = join(tmp.dir, 'extra');
    tmp.write('extra/model.json', model(['s.bin']));
    tmp.write('extra/s.bin', new Uint8Array(16 + 100));
    const { report, text } = await scanDir(d);
    const f = report.findings.find((x) => x.ruleId === 'tfjs/size-mismatch');
    expect(f?.severity, text).toBe('medium');
    expect(f?.message).toContain('never read');
  });

  it('a manifest declaring gigabytes over tiny shards is high', async () => {
    const d = join(tmp.dir, 'huge');
    tmp.write(
      'huge/model.json',
      JSON.stringify({
        weightsManifest: [
          { paths: ['s.bin'], weights: [{ name: 'w', shape: [1 << 20, 1 << 10], dtype: 'float32' }] },
        ],
      }),
    );
    tmp.write('huge/s.bin', new Uint8Array(16));
    const { report, text } = await scanDir(d);
    expect(report.findings.find((x) => x.ruleId === 'tfjs/size-mismatch')?.severity, text).toBe('high');
  });

  it('shards split across files add up', async () => {
    const d = join(tmp.dir, 'split');
    tmp.write('split/model.json', model(['a.bin', 'b.bin']));
    tmp.write('split/a.bin', new Uint8Array(10));
    tmp.write('split/b.bin', new Uint8Array(6));
    const { report, text } = await scanDir(d);
    expect(
      report.findings.filter((f) => atLeast(f.severity, 'low')),
      text,
    ).toEqual([]);
  });

  it('a symlinked shard leading out of the folder is a traversal', async () => {
    const d = join(tmp.dir, 'link', 'model');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(tmp.dir, 'link', 'outside.bin'), new Uint8Array(16));
    writeFileSync(join(d, 'model.json'), model(['s.bin']));
    symlinkSync(join(tmp.dir, 'link', 'outside.bin'), join(d, 's.bin'));
    const { report, text } = await scanDir(d);
    const f = report.findings.find((x) => x.ruleId === 'tfjs/path-traversal');
    expect(f?.message, text).toContain('symbolic link');
  });

  it('a model.json that is not JSON is malformed; other JSON named model.json is ignored', async () => {
    tmp.write('bad/model.json', '{"weightsManifest": [');
    tmp.write('other/model.json', '{"architectures": ["BertModel"]}');
    const bad = await scanDir(join(tmp.dir, 'bad'));
    expect(
      bad.report.findings.map((f) => f.ruleId),
      bad.text,
    ).toContain('tfjs/malformed');
    const other = await scanDir(join(tmp.dir, 'other'));
    expect(other.report.findings, other.text).toEqual([]);
  });

  it('finds a manifest under any .json name by its keys, and notes graph models without a topology walk', async () => {
    tmp.write(
      'graph/converted.json',
      JSON.stringify({
        format: 'graph-model',
        generatedBy: '2.11.0',
        convertedBy: 'TensorFlow.js Converter v4.2.0',
        modelTopology: { node: [{ name: 'x', op: 'Placeholder' }] },
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }],
      }),
    );
    tmp.write('graph/group1-shard1of1.bin', new Uint8Array(16));
    const { report, text } = await scanDir(join(tmp.dir, 'graph'));
    const info = report.findings.find((f) => f.ruleId === 'tfjs/model');
    expect(info?.message, text).toContain('graph-model');
    expect(
      report.findings.filter((f) => atLeast(f.severity, 'low')),
      text,
    ).toEqual([]);
  });
});
