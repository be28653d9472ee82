import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LimitError, MalformedError, ModelguardError } from '../src/core/errors.js';
import { MemorySource } from '../src/core/source.js';
import { isNpy, type NpyHeader, parseNpyHeader, parsePyLiteral } from '../src/formats/numpy/index.js';
import { zipHandler } from '../src/scanners/archive/index.js';
import { numpyHandler } from '../src/scanners/numpy/index.js';
import { isPickleHead, ruleIds, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { buildZip } from './support/zip-writer.js';

const FIX = 'test/fixtures/archive/';
const PICKLE = SYSTEM_ID_PICKLE;
const parse = (b: Uint8Array): NpyHeader => parseNpyHeader(new MemorySource(b));

/** A .npy with a hand-written header (version 1.0), then `payload`. */
function npy(header: string, payload: Uint8Array = new Uint8Array(0), major = 1): Uint8Array {
  const h = Buffer.from(header, major === 3 ? 'utf8' : 'latin1');
  const lenBytes = major === 1 ? 2 : 4;
  const len = Buffer.alloc(lenBytes);
  if (major === 1) len.writeUInt16LE(h.length);
  else len.writeUInt32LE(h.length);
  return new Uint8Array([0x93, ...Buffer.from('NUMPY'), major, 0, ...len, ...h, ...payload]);
}

describe('python literal parser', () => {
  it('parses what numpy writes and nothing more', () => {
    const v = parsePyLiteral(
      "{'descr': [('x', '<f4'), ('y', '<i8', (2,))], 'fortran_order': False, 'shape': (3,), }",
    );
    expect(v.kind).toBe('dict');
    expect(parsePyLiteral('(1)')).toEqual({ kind: 'int', value: 1n });
    expect(parsePyLiteral('(1,)')).toEqual({ kind: 'tuple', items: [{ kind: 'int', value: 1n }] });
    expect(parsePyLiteral("u'\\x41\\n'")).toEqual({ kind: 'str', value: 'A\n' });
    expect(parsePyLiteral('[None, True, 1.5e3, -2]').kind).toBe('list');
    for (const bad of ["__import__('os')", "{'a': 1", "'open", '1 2', '{1: }', 'os.system']) {
      expect(() => parsePyLiteral(bad), bad).toThrow(MalformedError);
    }
    expect(() => parsePyLiteral(`${'['.repeat(100)}${']'.repeat(100)}`)).toThrow(LimitError);
  });
});

describe('npy header parser on numpy output', () => {
  it.each([
    ['int32.npy', "'<i4'", [3, 4], false],
    ['fortran.npy', "'<f8'", [2, 3], false],
    ['structured.npy', "[('x', '<f4'), ('y', '<i8', (2,)), ('s', '|S5')]", [3], false],
    ['unicode.npy', "'<U3'", [2], false],
    ['v2.npy', "'|u1'", [4], false],
    ['scalar.npy', "'<i2'", [], false],
    ['object.npy', "'|O'", [3], true],
    ['object_struct.npy', "[('a', '<i4'), ('o', '|O')]", [2], true],
  ] as const)('%s', (f, descr, shape, object) => {
    const b = readFileSync(FIX + f);
    expect(isNpy(b)).toBe(true);
    const h = parse(b);
    expect(h.descrText).toBe(descr);
    expect(h.shape).toEqual(shape);
    expect(h.dtype.hasObject).toBe(object);
    expect(h.facts).toEqual([]);
    if (!object) expect(h.expectedBytes).toBe(h.payloadBytes);
    else expect(isPickleHead(b.subarray(h.dataOffset))).toBe(true);
  });

  it('size mismatch, extra keys and a big header are facts', () => {
    const short = parse(
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }\n", new Uint8Array(8)),
    );
    expect(short.facts.map((f) => f.kind)).toEqual(['size-mismatch']);
    expect(short.facts[0]?.detail).toContain('EOF');
    const long = parse(
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (1,), }\n", new Uint8Array(4 + PICKLE.length)),
    );
    expect(long.facts[0]?.detail).toContain('ignores the trailing bytes');
    const extra = parse(npy("{'descr': '<i4', 'fortran_order': False, 'shape': (0,), 'x': 1}\n"));
    expect(extra.facts.map((f) => f.kind)).toEqual(['extra-keys']);
    const big = parse(
      npy(
        `{'descr': '<i4', 'fortran_order': False, 'shape': (0,)}${' '.repeat(20_000)}\n`,
        new Uint8Array(0),
        2,
      ),
    );
    expect(big.facts.map((f) => f.kind)).toEqual(['large-header']);
  });

  it('malformed headers are typed errors', () => {
    const cases = [
      new Uint8Array([0x93, 0x4e, 0x55]),
      npy("{'descr': '<i4'}"),
      npy("{'descr': '<i4', 'fortran_order': 0, 'shape': (1,)}"),
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': [1]}"),
      npy("{'descr': '<i4', 'fortran_order': False, 'shape': (-1,)}"),
      npy("__import__('os').system('id')"),
      npy("{'descr': '<i4'}", new Uint8Array(0), 9),
      new Uint8Array([0x93, ...Buffer.from('NUMPY'), 1, 0, 0xff, 0xff, 0x7b]),
    ];
    for (const c of cases) expect(() => parse(c)).toThrow(ModelguardError);
  });

  it('version 3 headers are UTF-8', () => {
    const h = parse(
      npy("{'descr': [('é', '<i4')], 'fortran_order': False, 'shape': (1,)}", new Uint8Array(4), 3),
    );
    expect(h.version.major).toBe(3);
    expect(h.dtype.itemSize).toBe(4);
  });
});

