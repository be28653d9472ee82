/**
 * `modelguard bom`: BOMs of real fixture folders and files validate against the CycloneDX 1.6 and 1.5
 * JSON schemas and match golden files (`UPDATE_GOLDEN=1 npx vitest run test/provenance/bom.test.ts`
 * rewrites them); the model card, datasets, frameworks, signature status and findings map where the
 * specification puts them.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import {
  type BomDocument,
  type BuildBomOptions,
  buildBom,
  summarizeBom,
} from '../../src/provenance/bom/index.js';
import type { VerifyResult } from '../../src/provenance/types.js';
import { scanPaths } from '../../src/scanners/engine.js';
import { tempDir } from '../support/temp.js';
import { schemaErrors } from './bom-schema.js';

const REPO = join(import.meta.dirname, '..', '..');
const FIXTURES = join(REPO, 'test', 'fixtures');
const GOLDEN = join(FIXTURES, 'bom', 'golden');
const FIXED = {
  serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
  timestamp: new Date('2025-01-01T00:00:00.000Z'),
} as const;
const update = process.env['UPDATE_GOLDEN'] === '1';

/** Paths relative to the repository root, so scan messages and ids do not depend on the checkout. */
function fixture(rel: string): string {
  return relative(process.cwd(), join(FIXTURES, rel)) || '.';
}

async function bomOf(path: string, opts: BuildBomOptions & { scan?: boolean } = {}): Promise<BomDocument> {
  const { scan = true, ...rest } = opts;
  const scanReport = scan ? await scanPaths([path], { hash: false, failOn: 'never' }) : undefined;
  return buildBom(path, { ...FIXED, ...(scanReport === undefined ? {} : { scanReport }), ...rest });
}

interface Json {
  [k: string]: unknown;
}
type Component = Json & {
  name: string;
  type: string;
  'bom-ref'?: string;
  properties?: { name: string; value: string }[];
};

function model(doc: BomDocument): Component & { components: Component[]; modelCard?: Json } {
  return (doc.metadata as Json)['component'] as Component & { components: Component[]; modelCard?: Json };
}

