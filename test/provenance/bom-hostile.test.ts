/**
 * Hostile model folders: whatever a publisher puts in README.md or config.json, `buildBom` returns a
 * schema-valid BOM, with a `modelguard:warning` property saying what it could not read, never an
 * exception or a hang (the vitest timeout catches a hang).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BOM_LIMITS, type BomDocument, buildBom } from '../../src/provenance/bom/index.js';
import { mutate, prng } from '../support/hostile.js';
import { tempDir } from '../support/temp.js';
import { schemaErrors } from './bom-schema.js';

const CARD = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'bom', 'card-model', 'README.md'));
const FIXED = { serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79', timestamp: new Date(0) };

const tmp = tempDir();
let n = 0;

/** A model folder with these files (one tiny weights file besides them). */
async function bomOfFolder(files: Record<string, string | Uint8Array>): Promise<BomDocument> {
  const dir = join(tmp.dir, `m${++n}`);
  tmp.write(`m${n}/weights.bin`, new Uint8Array([1, 2, 3]));
  for (const [name, content] of Object.entries(files)) tmp.write(`m${n}/${name}`, content);
  const doc = await buildBom(dir, FIXED);
  expect(schemaErrors(doc, '1.6')).toEqual([]);
  return doc;
}

function warnings(doc: BomDocument): string[] {
  const props = (doc.metadata?.properties ?? []) as { name: string; value: string }[];
  return props.filter((p) => p.name === 'modelguard:warning').map((p) => p.value);
}

function modelCard(doc: BomDocument): Record<string, unknown> | undefined {
  return (doc.metadata?.component as { modelCard?: Record<string, unknown> } | undefined)?.modelCard;
}

const frontMatter = (yaml: string, body = '\n# card\n'): string => `---\n${yaml}\n---\n${body}`;

