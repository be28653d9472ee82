/**
 * Symbolic pickle VM: every opcode family, memo/stack semantics, limits, multi-stream, and real
 * pickles made by Python, joblib, sklearn and torch (test/fixtures/pickle, from
 * scripts/fixtures/make_plain_pickles.py).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '../src/core/byte-reader.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import { FileSource, MemorySource } from '../src/core/source.js';
import {
  analyzePickle,
  looksLikePickle,
  OPCODE_BY_CODE,
  OPCODES,
  PickleAssembler,
  pickleCall,
} from '../src/formats/pickle/index.js';
import { readTar } from '../src/formats/tar/index.js';
import {
  analyze,
  anomaliesOf,
  fixture,
  globalsOf,
  only,
  PICKLE_FIXTURES,
  show,
  tracesOf,
} from './support/pickle-vm.js';

const P = () => new PickleAssembler();

describe('opcode table', () => {
  it('has the 68 opcodes of protocols 0-5 with distinct codes', () => {
    const all = Object.values(OPCODES);
    expect(all).toHaveLength(68);
    expect(new Set(all.map((o) => o.code)).size).toBe(68);
    expect(OPCODE_BY_CODE[0x95]?.name).toBe('FRAME');
    expect(OPCODE_BY_CODE[0x00]).toBeUndefined();
    for (const name of [
      'MEMOIZE',
      'NEXT_BUFFER',
      'READONLY_BUFFER',
      'BYTEARRAY8',
      'STACK_GLOBAL',
      'NEWOBJ_EX',
    ]) {
      expect(OPCODES[name as keyof typeof OPCODES]).toBeDefined();
    }
  });
});

describe('integers and floats', () => {
  it('reads every integer form with CPython semantics', () => {
    const b = P()
      .proto(2)
      .mark()
      .intLine('01')
      .intLine('00')
      .intLine(42)
      .intLine('-7')
      .intLine('0x10')
      .intLine('99999999999999999999')
      .longLine('123')
      .binint(-2)
      .binint1(255)
      .binint2(65535)
      .long1([0xff])
      .long1([])
      .long4([0, 0, 0, 0, 0, 0, 0, 0, 1])
      .tuple()
      .stop()
      .bytes();
    const s = only(b);
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe(
      '(True, False, 42, -7, 16, 99999999999999999999, 123, -2, 255, 65535, -1, 0, 18446744073709551616)',
    );
  });

  it('reads floats and rejects malformed number lines', () => {
    const good = only(
      P().mark().floatLine('1.5').floatLine('-inf').binfloat(0.25).floatLine('1e3').tuple().stop().bytes(),
    );
    expect(show(good.result)).toBe('(1.5, -inf, 0.25, 1000.0)');
    const bad = only(P().mark().intLine('12abc').floatLine('x1').longLine('1_').tuple().stop().bytes());
    expect(bad.anomalies.map((a) => a.kind)).toEqual(['invalid-value', 'invalid-value', 'invalid-value']);
    expect(bad.complete).toBe(true);
  });
});

describe('number lines stay cheap', () => {
  it('refuses decimal ints over 4,300 digits as CPython 3.11 does, and parses long lines in linear time', () => {
    expect(only(P().intLine('9'.repeat(4300)).stop().bytes()).anomalies).toEqual([]);
    expect(anomaliesOf(only(P().intLine('9'.repeat(5000)).stop().bytes()))).toEqual(['invalid-value@0']);
    const f = only(
      P()
        .floatLine(`${'1'.repeat(500_000)}x`)
        .stop()
        .bytes(),
    );
    const i = only(
      P()
        .intLine(`${'1'.repeat(500_000)} x`)
        .stop()
        .bytes(),
    );
    expect(anomaliesOf(f)).toEqual(['invalid-value@0']);
    expect(anomaliesOf(i)).toEqual(['invalid-value@0']);
  });
});

describe('strings and bytes', () => {
  it('decodes every string opcode', () => {
    const b = P()
      .proto(4)
      .mark()
      .stringLine(String.raw`'a\'b\n\x41\101'`)
      .binstring('latin')
      .shortBinstring('short')
      .unicodeLine(String.raw`snow \u2603 \U0001f600`)
      .binunicode('héllo')
      .shortBinunicode('sb')
      .binunicode8('eight')
      .tuple()
      .stop()
      .bytes();
    const s = only(b);
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe(`("a'b\\nAA", 'latin', 'short', 'snow ☃ 😀', 'héllo', 'sb', 'eight')`);
  });

  it('keeps only the length and a prefix of bytes payloads', () => {
    const big = new Uint8Array(100_000).fill(7);
    const s = only(
      P()
        .proto(5)
        .mark()
        .binbytes(big)
        .shortBinbytes([1, 2])
        .binbytes8([])
        .bytearray8([9])
        .tuple()
        .stop()
        .bytes(),
    );
    expect(show(s.result)).toBe(
      String.raw`(b'\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07\x07'…(100,000 bytes), b'\x01\x02', b'', bytearray(b'\t'))`,
    );
    const r = s.result;
    expect(r?.t === 'tuple' && r.items[0]?.t === 'bytes' && r.items[0].prefix.length).toBe(32);
  });

  it('accepts UTF-8 with encoded surrogates (surrogatepass) and rejects invalid UTF-8', () => {
    const sur = only(P().proto(4).raw([0x8c, 3, 0xed, 0xa0, 0x80]).stop().bytes());
    expect(sur.anomalies).toEqual([]);
    const bad = only(P().proto(4).raw([0x8c, 2, 0xc3, 0x28]).stop().bytes());
    expect(anomaliesOf(bad)).toEqual(['invalid-value@2']);
    const badLine = only(P().raw('cos\xff\nsystem\n').stop().bytes());
    expect(badLine.globals).toEqual([]);
    expect(anomaliesOf(badLine)).toEqual(['invalid-value@0']);
  });

  it('rejects an unquoted STRING argument', () => {
    expect(anomaliesOf(only(P().stringLine('abc').stop().bytes()))).toEqual(['invalid-value@0']);
  });
});

describe('containers', () => {
  it('builds lists, dicts, sets, frozensets and tuples', () => {
    const b = P()
      .proto(4)
      .mark()
      .emptyList()
      .binint1(1)
      .append()
      .mark()
      .binint1(2)
      .binint1(3)
      .appends()
      .emptyDict()
      .shortBinunicode('k')
      .binint1(1)
      .setitem()
      .mark()
      .shortBinunicode('j')
      .none()
      .setitems()
      .emptySet()
      .mark()
      .binint1(5)
      .additems()
      .mark()
      .binint1(6)
      .frozenset()
      .mark()
      .binint1(7)
      .list()
      .mark()
      .shortBinunicode('a')
      .binint1(1)
      .dict()
      .emptyTuple()
      .binint1(1)
      .tuple1()
      .binint1(1)
      .binint1(2)
      .tuple2()
      .binint1(1)
      .binint1(2)
      .binint1(3)
      .tuple3()
      .tuple()
      .stop()
      .bytes();
    const s = only(b);
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe(
      "([1, 2, 3], {'k': 1, 'j': None}, {5}, frozenset({6}), [7], {'a': 1}, (), (1,), (1, 2), (1, 2, 3))",
    );
  });

  it('reports an odd DICT and SETITEMS', () => {
    const s = only(P().mark().binint1(1).dict().mark().binint1(2).setitems().stop().bytes());
    expect(s.anomalies.map((a) => a.kind)).toEqual(['invalid-value', 'invalid-value']);
  });
});

describe('stack and marks (C Pdata semantics)', () => {
  it('POP removes a MARK that sits on top, POP_MARK discards to the mark, DUP copies the top', () => {
    const s = only(
      P().binint1(1).mark().pop().dup().mark().binint1(9).binint1(8).popMark().tuple2().stop().bytes(),
    );
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe('(1, 1)');
  });

  it('does not pop below the innermost MARK (the fence)', () => {
    const asm = P().proto(4).shortBinunicode('posix').shortBinunicode('system').stackGlobal().mark();
    const at = asm.length;
    const s = only(asm.shortBinunicode('id').reduce().stop().bytes());
    expect(anomaliesOf(s)).toContain(`stack-underflow@${at + 4}`);
    // The mark is never consumed, so STOP pops above it: no result can be trusted, but the call is seen.
    expect(s.calls).toHaveLength(1);
  });

  it('reports opcodes that need a MARK when there is none', () => {
    const s = only(P().binint1(1).tuple().stop().bytes());
    expect(anomaliesOf(s)).toEqual(['mark-missing@2']);
  });

  it('reports underflow on an empty stack and keeps going', () => {
    const s = only(P().pop().dup().reduce().none().stop().bytes());
    expect(anomaliesOf(s)).toEqual(['stack-underflow@0', 'stack-underflow@1', 'stack-underflow@2']);
    expect(s.complete).toBe(true);
  });
});

describe('memo', () => {
  it('stores the stack top under every PUT form and reads it back with every GET form', () => {
    const s = only(
      P()
        .proto(4)
        .shortBinunicode('a')
        .put(5)
        .binput(6)
        .longBinput(70000)
        .memoize()
        .pop()
        .mark()
        .get(5)
        .binget(6)
        .longBinget(70000)
        .binget(3)
        .tuple()
        .stop()
        .bytes(),
    );
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe("('a', 'a', 'a', 'a')");
  });

  it('MEMOIZE uses the number of entries, not the highest key', () => {
    const s = only(P().proto(4).binint1(1).binput(10).memoize().pop().binget(1).stop().bytes());
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe('1');
  });

  it('shares values: an APPEND after GET is visible through every reference', () => {
    const s = only(
      P().proto(2).emptyList().binput(0).binint1(1).append().binget(0).binget(0).tuple2().stop().bytes(),
    );
    expect(show(s.result)).toBe('([1], [1])');
    const r = s.result;
    expect(r?.t === 'tuple' && r.items[0] === r.items[1]).toBe(true);
  });
});

describe('globals, calls, persistent ids', () => {
  it('applies fix_imports to protocol 0-2 globals only', () => {
    const p2 = only(P().proto(2).global('__builtin__', 'eval').stop().bytes());
    expect(p2.globals[0]).toMatchObject({
      module: 'builtins',
      name: 'eval',
      written: { module: '__builtin__', name: 'eval' },
    });
    const p3 = only(P().proto(3).global('__builtin__', 'eval').stop().bytes());
    expect(globalsOf(p3)).toEqual(['__builtin__.eval']);
    const renamed = only(P().global('copy_reg', '_reconstructor').stop().bytes());
    expect(globalsOf(renamed)).toEqual(['copyreg._reconstructor']);
  });

  it('records NEWOBJ, NEWOBJ_EX, OBJ, INST, REDUCE and BUILD calls with readable traces', () => {
    const b = P()
      .proto(4)
      .mark()
      .shortBinunicode('m')
      .shortBinunicode('C')
      .stackGlobal()
      .memoize()
      .binint1(1)
      .tuple1()
      .newobj()
      .binget(0)
      .emptyTuple()
      .emptyDict()
      .shortBinunicode('k')
      .binint1(2)
      .setitem()
      .newobjEx()
      .mark()
      .binget(0)
      .binint1(3)
      .obj()
      .mark()
      .binint1(4)
      .inst('m', 'D')
      .binget(0)
      .emptyTuple()
      .reduce()
      .emptyDict()
      .shortBinunicode('x')
      .none()
      .setitem()
      .build()
      .tuple()
      .stop()
      .bytes();
    const s = only(b);
    expect(s.anomalies).toEqual([]);
    expect(globalsOf(s)).toEqual(['m.C', 'm.D']);
    expect(s.calls.map((c) => c.opcode)).toEqual(['NEWOBJ', 'NEWOBJ_EX', 'OBJ', 'INST', 'REDUCE', 'BUILD']);
    expect(tracesOf(s)).toEqual([
      'm.C.__new__(m.C, 1)',
      'm.C.__new__(m.C, k=2)',
      'm.C(3)',
      'm.D(4)',
      'm.C()',
      "m.C().__setstate__({'x': None})",
    ]);
    expect(s.calls[5]?.callee).toEqual({
      kind: 'call-result',
      callOffset: s.calls[4]?.offset,
      description: expect.any(String),
    });
  });

  it('records persistent ids (PyTorch storages) without treating them as anomalies', () => {
    const s = only(
      P()
        .proto(2)
        .persid('storage0')
        .mark()
        .shortBinunicode('storage')
        .binint1(0)
        .tuple()
        .binpersid()
        .tuple2()
        .stop()
        .bytes(),
    );
    expect(s.anomalies).toEqual([]);
    expect(s.persistentIds.map((p) => [p.opcode, show(p.id)])).toEqual([
      ['PERSID', "'storage0'"],
      ['BINPERSID', "('storage', 0)"],
    ]);
    expect(show(s.result)).toBe("(persistent_load('storage0'), persistent_load(('storage', 0)))");
  });
});

describe('PROTO and STOP', () => {
  it('reports a PROTO that is not first or repeats, and an unsupported protocol', () => {
    const s = only(P().proto(2).proto(3).raw([0x80, 9]).none().stop().bytes());
    expect(anomaliesOf(s)).toEqual(['misplaced-proto@2', 'misplaced-proto@4', 'invalid-value@4']);
    expect(s.protocol).toBe(2);
  });

  it('stops a stream at an unknown opcode and keeps what it recorded', () => {
    const s = only(P().raw('cos\nsystem\n').raw([0x00, 0x01]).bytes());
    expect(globalsOf(s)).toEqual(['os.system']);
    expect(anomaliesOf(s)).toEqual(['unknown-opcode@11']);
    expect(s.complete).toBe(false);
  });
});

describe('limits (named in the message)', () => {
  const body = P().proto(4).mark().binint1(1).binint1(2).binint1(3).tuple().stop().bytes();
  it('maxPickleOps', () => {
    const s = only(body, {}, { maxPickleOps: 3 });
    expect(s.anomalies).toEqual([
      {
        kind: 'limit',
        offset: 5,
        message: 'pickle opcode count 4 exceeds limit maxPickleOps 3',
        limit: 'maxPickleOps',
      },
    ]);
  });
  it('maxStackDepth, maxMemoEntries, maxPickleBytes', () => {
    expect(only(body, {}, { maxStackDepth: 2 }).anomalies[0]?.message).toBe(
      'pickle stack depth 3 exceeds limit maxStackDepth 2',
    );
    const memo = P().proto(4).none().memoize().memoize().memoize().stop().bytes();
    expect(only(memo, {}, { maxMemoEntries: 2 }).anomalies[0]?.message).toBe(
      'pickle memo entries 3 exceeds limit maxMemoEntries 2',
    );
    expect(only(body, {}, { maxPickleBytes: 4 }).anomalies[0]?.limit).toBe('maxPickleBytes');
  });
  it('formats large numbers with separators', () => {
    const s = only(body, {}, { maxPickleOps: 2_500_000 - 2_499_998 });
    expect(s.anomalies[0]?.message).toBe('pickle opcode count 3 exceeds limit maxPickleOps 2');
  });
});

describe('multiple pickles in one stream', () => {
  it('reads pickles back to back and reports bytes that are not a pickle', () => {
    const first = P().proto(2).none().stop().bytes();
    const second = pickleCall('posix', 'system', 'id');
    const two = new Uint8Array([...first, ...second, 0x0a]);
    const end = first.length + second.length;
    const a = analyze(two);
    expect(a.streams.map((s) => [s.start, s.end, s.complete])).toEqual([
      [0, first.length, true],
      [first.length, end, true],
    ]);
    expect(tracesOf(a.streams[1]!)).toEqual(["posix.system('id')"]);
    expect(a.trailing).toEqual({ offset: end, length: 1 });
    expect(anomaliesOf(a.streams[1]!)).toEqual([`trailing-data@${end}`]);
    const single = analyze(two, { multi: false });
    expect(single.streams).toHaveLength(1);
    expect(single.trailing).toEqual({ offset: first.length, length: second.length + 1 });
  });

  it('stops at maxPicklesPerStream', () => {
    const many = new Uint8Array(Array.from({ length: 5 }, () => [0x80, 2, 0x4e, 0x2e]).flat());
    const a = analyze(many, {}, { maxPicklesPerStream: 3 });
    expect(a.streams).toHaveLength(3);
    expect(a.streams[2]?.anomalies[0]?.message).toBe('pickle count 4 exceeds limit maxPicklesPerStream 3');
  });

  it('recognises a real legacy torch.save file and leaves its raw storages alone', () => {
    const a = analyze(fixture('torch_legacy.pt'));
    expect(a.legacyTorch?.magic).toBe('literal');
    expect(a.streams).toHaveLength(5);
    expect(a.trailing).toBeUndefined();
    expect(a.streams.flatMap((s) => s.anomalies)).toEqual([]);
    expect(globalsOf(a.streams[3]!)).toEqual([
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
      'collections.OrderedDict',
    ]);
    expect(a.streams[3]?.persistentIds).toHaveLength(2);
    expect(a.legacyTorch?.storagesOffset).toBe(a.streams[4]?.end);
  });
});

describe('real benign pickles (Python 3.11 pickle.dumps, protocols 0-5)', () => {
  const expected: Record<number, string[]> = {
    0: [
      '_codecs.encode',
      'builtins.bytearray',
      'builtins.set',
      'builtins.frozenset',
      'collections.OrderedDict',
    ],
    1: [
      '_codecs.encode',
      'builtins.bytearray',
      'builtins.set',
      'builtins.frozenset',
      'collections.OrderedDict',
    ],
    2: [
      '_codecs.encode',
      'builtins.bytearray',
      'builtins.set',
      'builtins.frozenset',
      'collections.OrderedDict',
    ],
    3: ['builtins.bytearray', 'builtins.set', 'builtins.frozenset', 'collections.OrderedDict'],
    4: ['builtins.bytearray', 'collections.OrderedDict'],
    5: ['collections.OrderedDict'],
  };
  for (const proto of [0, 1, 2, 3, 4, 5]) {
    it(`plain_p${proto}.pkl parses with no anomaly and exactly the expected globals`, () => {
      const a = analyze(fixture(`plain_p${proto}.pkl`));
      expect(a.streams).toHaveLength(1);
      const s = a.streams[0]!;
      expect(s.anomalies).toEqual([]);
      expect(s.complete).toBe(true);
      expect(s.protocol).toBe(proto >= 2 ? proto : undefined);
      expect(new Set(globalsOf(s))).toEqual(new Set(expected[proto]));
      expect(show(s.result)).toContain("'text': 'héllo wörld ☃ 😀'");
      expect(show(s.result)).toContain(
        "'big': 1606938044258990275541962092341162602522202993782792835313721",
      );
    });
  }

  it('numpy arrays (protocol 2 and 5), an sklearn model', () => {
    expect(globalsOf(only(fixture('numpy_p2.pkl')))).toEqual([
      'numpy.core.multiarray._reconstruct',
      'numpy.ndarray',
      '_codecs.encode',
      'numpy.dtype',
    ]);
    const p5 = only(fixture('numpy_p5.pkl'));
    expect(p5.anomalies).toEqual([]);
    expect(globalsOf(p5)).toEqual(['numpy.core.numeric._frombuffer', 'numpy.dtype']);
    const sk = only(fixture('sklearn_logreg_p4.pkl'));
    expect(sk.anomalies).toEqual([]);
    expect(new Set(globalsOf(sk))).toEqual(
      new Set([
        'sklearn.linear_model._logistic.LogisticRegression',
        'numpy.core.multiarray._reconstruct',
        'numpy.ndarray',
        'numpy.dtype',
      ]),
    );
  });

  it('reads through a FileSource window as through memory', () => {
    const path = `${PICKLE_FIXTURES}/plain_p4.pkl`;
    const src = new FileSource(path);
    try {
      const a = analyzePickle(new ByteReader(src), DEFAULT_LIMITS);
      expect(globalsOf(a.streams[0]!)).toEqual(['builtins.bytearray', 'collections.OrderedDict']);
    } finally {
      src.close();
    }
  });
});

describe('joblib (uncompressed, joblib 1.2 NumpyPickler)', () => {
  it('skips inline array bytes and analyses the nested object-array pickle', () => {
    const a = analyze(fixture('joblib_arrays.joblib'));
    const [top, nested] = a.streams;
    expect(top?.anomalies).toEqual([]);
    expect(top?.complete).toBe(true);
    expect(top?.end).toBe(fixture('joblib_arrays.joblib').length);
    expect(top?.joblibArrays).toBe(8);
    expect(globalsOf(top!)).toEqual([
      'joblib.numpy_pickle.NumpyArrayWrapper',
      'numpy.ndarray',
      'numpy.dtype',
    ]);
    expect(nested).toMatchObject({ role: 'joblib-object-array', parent: 0, complete: true, anomalies: [] });
    expect(globalsOf(nested!)).toEqual([
      'numpy.core.multiarray._reconstruct',
      'numpy.ndarray',
      '_codecs.encode',
      'numpy.dtype',
    ]);
    expect(show(top?.result)).toContain("'f4_2d': <numpy array dtype='f4' shape=(2, 3)>");
    // The plain-pickle reading of the same bytes diverges after the first wrapper and records nothing.
    const alt = a.streams.find((s) => s.interpretation === 'without-joblib');
    expect(alt?.globals).toEqual([]);
  });

  it('handles arrays written without alignment padding (file without tell())', () => {
    const a = analyze(fixture('joblib_unaligned.joblib'));
    expect(a.streams[0]?.anomalies).toEqual([]);
    expect(a.streams[0]?.joblibArrays).toBe(2);
    expect(a.streams[1]?.role).toBe('joblib-object-array');
  });

  it('fails closed when an array size cannot be determined', () => {
    const asm = P()
      .proto(4)
      .shortBinunicode('joblib.numpy_pickle')
      .shortBinunicode('NumpyArrayWrapper')
      .stackGlobal()
      .emptyTuple()
      .newobj()
      .emptyDict()
      .shortBinunicode('shape')
      .shortBinunicode('oops')
      .setitem();
    const at = asm.length;
    const s = only(asm.build().stop().bytes());
    expect(anomaliesOf(s)).toEqual([`joblib-array@${at}`]);
    expect(s.complete).toBe(false);
  });
});

describe('looksLikePickle', () => {
  const t = (s: string) => looksLikePickle(new Uint8Array(Buffer.from(s, 'latin1')));
  it('sniffs protocol 2-5 and plausible protocol 0/1 starts', () => {
    expect(t('\x80\x04\x95')).toBe(true);
    expect(t('\x80\x02]q\x00.')).toBe(true);
    expect(t('cos\nsystem\n(S')).toBe(true);
    expect(t('(dp0\nS')).toBe('maybe');
    expect(t(']q\x00.')).toBe('maybe');
    expect(t('}')).toBe('maybe');
    expect(t("S'abc'\n")).toBe('maybe');
    expect(t('I42\n.')).toBe('maybe');
    expect(t('N.')).toBe('maybe');
    expect(t('\x80\x09')).toBe(false);
    expect(t('PK\x03\x04\x14\x00\x00\x00\x08\x00'.padEnd(64, '\x00'))).toBe(false);
    expect(t('\x89PNG\r\n')).toBe('maybe');
    expect(t('hello world')).toBe(false);
    expect(t('')).toBe(false);
    expect(t('.')).toBe(false);
  });
});

describe('scale', () => {
  /** The layout torch.save writes for {f'w{i}': torch.zeros(1)}: ~30 opcodes and 2 calls per tensor. */
  function torchLikeDataPkl(tensors: number): Uint8Array {
    // Memo slots 1-5 hold the shared globals and strings; per-tensor values go to 6, 7, 8 …
    const a = P().proto(2).emptyDict().binput(0).mark();
    let memo = 6;
    const put = () => a.longBinput(memo++);
    for (let i = 0; i < tensors; i++) {
      a.binunicode(`w${i}`);
      put();
      if (i === 0) a.global('torch._utils', '_rebuild_tensor_v2').binput(1);
      else a.binget(1);
      a.mark().mark();
      if (i === 0) a.binunicode('storage').binput(2).global('torch', 'FloatStorage').binput(3);
      else a.binget(2).binget(3);
      a.binunicode(String(i));
      put();
      if (i === 0) a.binunicode('cpu').binput(4);
      else a.binget(4);
      a.binint1(1).tuple();
      put();
      a.binpersid().binint1(0).binint1(1).tuple1();
      put();
      a.binint1(1).tuple1();
      put();
      a.bool(false);
      if (i === 0) a.global('collections', 'OrderedDict').binput(5);
      else a.binget(5);
      a.emptyTuple().reduce();
      put();
      a.tuple();
      put();
      a.reduce();
      put();
    }
    return a.setitems().stop().bytes();
  }

  it('analyses a 20,000-tensor checkpoint pickle (600k opcodes) with flat memory per GET (speed: bench/)', () => {
    const bytes = torchLikeDataPkl(20_000);
    const s = only(bytes);
    expect(s.anomalies).toEqual([]);
    expect(s.opcodeCount).toBeGreaterThan(600_000);
    expect(s.calls).toHaveLength(40_000);
    expect(s.persistentIds).toHaveLength(20_000);
    expect(globalsOf(s)).toEqual([
      'torch._utils._rebuild_tensor_v2',
      'torch.FloatStorage',
      'collections.OrderedDict',
    ]);
    expect(s.calls.at(-1)?.trace).toBe(
      "torch._utils._rebuild_tensor_v2(persistent_load(('storage', torch.FloatStorage, '19999', 'cpu', 1)), 0, (1,), (1,), False, collections.OrderedDict())",
    );
  });
});

