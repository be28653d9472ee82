/**
 * Hostile inputs for the ONNX walker and handler: truncation at every offset of real models, 1,000
 * seeded mutations each, deep subgraph nesting, varint overflow, lengths past the end, floods. The
 * walker returns a model (with `stopped` when it had to stop) and never throws; the handler turns
 * everything into findings; nothing hangs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { parseOnnx } from '../src/formats/onnx/index.js';
import { onnxHandler } from '../src/scanners/onnx/index.js';
import { ruleIds, scanWith } from './support/archive-context.js';
import { mutate as mutateBytes, prng } from './support/hostile.js';
import { graph, model, nestedIfs, node, pb, tensor } from './support/onnx-writer.js';

const MUTATIONS = 1000;

const SPECIAL = [0x00, 0xff, 0x7f, 0x80, 0x01, 0x08, 0x0a, 0x12, 0x3a, 0x42];
const mutate = (b: Uint8Array, rnd: () => number) => mutateBytes(b, rnd, SPECIAL);

const FIX = join(import.meta.dirname, 'fixtures', 'onnx');
const BASES: Array<[string, Uint8Array]> = [
  ['cnn.onnx (torch)', new Uint8Array(readFileSync(join(FIX, 'benign', 'cnn.onnx')))],
  ['control_flow.onnx (subgraphs)', new Uint8Array(readFileSync(join(FIX, 'benign', 'control_flow.onnx')))],
  ['local_function.onnx', new Uint8Array(readFileSync(join(FIX, 'benign', 'local_function.onnx')))],
  [
    'external_subdir_dotdot.onnx',
    new Uint8Array(readFileSync(join(FIX, 'malicious', 'external_subdir_dotdot.onnx'))),
  ],
];

describe.each(BASES)('%s', (name, base) => {
  it('parses to a result at every truncation, marking the cut', () => {
    for (let n = 0; n < base.length; n++) {
      const m = parseOnnx(new MemorySource(base.subarray(0, n)));
      expect(m).toBeDefined();
    }
    expect(parseOnnx(new MemorySource(base)).stopped).toBeUndefined();
  });

  it(`survives ${MUTATIONS} seeded mutations`, () => {
    const rnd = prng(0x0a11 ^ base.length);
    for (let i = 0; i < MUTATIONS; i++) {
      const m = parseOnnx(new MemorySource(mutate(base, rnd)));
      expect(m.stats.nodes).toBeGreaterThanOrEqual(0);
    }
  });

  it('the handler never throws on truncated or mutated input', async () => {
    const rnd = prng(0xbad ^ base.length);
    const inputs = [
      ...Array.from({ length: Math.min(base.length, 150) }, (_, i) =>
        base.subarray(0, Math.floor((i * base.length) / 150)),
      ),
      ...Array.from({ length: 250 }, () => mutate(base, rnd)),
    ];
    for (const input of inputs) {
      await expect(
        scanWith(onnxHandler, new MemorySource(input), { path: `/nonexistent/${name}` }),
        name,
      ).resolves.toBeDefined();
    }
  });
});

describe('hostile structures', () => {
  it('1,000 nested If subgraphs stop at a limit, quickly', () => {
    const m = parseOnnx(new MemorySource(nestedIfs(1000, node({ op: 'Relu' }))));
    expect(m.stats.skippedGraphs + (m.stopped?.kind === 'limit' ? 1 : 0)).toBeGreaterThan(0);
  });

  it('messages nested past the protobuf depth limit are a limit finding', async () => {
    // Attribute → graph → node → attribute … without If semantics: 200 levels of plain nesting.
    let g = graph([node({ op: 'Relu' })]);
    for (let i = 0; i < 60; i++) g = graph([node({ op: 'Loop', graphs: { body: g } })]);
    const rec = await scanWith(onnxHandler, new MemorySource(model({ graph: g })), { limits: {} });
    expect(ruleIds(rec)).toEqual(['onnx/limit-exceeded']);
  });

  it('varint overflow in a tag and in a value is malformed', async () => {
    const badTag = Uint8Array.from([...new Array(11).fill(0xff), 0x01]);
    expect(parseOnnx(new MemorySource(badTag)).stopped?.message).toMatch(/varint overflow/);
    const badValue = pb()
      .raw([0x08, ...new Array(10).fill(0x80), 0x01])
      .build();
    const rec = await scanWith(onnxHandler, new MemorySource(badValue));
    expect(ruleIds(rec)).toEqual(['onnx/malformed']);
  });

  it('length fields past the end of the file or of their message are malformed, keeping what came before', () => {
    const bytes = pb()
      .varint(1, 8)
      .msg(7, graph([node({ op: 'Relu' }), node({ op: 'Evil', domain: 'x' })]))
      .lenHeader(7, 1_000_000)
      .build();
    const m = parseOnnx(new MemorySource(bytes));
    expect(m.stopped?.kind).toBe('malformed');
    expect(m.ops.map((o) => o.opType)).toEqual(['Relu', 'Evil']);
    const inner = pb()
      .varint(1, 8)
      .msg(7, pb().lenHeader(1, 50).raw([1, 2]))
      .build();
    expect(parseOnnx(new MemorySource(inner)).stopped?.message).toMatch(/runs past the end of its message/);
  });

  it('dims with 10,000 entries, negative dims and 2^62 dims are anomalies, not allocations', () => {
    const many = tensor({ name: 'm', dims: new Array(10_000).fill(1) });
    const neg = tensor({ name: 'n', dims: [-5, 3] });
    const huge = tensor({ name: 'h', dims: [2 ** 31, 2 ** 31] });
    const m = parseOnnx(new MemorySource(model({ graph: graph([], [many, neg, huge]) })));
    expect(m.anomalies.map((a) => a.kind)).toEqual(['bad-dims', 'bad-dims', 'huge-tensor']);
  });

  it('a packed float field of the wrong size is malformed', () => {
    const t = pb().varint(1, 1).varint(2, 1).bytes(4, [1, 2, 3]).string(8, 'w');
    expect(parseOnnx(new MemorySource(model({ graph: graph([], [t]) }))).stopped?.message).toMatch(
      /not a multiple of 4/,
    );
  });

  it('100,000 distinct custom ops cost linear time and a bounded number of findings', async () => {
    const g = pb();
    for (let i = 0; i < 100_000; i++) g.msg(1, pb().string(4, `Op${i}`).string(7, 'evil'));
    const bytes = model({ graph: g });
    const rec = await scanWith(onnxHandler, new MemorySource(bytes));
    expect(rec.findings.length).toBeLessThanOrEqual(21);
  });
});