describe('numpy handler', () => {
  it('T45 object array: low finding, pickle handed to the engine with the pickle hint', async () => {
    const b = npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }\n", PICKLE);
    const rec = await scanWith(numpyHandler, new MemorySource(b));
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['numpy/object-array', 'low']]);
    const off = b.length - PICKLE.length;
    expect(rec.members.map((m) => [m.name, m.hint, m.size])).toEqual([
      [`<pickle@${off}>`, 'pickle', PICKLE.length],
    ]);
  });

  it('plain arrays are clean; mismatches and malformed headers are findings', async () => {
    expect(
      (await scanWith(numpyHandler, new MemorySource(readFileSync(`${FIX}int32.npy`)))).findings,
    ).toEqual([]);
    const mm = await scanWith(
      numpyHandler,
      new MemorySource(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (9,)}", new Uint8Array(8))),
    );
    expect(ruleIds(mm)).toEqual(['numpy/size-mismatch']);
    const bad = await scanWith(numpyHandler, new MemorySource(npy('[1, 2]')));
    expect(ruleIds(bad)).toEqual(['numpy/malformed']);
  });

  it('npz (zip of npy) with an object member reaches the pickle', async () => {
    const rec = await scanWith(zipHandler, new MemorySource(readFileSync(`${FIX}objects.npz`)));
    expect(rec.formats).toEqual(expect.arrayContaining(['npz', 'numpy']));
    expect(rec.findings.map((f) => f.ruleId)).toEqual(['numpy/object-array']);
    expect(rec.members.map((m) => [m.path, m.hint])).toEqual([
      ['o.npy', 'numpy'],
      [expect.stringMatching(/^o\.npy!\/<pickle@\d+>$/), 'pickle'],
    ]);
  });

  it('T43 npz inside a zip', async () => {
    const npz = readFileSync(`${FIX}objects.npz`);
    const rec = await scanWith(
      zipHandler,
      new MemorySource(buildZip([{ name: 'data/arrays.npz', data: npz }])),
    );
    expect(rec.members.some((m) => m.path.startsWith('data/arrays.npz!/o.npy!/<pickle@'))).toBe(true);
  });
});