describe('legacy tar torch members (T42): pickles with raw bytes between them', () => {
  const BENIGN_TAR = new URL('./fixtures/benign/legacy_tar.pt', import.meta.url);
  function member(name: string): Uint8Array {
    const tar = readTar(new MemorySource(new Uint8Array(readFileSync(BENIGN_TAR))), DEFAULT_LIMITS);
    const e = tar.entries.find((x) => x.name === name);
    if (!e) throw new Error(`no ${name}`);
    return e.source.read(0, e.source.size);
  }

  it('follows the storages and tensors layouts of a real torch 1.13 tar checkpoint', () => {
    for (const name of ['storages', 'tensors'] as const) {
      const a = analyze(member(name), { torchTar: name });
      expect(a.torchTar, name).toEqual({ member: name, followed: true });
      expect(a.trailing, name).toBeUndefined();
      expect(
        a.streams.flatMap((s) => s.anomalies),
        name,
      ).toEqual([]);
    }
    const storages = analyze(member('storages'), { torchTar: 'storages' });
    expect(storages.streams.map((s) => show(s.result))).toEqual([
      '1',
      "(1, 'cpu', torch.FloatStorage)",
      '[]',
    ]);
    // Read as plain back-to-back pickles, the raw storage bytes are trailing data.
    expect(analyze(member('storages')).trailing).toBeDefined();
  });

  it('falls back to back-to-back pickles (fail closed) when a pickle is not what torch expects', () => {
    const payload = pickleCall('posix', 'system', 'id');
    const a = analyze(new Uint8Array([...payload, ...P().proto(2).emptyList().stop().bytes()]), {
      torchTar: 'storages',
    });
    expect(a.torchTar).toEqual({
      member: 'storages',
      followed: false,
      note: "the first pickle of 'storages' is not a count",
    });
    expect(tracesOf(a.streams[0]!)).toEqual(["posix.system('id')"]);
    const cut = member('storages').subarray(0, 60);
    const c = analyze(cut, { torchTar: 'storages' });
    expect(c.torchTar?.followed).toBe(false);
    expect(c.streams.flatMap((s) => s.anomalies).length).toBeGreaterThan(0);
  });
});