function prop(c: { properties?: { name: string; value: string }[] }, name: string): string[] {
  return (c.properties ?? []).filter((p) => p.name === name).map((p) => p.value);
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const GOLDEN_CASES = [
  { name: 'hf-benign-plain', path: 'hf-repo/benign-plain', spec: '1.6' },
  { name: 'card-model', path: 'bom/card-model', spec: '1.6' },
  { name: 'card-model-1.5', path: 'bom/card-model', spec: '1.5' },
  { name: 'pytorch-file', path: 'benign/pytorch_model.bin', spec: '1.6' },
  { name: 'sklearn-pickle', path: 'pickle/sklearn_logreg_p4.pkl', spec: '1.6' },
  { name: 'onnx-external', path: 'onnx/benign/external', spec: '1.6' },
  { name: 'gguf-file', path: 'gguf/tiny-llama3.gguf', spec: '1.6' },
  { name: 'keras-file', path: 'keras/benign/sequential.keras', spec: '1.6' },
  { name: 'savedmodel', path: 'savedmodel/benign', spec: '1.6' },
] as const;

describe('bom golden files', () => {
  it.each(GOLDEN_CASES)('$name validates against CycloneDX $spec and matches its golden file', async (c) => {
    const doc = await bomOf(fixture(c.path), { specVersion: c.spec });
    expect(schemaErrors(doc, c.spec)).toEqual([]);
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const file = join(GOLDEN, `${c.name}.cdx.json`);
    if (update) {
      mkdirSync(GOLDEN, { recursive: true });
      writeFileSync(file, text);
    }
    expect(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it('the same inputs give the same document; without a serial number each BOM gets a fresh one', async () => {
    const path = fixture('bom/card-model');
    expect(await bomOf(path)).toEqual(await bomOf(path));
    const a = await buildBom(path);
    const b = await buildBom(path);
    expect(a.serialNumber).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(a.serialNumber).not.toBe(b.serialNumber);
    await expect(buildBom(path, { serialNumber: 'not-a-urn' })).rejects.toThrow(RangeError);
  });
});

describe('bom contents', () => {
  it('maps the model card and config.json into modelCard, datasets and licence', async () => {
    const doc = await bomOf(fixture('bom/card-model'));
    const m = model(doc);
    expect(m.type).toBe('machine-learning-model');
    expect(m.name).toBe('tiny-sentiment'); // model-index name, not the folder's
    expect(m['licenses']).toEqual([{ license: { id: 'Apache-2.0' } }]);
    const card = m.modelCard as {
      modelParameters: Json & { datasets: { ref: string }[] };
      quantitativeAnalysis: { performanceMetrics: Json[] };
      considerations: Json & { ethicalConsiderations: { name: string }[] };
      properties: { name: string; value: string }[];
    };
    expect(card.modelParameters['task']).toBe('text-classification');
    expect(card.modelParameters['architectureFamily']).toBe('bert');
    expect(card.modelParameters['modelArchitecture']).toBe('BertForSequenceClassification');
    expect(card.modelParameters['inputs']).toEqual([{ format: 'string' }]);
    // Every dataset reference resolves to a `data` component with a `dataset` entry.
    const refs = card.modelParameters.datasets.map((d) => d.ref);
    expect(refs.sort()).toEqual(['dataset:glue', 'dataset:imdb', 'dataset:stanfordnlp/sst2']);
    const components = doc.components as Component[];
    for (const ref of refs) {
      const data = components.find((c) => c['bom-ref'] === ref);
      expect(data?.type).toBe('data');
      expect((data?.['data'] as Json[] | undefined)?.[0]?.['type']).toBe('dataset');
    }
    const sst2 = components.find((c) => c['bom-ref'] === 'dataset:stanfordnlp/sst2') as Component;
    expect(prop(sst2, 'modelguard:dataset:usage')).toEqual(['training']);
    expect((sst2['data'] as Json[])[0]?.['contents']).toEqual({
      url: 'https://huggingface.co/datasets/stanfordnlp/sst2',
    });
    const glue = components.find((c) => c['bom-ref'] === 'dataset:glue') as Component;
    expect(prop(glue, 'modelguard:dataset:usage')).toEqual(['evaluation']);
    expect(card.quantitativeAnalysis.performanceMetrics).toEqual([
      { type: 'accuracy', value: '0.912', slice: 'GLUE (sst2, validation), text-classification' },
      { type: 'f1', value: '0.905', slice: 'GLUE (sst2, validation), text-classification' },
      { type: 'accuracy', value: '0.887', slice: 'IMDB (test), text-classification' },
    ]);
    expect(card.considerations['useCases']).toEqual([
      'Classifies short English movie reviews as positive or negative.\n\n### Out-of-scope use\n\nAnything else.',
    ]);
    expect(card.considerations['technicalLimitations']).toEqual([
      'Trained on movie reviews only; reviews in other domains or languages are misclassified more often.',
    ]);
    expect(card.considerations.ethicalConsiderations.map((r) => r.name)).toEqual([
      'Sentiment models can encode demographic bias present in review data; do not use it to judge people.',
    ]);
    // The unfilled template section and the heading inside a code block are not considerations.
    expect(JSON.stringify(card.considerations)).not.toContain('More Information Needed');
    expect(JSON.stringify(card.considerations)).not.toContain('not a heading');
    expect(prop(card, 'modelguard:card:base-model')).toEqual(['acme/tiny-base']);
    expect(prop(card, 'modelguard:card:language')).toEqual(['en', 'de']);
    const transformers = components.find((c) => c.name === 'transformers') as Component;
    expect(transformers['purl']).toBe('pkg:pypi/transformers@4.44.2'); // transformers_version of config.json
  });

  it('lists every file with its SHA-256, size and formats, and the frameworks the formats need', async () => {
    const path = fixture('onnx/benign/external');
    const doc = await bomOf(path);
    const files = model(doc).components;
    expect(files.map((f) => f.name)).toEqual(['model.onnx', 'weights.bin']);
    for (const f of files) {
      const abs = join(path, f.name);
      expect(f.type).toBe('file');
      expect(f['hashes']).toEqual([{ alg: 'SHA-256', content: sha256(abs) }]);
      expect(prop(f, 'modelguard:file:size')).toEqual([String(readFileSync(abs).length)]);
    }
    expect(prop(files[0] as Component, 'modelguard:file:format')).toEqual(['onnx']);
    const deps = doc.dependencies as { ref: string; dependsOn?: string[] }[];
    expect(deps.find((d) => d.ref === 'model')?.dependsOn).toEqual(['framework:onnx']);
  });

  it('names frameworks from the imports of a plain pickle (no framework in its format)', async () => {
    const doc = await bomOf(fixture('pickle/sklearn_logreg_p4.pkl'));
    expect((doc.components as Component[]).map((c) => c.name).sort()).toEqual(['numpy', 'scikit-learn']);
    // Without a scan there are no imports to read: the plain pickle names no framework.
    const unscanned = await bomOf(fixture('pickle/sklearn_logreg_p4.pkl'), { scan: false });
    expect(unscanned.components ?? []).toEqual([]);
  });

  it("turns a malicious folder's findings into vulnerabilities with CWE numbers and affected files", async () => {
    const path = fixture('malicious');
    const report = await scanPaths([path], { hash: false, failOn: 'never' });
    const doc = await buildBom(path, { ...FIXED, scanReport: report });
    expect(schemaErrors(doc, '1.6')).toEqual([]);
    const vulns = doc.vulnerabilities as unknown as (Json & {
      id: string;
      cwes: number[];
      ratings: { severity: string }[];
      affects: { ref: string }[];
      references: { id: string }[];
    })[];
    const expected = report.findings.filter((f) => f.severity !== 'info');
    expect(vulns).toHaveLength(expected.length);
    expect(expected.length).toBeGreaterThan(10);
    const fileRefs = new Set(model(doc).components.map((c) => c['bom-ref']));
    for (const v of vulns) {
      expect(v.cwes).toContain(502);
      expect(['critical', 'high', 'medium', 'low']).toContain(v.ratings[0]?.severity);
      expect(fileRefs.has(v.affects[0]?.ref)).toBe(true);
      expect(v.references.map((r) => r.id)).toContain('AML.T0011.000');
      expect(v['recommendation']).toEqual(expect.any(String));
    }
    const system = vulns.find((v) => v.id.startsWith('pickle/dangerous-global@torch_zip_payload.pt!/'));
    expect(system?.['detail']).toContain("posix.system('echo modelguard-test')");
    expect(system?.affects).toEqual([{ ref: 'file:torch_zip_payload.pt' }]);
    expect(summarizeBom(doc).vulnerabilities.critical).toBe(
      vulns.filter((v) => v.ratings[0]?.severity === 'critical').length,
    );
  });

  it('an HF cache snapshot gets its repository id and commit as purl, and its links are hashed', async () => {
    const tmp = tempDir();
    const commit = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
    const repo = join(tmp.dir, 'models--acme--tiny-sentiment');
    const snapshot = join(repo, 'snapshots', commit);
    mkdirSync(snapshot, { recursive: true });
    for (const name of ['README.md', 'config.json', 'model.safetensors']) {
      const content = readFileSync(join(FIXTURES, 'bom', 'card-model', name));
      const blob = tmp.write(`models--acme--tiny-sentiment/blobs/${sha256Of(content)}`, content);
      symlinkSync(relative(snapshot, blob), join(snapshot, name));
    }
    const doc = await bomOf(snapshot);
    expect(schemaErrors(doc, '1.6')).toEqual([]);
    const m = model(doc);
    expect(m).toMatchObject({
      name: 'tiny-sentiment',
      group: 'acme',
      version: commit,
      purl: `pkg:huggingface/acme/tiny-sentiment@${commit}`,
    });
    expect(m['externalReferences']).toEqual([
      { url: `https://huggingface.co/acme/tiny-sentiment/blob/${commit}/README.md`, type: 'model-card' },
      { url: 'https://huggingface.co/acme/tiny-sentiment', type: 'website' },
    ]);
    const files = m.components;
    expect(files.map((f) => f.name)).toEqual(['config.json', 'model.safetensors', 'README.md']);
    for (const f of files) {
      expect(f['hashes']).toEqual([
        { alg: 'SHA-256', content: sha256(join(FIXTURES, 'bom', 'card-model', f.name)) },
      ]);
    }
  });

  it('reports the signature: verified, failed, present but unverified, or absent', async () => {
    const tmp = tempDir();
    const dir = join(tmp.dir, 'signed');
    tmp.write(
      'signed/weights.safetensors',
      readFileSync(join(FIXTURES, 'bom', 'card-model', 'model.safetensors')),
    );
    const absent = await bomOf(dir, { scan: false });
    expect(prop(model(absent), 'modelguard:signature:status')).toEqual(['absent']);

    tmp.write('signed/model.sig', '{}');
    const present = await bomOf(dir, { scan: false });
    expect(prop(model(present), 'modelguard:signature:status')).toEqual(['present-unverified']);
    expect(prop(model(present), 'modelguard:signature:path')).toEqual(['model.sig']);
    // The signature is not a file of the model (as OMS does not sign it).
    expect(model(present).components.map((c) => c.name)).toEqual(['weights.safetensors']);

    const verified: VerifyResult = {
      verified: true,
      method: 'key',
      signaturePath: join(dir, 'model.sig'),
      signer: 'key hint 0123abcd',
      checkedResources: 1,
      problems: [],
      warnings: [],
    };
    const ok = await bomOf(dir, { scan: false, verifyResult: verified });
    expect(schemaErrors(ok, '1.6')).toEqual([]);
    expect(prop(model(ok), 'modelguard:signature:status')).toEqual(['verified']);
    expect(prop(model(ok), 'modelguard:signature:method')).toEqual(['key']);
    expect(prop(model(ok), 'modelguard:signature:signer')).toEqual(['key hint 0123abcd']);
    expect(summarizeBom(ok).signature).toEqual({
      status: 'verified',
      method: 'key',
      signer: 'key hint 0123abcd',
    });

    const failed = await bomOf(dir, {
      scan: false,
      verifyResult: {
        ...verified,
        verified: false,
        problems: [
          {
            kind: 'modified',
            resource: 'weights.safetensors',
            message: 'weights.safetensors: digest differs',
          },
        ],
      },
    });
    expect(prop(model(failed), 'modelguard:signature:status')).toEqual(['failed']);
    expect(prop(model(failed), 'modelguard:signature:problem')).toEqual([
      'weights.safetensors: digest differs',
    ]);
  });

  it('without a scan: no vulnerabilities, scan:performed false, outer formats sniffed', async () => {
    const doc = await bomOf(fixture('malicious/torch_zip_payload.pt'), { scan: false, specVersion: '1.5' });
    expect(doc.vulnerabilities ?? []).toEqual([]);
    expect(prop(doc.metadata as Json, 'modelguard:scan:performed')).toEqual(['false']);
    expect(prop(model(doc).components[0] as Component, 'modelguard:file:format')).toEqual(['zip']);
    expect(schemaErrors(doc, '1.5')).toEqual([]);
  });

  it('lists at most maxFiles files and says so', async () => {
    const doc = await bomOf(fixture('malicious'), { scan: false, limits: { maxFiles: 3 } });
    expect(model(doc).components).toHaveLength(3);
    expect(prop(model(doc), 'modelguard:files:truncated')).toEqual(['true']);
    expect(prop(doc.metadata as Json, 'modelguard:warning')).toEqual([
      'more than maxFiles (3) files: only the first 3 are listed and hashed',
    ]);
    const s = summarizeBom(doc);
    expect(s.filesTruncated).toBe(true);
    expect(s.fileCount).toBe(3);
  });

  it('summarizes a BOM for the audit report', async () => {
    const s = summarizeBom(await bomOf(fixture('bom/card-model')));
    expect(s).toEqual({
      specVersion: '1.6',
      name: 'tiny-sentiment',
      version: null,
      purl: null,
      fileCount: 3,
      filesTruncated: false,
      totalBytes: [...['README.md', 'config.json', 'model.safetensors']]
        .map((n) => readFileSync(join(FIXTURES, 'bom', 'card-model', n)).length)
        .reduce((a, b) => a + b, 0),
      formats: ['json', 'safetensors', 'text'],
      frameworks: ['safetensors', 'transformers'],
      datasets: ['glue', 'imdb', 'stanfordnlp/sst2'],
      licence: 'Apache-2.0',
      task: 'text-classification',
      architecture: 'BertForSequenceClassification',
      signature: { status: 'absent', method: null, signer: null },
      vulnerabilities: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      warnings: [],
    });
    // Anything that is not one of our BOMs summarizes to absent values, never a throw.
    expect(summarizeBom({ metadata: 3, components: 'x' }).name).toBe('?');
  });
});

describe('modelguard bom (CLI)', () => {
  const tmp = tempDir();
  it('writes a valid 1.6 BOM (or 1.5 with --spec-version) and exits 0', async () => {
    const out = join(tmp.dir, 'bom.json');
    expect(await run(['node', 'modelguard', 'bom', fixture('hf-repo/benign-plain'), '--output', out])).toBe(
      0,
    );
    const doc = JSON.parse(readFileSync(out, 'utf8')) as BomDocument;
    expect(doc.specVersion).toBe('1.6');
    expect(schemaErrors(doc, '1.6')).toEqual([]);
    const out15 = join(tmp.dir, 'bom15.json');
    const args = ['bom', fixture('malicious/payload_p2.pkl'), '--spec-version', '1.5', '-o', out15];
    expect(await run(['node', 'modelguard', ...args])).toBe(0); // findings do not fail a BOM
    const doc15 = JSON.parse(readFileSync(out15, 'utf8')) as BomDocument;
    expect(schemaErrors(doc15, '1.5')).toEqual([]);
    expect(doc15.vulnerabilities?.length).toBeGreaterThan(0);
  });

  it('--no-scan leaves vulnerabilities out; --signature names the signature file', async () => {
    const out = join(tmp.dir, 'noscan.json');
    const sig = tmp.write('elsewhere.sig', '{}');
    const path = fixture('malicious/payload_p2.pkl');
    expect(await run(['node', 'modelguard', 'bom', path, '--no-scan', '--signature', sig, '-o', out])).toBe(
      0,
    );
    const doc = JSON.parse(readFileSync(out, 'utf8')) as BomDocument;
    expect(doc.vulnerabilities ?? []).toEqual([]);
    expect(prop(model(doc), 'modelguard:signature:status')).toEqual(['present-unverified']);
  });

  it('exits 2 on usage errors', async () => {
    const path = fixture('hf-repo/benign-plain');
    expect(await run(['node', 'modelguard', 'bom', join(tmp.dir, 'missing')])).toBe(2);
    expect(await run(['node', 'modelguard', 'bom', path, '--spec-version', '1.4'])).toBe(2);
    expect(await run(['node', 'modelguard', 'bom', path, '--signature', join(tmp.dir, 'none.sig')])).toBe(2);
    expect(await run(['node', 'modelguard', 'bom'])).toBe(2);
  });
});

function sha256Of(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
