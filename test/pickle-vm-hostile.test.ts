/**
 * The pickle VM against hostile streams: the VM-level evasions of the threat catalogue (T01–T22,
 * shared/threats/model-files.md C.1), each built with PickleAssembler and asserted exactly, then
 * robustness: truncation at every offset, seeded random mutations, deep nesting, fan-out.
 */
import { describe, expect, it } from 'vitest';
import {
  ANOMALY_KINDS,
  LEGACY_TORCH_MAGIC,
  PickleAssembler,
  pickleCall,
} from '../src/formats/pickle/index.js';
import { analyze, anomaliesOf, fixture, globalsOf, only, prng, show, tracesOf } from './support/pickle-vm.js';

const P = () => new PickleAssembler();

describe('VM evasions T01-T22', () => {
  it('T01 posix.system, protocol 0 (GLOBAL) and protocol 4 (STACK_GLOBAL)', () => {
    const p0 = only(
      P().global('posix', 'system').mark().stringLine("'echo pwned'").tuple().reduce().stop().bytes(),
    );
    const p4 = only(pickleCall('posix', 'system', 'echo pwned'));
    for (const s of [p0, p4]) {
      expect(globalsOf(s)).toEqual(['posix.system']);
      expect(tracesOf(s)).toEqual(["posix.system('echo pwned')"]);
      expect(s.anomalies).toEqual([]);
      expect(s.calls[0]?.callee).toMatchObject({
        kind: 'global',
        global: { module: 'posix', name: 'system' },
      });
    }
    expect(p0.globals[0]).toMatchObject({ opcode: 'GLOBAL', offset: 0 });
    expect(p4.globals[0]?.opcode).toBe('STACK_GLOBAL');
  });

  it('T02 INST calls without REDUCE; OBJ whose result is popped is still a call', () => {
    const inst = only(P().mark().stringLine("'print(1)'").inst('__builtin__', 'exec').stop().bytes());
    expect(inst.globals[0]).toMatchObject({
      module: 'builtins',
      name: 'exec',
      opcode: 'INST',
      written: { module: '__builtin__' },
    });
    expect(tracesOf(inst)).toEqual(["builtins.exec('print(1)')"]);
    expect(inst.calls[0]?.opcode).toBe('INST');
    const obj = only(
      P()
        .proto(4)
        .mark()
        .shortBinunicode('smtplib')
        .shortBinunicode('SMTP')
        .stackGlobal()
        .shortBinunicode('127.0.0.1')
        .obj()
        .pop()
        .none()
        .stop()
        .bytes(),
    );
    expect(tracesOf(obj)).toEqual(["smtplib.SMTP('127.0.0.1')"]);
    expect(obj.anomalies).toEqual([]);
    expect(show(obj.result)).toBe('None');
  });

  it('T03 NEWOBJ and BUILD side effects are calls', () => {
    const s = only(
      P()
        .proto(4)
        .shortBinunicode('subprocess')
        .shortBinunicode('Popen')
        .stackGlobal()
        .shortBinunicode('id')
        .tuple1()
        .newobj()
        .emptyDict()
        .shortBinunicode('args')
        .shortBinunicode('ls')
        .setitem()
        .build()
        .stop()
        .bytes(),
    );
    expect(tracesOf(s)).toEqual([
      "subprocess.Popen.__new__(subprocess.Popen, 'id')",
      "subprocess.Popen.__new__(subprocess.Popen, 'id').__setstate__({'args': 'ls'})",
    ]);
  });

  it('T04 memo indirection with decoys: the memoized names, not the neighbours, are imported', () => {
    const s = only(
      P()
        .unicodeLine('os')
        .put(2)
        .pop()
        .unicodeLine('system')
        .put(3)
        .pop()
        .unicodeLine('torch')
        .put(0)
        .pop()
        .unicodeLine('LongStorage')
        .put(1)
        .pop()
        .get(2)
        .get(3)
        .stackGlobal()
        .mark()
        .unicodeLine('cat flag.txt')
        .tuple()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(globalsOf(s)).toEqual(['os.system']);
    expect(tracesOf(s)).toEqual(["os.system('cat flag.txt')"]);
    expect(s.anomalies).toEqual([]);
  });

  it('T05 memo miss after a call: the call is reported, then the miss', () => {
    const asm = P()
      .proto(4)
      .global('os', 'system')
      .unicodeLine('echo x')
      .tuple1()
      .reduce()
      .pop()
      .shortBinunicode('os')
      .memoize();
    const miss = asm.length;
    asm.binget(3);
    const sg = asm.length;
    const s = only(asm.binget(0).stackGlobal().stop().bytes());
    expect(tracesOf(s)).toEqual(["os.system('echo x')"]);
    expect(anomaliesOf(s)).toEqual([`memo-miss@${miss}`, `bad-operand@${sg + 2}`]);
    expect(s.anomalies[0]?.message).toBe(`BINGET 3 at ${miss} reads a memo key that was never stored`);
  });

  it('T06 memo type confusion: STACK_GLOBAL with an int operand is a bad operand, not a global', () => {
    const asm = P().proto(4).binint(42).memoize().shortBinunicode('os').memoize().binget(0).binget(1);
    const at = asm.length;
    const s = only(asm.stackGlobal().stop().bytes());
    expect(s.globals).toEqual([]);
    expect(s.anomalies).toEqual([
      {
        kind: 'bad-operand',
        offset: at,
        message: `STACK_GLOBAL at ${at} needs two str operands, got int 42 and str "os"`,
      },
    ]);
  });

  it('T07 memo desync via DUP: MEMOIZE stores the stack top, not the previous argument', () => {
    const s = only(
      P()
        .proto(4)
        .shortBinunicode('os')
        .dup()
        .memoize()
        .pop()
        .pop()
        .binget(0)
        .shortBinunicode('system')
        .stackGlobal()
        .shortBinunicode('cmd')
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(globalsOf(s)).toEqual(['os.system']);
    expect(tracesOf(s)).toEqual(["os.system('cmd')"]);
    expect(s.anomalies).toEqual([]);
  });

  it('T08 STACK_GLOBAL at stream start with protocol-0 STRING operands', () => {
    const s = only(
      P()
        .stringLine("'os'")
        .stringLine("'system'")
        .stackGlobal()
        .stringLine("'ls'")
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(s.globals[0]).toMatchObject({ module: 'os', name: 'system', opcode: 'STACK_GLOBAL', offset: 16 });
    expect(tracesOf(s)).toEqual(["os.system('ls')"]);
  });

  it('T09 dotted names: the attribute walk is recorded with its full dotted name', () => {
    const s = only(pickleCall('pathlib', 'os.system', 'id'));
    expect(s.globals[0]).toMatchObject({ module: 'pathlib', name: 'os.system' });
    expect(tracesOf(s)).toEqual(["pathlib.os.system('id')"]);
    const spawn = only(pickleCall('builtins', 'dict.get'));
    expect(globalsOf(spawn)).toEqual(['builtins.dict.get']);
  });

  it('T11 truncated after the payload (no STOP, or a cut-off argument): calls before the cut are kept', () => {
    const payload = P().proto(4).callP4('posix', 'system', 'id');
    const noStop = only(payload.bytes());
    expect(tracesOf(noStop)).toEqual(["posix.system('id')"]);
    expect(noStop.anomalies).toEqual([
      {
        kind: 'truncated',
        offset: payload.length,
        message: `pickle ends at offset ${payload.length} without STOP`,
      },
    ]);
    const stray = only(P().proto(4).callP4('posix', 'system', 'id').raw('X\xff\xff\x00\x00').stop().bytes());
    expect(tracesOf(stray)).toEqual(["posix.system('id')"]);
    expect(stray.anomalies.map((a) => a.kind)).toEqual(['truncated']);
    expect(stray.complete).toBe(false);
  });

  it('T12 payload in a later pickle of a multi-pickle stream', () => {
    const bytes = new Uint8Array([
      ...P().proto(2).long1([0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]).stop().bytes(),
      ...P().proto(2).binint2(1001).stop().bytes(),
      ...P().proto(2).emptyDict().stop().bytes(),
      ...P().proto(2).global('posix', 'system').shortBinstring('id').tuple1().reduce().stop().bytes(),
      ...P().proto(2).emptyList().stop().bytes(),
    ]);
    const a = analyze(bytes);
    expect(a.legacyTorch?.magic).toBe('literal');
    expect(a.streams).toHaveLength(5);
    expect(tracesOf(a.streams[3]!)).toEqual(["posix.system('id')"]);
  });

  it('T13 legacy torch magic produced by a call is still recognised, and the call is visible', () => {
    const bytes = new Uint8Array([
      ...P()
        .proto(2)
        .global('__builtin__', 'eval')
        .binunicode('0x1950A86A20F9469CFC6C')
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
      ...P().proto(2).binint2(1001).stop().bytes(),
      ...P().proto(2).emptyDict().stop().bytes(),
      ...P().proto(2).emptyList().stop().bytes(),
      ...P().proto(2).global('posix', 'system').shortBinstring('id').tuple1().reduce().stop().bytes(),
      ...[0xde, 0xad],
    ]);
    const a = analyze(bytes);
    expect(a.legacyTorch?.magic).toBe('dynamic');
    expect(tracesOf(a.streams[0]!)).toEqual(["builtins.eval('0x1950A86A20F9469CFC6C')"]);
    expect(tracesOf(a.streams[4]!)).toEqual(["posix.system('id')"]);
    expect(a.trailing).toBeUndefined();
    expect(LEGACY_TORCH_MAGIC).toBe(0x1950a86a20f9469cfc6cn);
  });

  it('T14 numpy.size/__builtins__ gadget: BUILD on a global function object is a call on that global', () => {
    const asm = P()
      .proto(4)
      .shortBinunicode('numpy')
      .shortBinunicode('size')
      .stackGlobal()
      .memoize()
      .none()
      .emptyDict()
      .shortBinunicode('shape')
      .shortBinunicode('numpy')
      .shortBinunicode('__builtins__')
      .stackGlobal()
      .setitem()
      .tuple2();
    const build = asm.length;
    const s = only(
      asm
        .build()
        .pop()
        .binget(0)
        .binget(0)
        .shortBinunicode('eval')
        .tuple2()
        .reduce()
        .shortBinunicode("print('x')")
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(globalsOf(s)).toEqual(['numpy.size', 'numpy.__builtins__']);
    expect(s.calls[0]).toMatchObject({
      opcode: 'BUILD',
      offset: build,
      callee: { kind: 'global', global: { name: 'size' } },
    });
    expect(tracesOf(s)).toEqual([
      "numpy.size.__setstate__((None, {'shape': numpy.__builtins__}))",
      "numpy.size(numpy.size, 'eval')",
      "numpy.size(numpy.size, 'eval')(\"print('x')\")",
    ]);
    expect(s.calls[2]?.callee.kind).toBe('call-result');
  });

  it('T14 variant: BUILD on a module rewrites its attributes, and later imports see the new values', () => {
    // torch._utils._rebuild_tensor = 'builtins'; then = 'eval'; STACK_GLOBAL(those two) → builtins.eval.
    const asm = P()
      .proto(4)
      .unicodeLine('torch._utils')
      .memoize()
      .unicodeLine('_rebuild_tensor')
      .memoize()
      .pop()
      .pop()
      .unicodeLine('torch')
      .unicodeLine('_utils')
      .stackGlobal()
      .memoize();
    for (const value of ['builtins', 'eval']) {
      asm.binget(2).emptyDict().binget(1).unicodeLine(value).setitem().build().pop();
      asm.binget(0).binget(1).stackGlobal();
    }
    const s = only(asm.stackGlobal().unicodeLine('1+1').tuple1().reduce().stop().bytes());
    expect(s.anomalies).toEqual([]);
    expect(globalsOf(s)).toEqual([
      'torch._utils',
      'torch._utils._rebuild_tensor',
      'torch._utils._rebuild_tensor',
      'builtins.eval',
    ]);
    expect(tracesOf(s).at(-1)).toBe("builtins.eval('1+1')");
  });

  it('T15 import trampolines: importlib → vars → dict.get, and getattr(import_module(...))', () => {
    const chain = only(
      P()
        .proto(4)
        .shortBinunicode('builtins')
        .shortBinunicode('dict.get')
        .stackGlobal()
        .shortBinunicode('builtins')
        .shortBinunicode('vars')
        .stackGlobal()
        .callP4('importlib', 'import_module', 'os')
        .tuple1()
        .reduce()
        .shortBinunicode('system')
        .tuple2()
        .reduce()
        .shortBinunicode('id')
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(globalsOf(chain)).toEqual(['builtins.dict.get', 'builtins.vars', 'importlib.import_module']);
    expect(tracesOf(chain).at(-1)).toBe(
      "builtins.dict.get(builtins.vars(importlib.import_module('os')), 'system')('id')",
    );
    const getattr = only(
      P()
        .proto(4)
        .shortBinunicode('builtins')
        .shortBinunicode('getattr')
        .stackGlobal()
        .callP4('importlib', 'import_module', 'os')
        .shortBinunicode('system')
        .tuple2()
        .reduce()
        .shortBinunicode('id')
        .tuple1()
        .reduce()
        .stop()
        .bytes(),
    );
    expect(tracesOf(getattr).at(-1)).toBe("builtins.getattr(importlib.import_module('os'), 'system')('id')");
  });
});

/** T18: FRAME declares 2 bytes, BINBYTES's length runs past it; the C unpickler reads on from the frame end. */
function frameDivergence(prefix?: (a: PickleAssembler) => void): { bytes: Uint8Array; binbytesAt: number } {
  const hidden = P().callP4('posix', 'system', 'echo hidden').stop().bytes();
  const data = new Uint8Array(0x107);
  data[0] = 0x00; // 4th byte of the length the C unpickler reads: 0x00000001
  data[1] = 0x5a; // the 1-byte payload it then reads
  data.set(hidden, 2); // …and where it continues: the hidden call
  const asm = P().proto(5);
  prefix?.(asm);
  asm.frame(2);
  const binbytesAt = asm.length;
  asm.raw([0x42, 0x07]).raw([0x01, 0x00, 0x00]).raw(data).stop();
  return { bytes: asm.bytes(), binbytesAt };
}

describe('T18 FRAME divergence', () => {
  it('reports the frame mismatch and the call the C unpickler would make', () => {
    const { bytes, binbytesAt } = frameDivergence();
    const a = analyze(bytes);
    const [primary, alt] = a.streams;
    expect(primary?.globals).toEqual([]);
    expect(primary?.anomalies).toEqual([
      {
        kind: 'frame-mismatch',
        offset: binbytesAt,
        message: `BINBYTES at ${binbytesAt} runs to ${bytes.length - 1}, past the end of its frame at ${binbytesAt + 2}`,
      },
    ]);
    expect(show(primary?.result)).toMatch(/^b'\\x00Z/);
    expect(alt).toMatchObject({
      interpretation: 'c-unpickler-file',
      parent: 0,
      divergedAt: binbytesAt + 1,
      complete: true,
    });
    expect(globalsOf(alt!)).toEqual(['posix.system']);
    expect(tracesOf(alt!)).toEqual(["posix.system('echo hidden')"]);
  });

  it('works wherever the frame sits (after a 128 KiB string, as in the published sample)', () => {
    const { bytes } = frameDivergence((a) => a.binunicode('u'.repeat(128 * 1024)).pop());
    const alt = analyze(bytes).streams.find((s) => s.interpretation === 'c-unpickler-file');
    expect(tracesOf(alt!)).toEqual(["posix.system('echo hidden')"]);
  });

  it('reports a FRAME that starts inside another', () => {
    const inner = P().frame(3).bytes();
    const s = analyze(
      P()
        .proto(4)
        .frame(inner.length + 1)
        .raw(inner)
        .raw('K')
        .raw('K\x02.')
        .bytes(),
    );
    expect(anomaliesOf(s.streams[0]!)[0]).toBe('frame-mismatch@11');
    const alt = s.streams.find((x) => x.interpretation === 'c-unpickler-file');
    expect(alt?.divergedAt).toBe(20);
    expect(show(alt?.result)).toBe('2'); // what pickle.load(BytesIO) returns for these bytes (checked with CPython 3.11)
  });

  it('records a global whose own line is where the readings part (the C reader drops the rest of the frame)', () => {
    // Linear: GLOBAL 'xos system'. C unpickler: the module line runs past the 2-byte frame, so it
    // drops 'x' and reads 'os' from the frame end: GLOBAL 'os system'.
    const bytes = P()
      .proto(4)
      .frame(2)
      .raw('cx')
      .raw('os\nsystem\n')
      .shortBinunicode('id')
      .tuple1()
      .reduce()
      .stop()
      .bytes();
    const a = analyze(bytes);
    expect(tracesOf(a.streams[0]!)).toEqual(["xos.system('id')"]);
    const alt = a.streams[1];
    expect(alt).toMatchObject({ interpretation: 'c-unpickler-file', divergedAt: 12 });
    expect(globalsOf(alt!)).toEqual(['os.system']);
    expect(tracesOf(alt!)).toEqual(["os.system('id')"]);
  });

  it('has no alternative reading for well-framed pickles', () => {
    const ok = P().proto(4).frame(3).raw('K\x01.').bytes();
    expect(analyze(ok).streams).toHaveLength(1);
  });
});

describe('T19-T22', () => {
  it('T19 FLOAT prefix and protocol 5 buffer opcodes are understood', () => {
    const s = only(new Uint8Array(Buffer.from("}F1.0\ncos\nsystem\n(S'cmd'\ntR.", 'latin1')));
    expect(globalsOf(s)).toEqual(['os.system']);
    expect(tracesOf(s)).toEqual(["os.system('cmd')"]);
    expect(s.anomalies).toEqual([]);
    const p5 = only(P().proto(5).bytearray8([1, 2]).nextBuffer().readonlyBuffer().tuple2().stop().bytes());
    expect(p5.anomalies).toEqual([]);
    expect(show(p5.result)).toBe("(bytearray(b'\\x01\\x02'), <out-of-band buffer>)");
  });

  it('T20 EXT1/EXT2/EXT4 fetch unnamed callables: each is an anomaly, and calls show the extension', () => {
    const s = only(
      P()
        .proto(2)
        .ext1(42)
        .shortBinstring('x')
        .tuple1()
        .reduce()
        .ext2(300)
        .ext4(70000)
        .tuple3()
        .stop()
        .bytes(),
    );
    expect(anomaliesOf(s)).toEqual(['ext-opcode@2', 'ext-opcode@9', 'ext-opcode@12']);
    expect(tracesOf(s)).toEqual(["<copyreg extension 42>('x')"]);
    expect(s.calls[0]?.callee).toMatchObject({ kind: 'ext', code: 42 });
  });

  it('T22 a self-referencing list renders as [[...]]', () => {
    const s = only(P().proto(2).emptyList().binput(0).binget(0).append().stop().bytes());
    expect(s.anomalies).toEqual([]);
    expect(show(s.result)).toBe('[[...]]');
  });

  it('T22 GET fan-out (billion laughs) stays bounded in time and output', () => {
    const asm = P().proto(4).shortBinunicode('lol'.repeat(20)).memoize();
    for (let level = 1; level <= 40; level++) {
      asm.mark();
      for (let i = 0; i < 10; i++) asm.longBinget(level - 1);
      asm.list().memoize();
    }
    asm.pop().raw(P().shortBinunicode('posix').shortBinunicode('system').stackGlobal().bytes());
    asm.longBinget(40).tuple1().reduce().stop();
    const s = only(asm.bytes());
    const trace = s.calls[0]?.trace ?? '';
    expect(trace.startsWith('posix.system([[[[[[[')).toBe(true);
    expect(trace.length).toBeLessThanOrEqual(801);
  });
});

/** Everything a result holds is readable: traces render, values render, kinds are known. */
function touch(a: ReturnType<typeof analyze>): void {
  for (const s of a.streams) {
    for (const c of s.calls) expect(typeof c.trace).toBe('string');
    for (const x of s.anomalies) expect(ANOMALY_KINDS).toContain(x.kind);
    show(s.result);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
  }
}

const SAMPLES: Record<string, Uint8Array> = {
  t01: pickleCall('posix', 'system', 'echo pwned'),
  t18: frameDivergence().bytes,
  plain: fixture('plain_p4.pkl'),
  p0: fixture('plain_p0.pkl'),
  joblib: fixture('joblib_arrays.joblib'),
  legacy: fixture('torch_legacy.pt'),
};

describe('robustness', () => {
  it('truncation at every offset returns a typed result; the call survives once its REDUCE is in', () => {
    for (const [name, bytes] of Object.entries(SAMPLES)) {
      for (let k = 0; k <= bytes.length; k++) {
        const a = analyze(bytes.subarray(0, k));
        touch(a);
        if (k < bytes.length && name !== 'legacy') {
          const kinds = a.streams.flatMap((s) => s.anomalies.map((x) => x.kind));
          expect(kinds.length, `${name} cut at ${k}`).toBeGreaterThan(0);
        }
      }
    }
    const t01 = SAMPLES.t01 as Uint8Array;
    expect(tracesOf(analyze(t01.subarray(0, t01.length - 1)).streams[0]!)).toEqual([
      "posix.system('echo pwned')",
    ]);
  });

  it('2,000 seeded random mutations never throw and never hang', () => {
    const rnd = prng(0x5eed);
    const names = Object.keys(SAMPLES);
    for (let i = 0; i < 2000; i++) {
      const base = SAMPLES[names[i % names.length] as string] as Uint8Array;
      const bytes = Array.from(base);
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * bytes.length);
        const op = rnd();
        const value = Math.floor(rnd() * 256);
        if (op < 0.6) bytes[at] = value;
        else if (op < 0.8) bytes.splice(at, 0, value);
        else bytes.splice(at, 1);
      }
      touch(analyze(new Uint8Array(bytes)));
    }
  });

  it('100,000 MARKs, 50,000 nested lists and a 50,000-deep call chain: no recursion, bounded rendering', () => {
    const marks = P().proto(4);
    for (let i = 0; i < 100_000; i++) marks.mark();
    const m = only(marks.none().stop().bytes());
    expect(m.anomalies.map((a) => a.kind)).toEqual(['limit']);
    expect(m.anomalies[0]?.message).toBe('pickle stack depth 100,001 exceeds limit maxStackDepth 100,000');

    const lists = P().proto(4);
    for (let i = 0; i < 50_000; i++) lists.emptyList();
    for (let i = 1; i < 50_000; i++) lists.append();
    const l = only(lists.stop().bytes());
    expect(l.anomalies).toEqual([]);
    expect(show(l.result).startsWith('[[[[[[[[')).toBe(true);

    // f(f(f(…f(None)…))): each result replaces memo slot 1.
    const chain = P().proto(4).shortBinunicode('m').shortBinunicode('f').stackGlobal().binput(0).pop();
    chain.none().binput(1).pop();
    for (let i = 0; i < 50_000; i++) chain.binget(0).binget(1).tuple1().reduce().binput(1).pop();
    const c = only(chain.binget(1).stop().bytes());
    expect(c.anomalies).toEqual([]);
    expect(c.calls).toHaveLength(50_000);
    expect(c.calls.at(-1)?.trace).toBe('m.f(m.f(m.f(m.f(m.f(m.f(…))))))');
  });

  it('a self-referencing dict and a list inside its own tuple render without looping', () => {
    const d = only(
      P().proto(2).emptyDict().binput(0).shortBinstring('me').binget(0).setitem().stop().bytes(),
    );
    expect(show(d.result)).toBe("{'me': {...}}");
    const t = only(P().proto(2).emptyList().binput(0).binget(0).tuple1().append().stop().bytes());
    expect(show(t.result)).toBe('[([...],)]');
  });
});
