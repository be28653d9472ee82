/**
 * Hostile inputs for the SavedModel and Keras-metadata walkers and the handler: truncation at every
 * offset, 1,000 seeded mutations each, deep nesting, varint overflow, lengths past the end, floods.
 * Walkers return results (with `stopped`) and never throw; the handler reports; nothing hangs.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { parseKerasMetadata, parseSavedModel, TF_OP_RISKS } from '../src/formats/savedmodel/index.js';
import { savedModelHandler } from '../src/scanners/savedmodel/index.js';
import { ruleIds, scanWith } from './support/archive-context.js';
import { mutate as mutateBytes, prng } from './support/hostile.js';
import { pb } from './support/protobuf-writer.js';
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

const MUTATIONS = 1000;
const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x08, 0x0a, 0x12, 0x1a, 0x22];
const mutate = (b: Uint8Array, rnd: () => number) => mutateBytes(b, rnd, SPECIAL);
const DETAIL = new Set(Object.keys(TF_OP_RISKS));

const BASES: Array<[string, Uint8Array, (b: Uint8Array) => unknown]> = [
  [
    'TF2 saved_model.pb',
    benignTf2([], [functionDef('f', [nodeDef('r', 'ReadFile', ['p'])])]),
    (b) => parseSavedModel(new MemorySource(b), DETAIL),
  ],
  ['TF1 saved_model.pb', benignTf1(), (b) => parseSavedModel(new MemorySource(b), DETAIL)],
  [
    'keras_metadata.pb',
    kerasMetadata([{ path: 'root', identifier: '_tf_keras_layer', metadata: lambdaLayerJson() }]),
    (b) => parseKerasMetadata(new MemorySource(b)),
  ],
];

describe.each(BASES)('%s', (name, base, parse) => {
  it('parses to a result at every truncation', () => {
    for (let n = 0; n < base.length; n++) expect(parse(base.subarray(0, n))).toBeDefined();
  });

  it(`survives ${MUTATIONS} seeded mutations`, () => {
    const rnd = prng(0x5a7e ^ base.length);
    for (let i = 0; i < MUTATIONS; i++) expect(parse(mutate(base, rnd))).toBeDefined();
  });

  it('the handler never throws on truncated or mutated input', async () => {
    const rnd = prng(0xbad ^ base.length);
    const inputs = [
      ...Array.from({ length: 150 }, (_, i) => base.subarray(0, Math.floor((i * base.length) / 150))),
      ...Array.from({ length: 250 }, () => mutate(base, rnd)),
    ];
    for (const input of inputs)
      await expect(scanWith(savedModelHandler, new MemorySource(input)), name).resolves.toBeDefined();
  });
});

describe('hostile structures', () => {
  it('varint overflow and a length past the end are malformed, keeping what came before', async () => {
    const overflow = pb()
      .raw([0x08, ...new Array(10).fill(0xff), 0x01])
      .build();
    expect(parseSavedModel(new MemorySource(overflow)).stopped?.message).toMatch(/varint overflow/);
    const cut = savedModel([metaGraph({ graph: graphDef([nodeDef('r', 'WriteFile')]) })]);
    const bytes = pb()
      .raw(cut)
      .lenHeader(2, 1 << 30)
      .build();
    const rec = await scanWith(savedModelHandler, new MemorySource(bytes));
    expect(ruleIds(rec)).toEqual(['savedmodel/file-op', 'savedmodel/malformed']);
  });

  it('messages nested 100,000 deep stop at the depth limit without recursion blow-up', () => {
    // meta_graphs → graph_def → … as unknown nested fields: only the known path is descended, so nest
    // the known path itself through groups instead (skipped iteratively).
    const n = 100_000;
    const groups = new Uint8Array(2 * n);
    groups.fill((3 << 3) | 3, 0, n);
    groups.fill((3 << 3) | 4, n);
    const m = parseSavedModel(new MemorySource(pb().varint(1, 1).raw(groups).build()));
    expect(m.stopped?.kind).toBe('limit');
  });

  it('a flood of nodes stops at maxNodes; a flood of file ops is capped in findings', async () => {
    const nodes = Array.from({ length: 2000 }, (_, i) => nodeDef(`w${i}`, 'WriteFile'));
    const bytes = savedModel([metaGraph({ graph: graphDef(nodes) })]);
    expect(parseSavedModel(new MemorySource(bytes), DETAIL, { maxNodes: 100 }).stopped?.limit).toBe(
      'maxNodes',
    );
    const rec = await scanWith(savedModelHandler, new MemorySource(bytes));
    expect(rec.findings).toHaveLength(1);
    expect(rec.findings[0]?.message).toMatch(/WriteFile \(2,000 nodes\)/);
  });

  it('10,000 distinct unknown ops give a bounded number of findings', async () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) => nodeDef(`n${i}`, `Custom${i}`));
    const rec = await scanWith(
      savedModelHandler,
      new MemorySource(savedModel([metaGraph({ graph: graphDef(nodes) })])),
    );
    expect(rec.findings.length).toBe(21);
  });
});