describe('hostile README.md front matter', () => {
  it('front matter longer than maxFrontMatterChars is skipped with a warning', async () => {
    const yaml = `license: mit\ndescription: "${'x'.repeat(BOM_LIMITS.maxFrontMatterChars)}"`;
    const doc = await bomOfFolder({ 'README.md': frontMatter(yaml) });
    expect(warnings(doc)).toEqual([
      `README.md front matter is longer than maxFrontMatterChars (${BOM_LIMITS.maxFrontMatterChars.toLocaleString('en-US')}): not read`,
    ]);
    expect(doc.metadata?.component?.licenses ?? []).toEqual([]);
  });

  it('a billion-laughs alias bomb stops at maxYamlNodes', async () => {
    const levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${prev}`).join(',')}]`,
      );
    }
    const doc = await bomOfFolder({
      'README.md': frontMatter(`${levels.join('\n')}\nlicense: mit\ndatasets: *j`),
    });
    expect(warnings(doc)).toEqual([
      'README.md front matter expands to more than maxYamlNodes (50,000) nodes (aliases counted expanded): not read',
    ]);
    expect(doc.components ?? []).toEqual([]);
  });

  it('aliases within the budget are expanded; a self-referencing alias reads as null', async () => {
    const yaml = 'ds: &d [imdb, glue]\ndatasets: *d\nloop: &l [1, *l]\nlicense: mit';
    const doc = await bomOfFolder({ 'README.md': frontMatter(yaml) });
    expect((doc.components ?? []).map((c) => c.name)).toEqual(['glue', 'imdb']);
    expect(warnings(doc)).toEqual([
      'README.md front matter: alias *l refers to an unknown or enclosing anchor: read as null',
    ]);
  });

  it('deeply nested flow collections are refused before parsing', async () => {
    const doc = await bomOfFolder({ 'README.md': frontMatter(`x: ${'['.repeat(5000)}${']'.repeat(5000)}`) });
    expect(warnings(doc)).toEqual(['README.md front matter nests deeper than maxYamlDepth (64): not read']);
  });

  it('deeply nested block mappings are cut at maxYamlDepth', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`);
    const doc = await bomOfFolder({ 'README.md': frontMatter(`license: mit\n${lines.join('\n')} leaf`) });
    expect(warnings(doc)).toEqual([
      'README.md front matter: values nested deeper than maxYamlDepth (64) read as null',
    ]);
    expect(doc.metadata?.component?.licenses).toEqual([{ license: { id: 'MIT' } }]);
  });

  it('invalid YAML, a scalar or a list as front matter, and an unclosed block are warnings', async () => {
    const bad = await bomOfFolder({ 'README.md': frontMatter('license: [mit\n  - : }') });
    expect(warnings(bad)[0]).toMatch(/^README\.md front matter is not valid YAML: /);
    const scalar = await bomOfFolder({ 'README.md': frontMatter('just a string') });
    expect(warnings(scalar)).toEqual(['README.md front matter is not a mapping: ignored']);
    const seq = await bomOfFolder({ 'README.md': frontMatter('- a\n- b') });
    expect(warnings(seq)).toEqual(['README.md front matter is not a mapping: ignored']);
    const unclosed = await bomOfFolder({ 'README.md': '---\nlicense: mit\n# no closing line\n' });
    expect(warnings(unclosed)).toEqual(['README.md front matter has no closing --- line: not read']);
  });

  it('Python tags are not constructed and prototype keys stay plain data', async () => {
    const yaml = [
      'license: !!python/object/apply:os.system ["echo pwned"]',
      '__proto__: {polluted: yes}',
      'constructor: {prototype: {polluted: yes}}',
      'datasets: !!python/name:os.system',
      'pipeline_tag: {toString: 1}',
    ].join('\n');
    const doc = await bomOfFolder({ 'README.md': frontMatter(yaml) });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(modelCard(doc)?.['modelParameters']).toBeUndefined();
    expect(JSON.stringify(doc)).not.toContain('pwned');
    expect(doc.metadata?.component?.licenses ?? []).toEqual([]);
    expect(warnings(doc)).toContain(
      'README.md front matter: a value tagged tag:yaml.org,2002:python/object/apply:os.system was ignored',
    );
  });

  it('fields of the wrong type are ignored', async () => {
    const yaml = [
      'license: [1, {a: b}, mit]',
      'datasets: {not: a list}',
      'model-index: "nope"',
      'base_model: [[nested]]',
      'language: 42',
      'pipeline_tag: [text-generation]',
    ].join('\n');
    const doc = await bomOfFolder({ 'README.md': frontMatter(yaml) });
    expect(doc.metadata?.component?.licenses).toEqual([
      { license: { name: '1' } },
      { license: { id: 'MIT' } },
    ]);
    expect(doc.components ?? []).toEqual([]);
    expect(modelCard(doc)?.['quantitativeAnalysis']).toBeUndefined();
  });

  it('a model-index with more than maxMetrics metrics is cut, with a warning', async () => {
    const metrics = Array.from(
      { length: BOM_LIMITS.maxMetrics + 5 },
      (_, i) => `      - {type: m${i}, value: ${i}}`,
    );
    const yaml = `model-index:\n- name: x\n  results:\n  - dataset: {name: d}\n    metrics:\n${metrics.join('\n')}`;
    const doc = await bomOfFolder({ 'README.md': frontMatter(yaml) });
    const qa = modelCard(doc)?.['quantitativeAnalysis'] as { performanceMetrics: unknown[] };
    expect(qa.performanceMetrics).toHaveLength(BOM_LIMITS.maxMetrics);
    expect(warnings(doc)).toEqual([
      'more than maxMetrics (500) metrics in model-index: the rest are not listed',
    ]);
  });
});

describe('hostile README.md and config.json files', () => {
  it('a binary README is not read', async () => {
    const doc = await bomOfFolder({
      'README.md': new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0xff, 0xfe, 0, 0, 1]),
    });
    expect(warnings(doc)).toEqual(['README.md is not UTF-8 text: the model card was not read']);
    const nul = await bomOfFolder({ 'README.md': 'text\0with a NUL' });
    expect(warnings(nul)).toEqual(['README.md is not UTF-8 text: the model card was not read']);
  });

  it('a README larger than maxReadmeBytes is read up to the limit', async () => {
    const big = `${frontMatter('license: mit')}${'word '.repeat(BOM_LIMITS.maxReadmeBytes / 4)}`;
    const doc = await bomOfFolder({ 'README.md': big });
    expect(warnings(doc)).toEqual([
      'README.md is longer than maxReadmeBytes (1,048,576): only its start was read',
    ]);
    expect(doc.metadata?.component?.licenses).toEqual([{ license: { id: 'MIT' } }]);
  });

  it('README.md that is a folder is a warning', async () => {
    tmp.write(`m${n + 1}/README.md/inner.txt`, 'x');
    const doc = await bomOfFolder({});
    expect(warnings(doc)[0]).toMatch(/^README\.md could not be read: /);
  });

  it('a FIFO named README.md or config.json does not block; odd entries are skipped or warned about', async () => {
    const dir = join(tmp.dir, 'fifo');
    tmp.write('fifo/weights.bin', new Uint8Array([1]));
    execFileSync('mkfifo', [join(dir, 'README.md'), join(dir, 'config.json')]);
    symlinkSync('nowhere', join(dir, 'dangling'));
    symlinkSync('.', join(dir, 'self'));
    const doc = await buildBom(dir, FIXED);
    expect(schemaErrors(doc, '1.6')).toEqual([]);
    expect((doc.metadata?.component?.components ?? []).map((c) => c.name)).toEqual(['weights.bin']);
    const w = warnings(doc);
    expect(w).toContain(`README.md could not be read: ${join(dir, 'README.md')} is not a regular file`);
    expect(w).toContain(`config.json could not be read: ${join(dir, 'config.json')} is not a regular file`);
    expect(w.some((x) => x.startsWith('dangling could not be read: '))).toBe(true);
  });

  it.each([
    ['[1, 2]', 'config.json is not a JSON object: not read'],
    ['"a string"', 'config.json is not a JSON object: not read'],
    ['null', 'config.json is not a JSON object: not read'],
    ['42', 'config.json is not a JSON object: not read'],
  ])('config.json %s is a warning', async (json, warning) => {
    const doc = await bomOfFolder({ 'config.json': json });
    expect(warnings(doc)).toEqual([warning]);
  });

  it('config.json that is not JSON, not UTF-8 or too large is a warning', async () => {
    const bad = await bomOfFolder({ 'config.json': '{"architectures": [' });
    expect(warnings(bad)[0]).toMatch(/^config\.json is not valid JSON \(.*\): not read$/);
    const binary = await bomOfFolder({ 'config.json': new Uint8Array([0xff, 0xfe, 0x00]) });
    expect(warnings(binary)).toEqual(['config.json is not valid JSON (not UTF-8): not read']);
    const big = await bomOfFolder({ 'config.json': `{"pad": "${'x'.repeat(BOM_LIMITS.maxConfigBytes)}"}` });
    expect(warnings(big)).toEqual(['config.json is larger than maxConfigBytes (1,048,576): not read']);
  });

  it('config.json fields of the wrong type are ignored', async () => {
    const doc = await bomOfFolder({
      'config.json': JSON.stringify({
        architectures: { a: 1 },
        model_type: ['x'],
        transformers_version: '../../x',
      }),
      'README.md': frontMatter('library_name: transformers'),
    });
    expect(modelCard(doc)?.['modelParameters']).toBeUndefined();
    const transformers = (doc.components ?? []).find((c) => c.name === 'transformers');
    expect(transformers?.purl).toBe('pkg:pypi/transformers'); // a version that is not a version is left out
  });
});

describe('mutated model cards', () => {
  it('300 seeded mutations of a real card each give a schema-valid BOM', async () => {
    const rnd = prng(0xb0b);
    const special = [0x0a, 0x2d, 0x3a, 0x26, 0x2a, 0x21, 0x7b, 0x5b, 0x23, 0x20, 0x00, 0xff];
    for (let i = 0; i < 300; i++) {
      await bomOfFolder({ 'README.md': mutate(CARD, rnd, special) });
    }
  }, 60_000);
});
