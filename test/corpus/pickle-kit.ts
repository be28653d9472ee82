/**
 * Small helpers over PickleAssembler shared by the corpus builders. Every payload runs the harmless
 * command CMD; nothing here ever loads a pickle.
 */
import { PickleAssembler } from '../../src/formats/pickle/assembler.js';

/** The only command any sample would run if someone loaded it. */
export const CMD = 'echo modelguard-test';
/** The same as Python source, for code-string evaluators (exec, eval, timeit, cProfile.run …). */
export const CMD_PY = "__import__('os').system('echo modelguard-test')";

export type Build = (a: PickleAssembler) => void;

/** A fresh assembler run through `build`, as bytes. */
export function asm(build: Build): Uint8Array {
  const a = new PickleAssembler();
  build(a);
  return a.bytes();
}

/** PROTO `proto`, one FRAME holding everything `build` writes (STOP included), as CPython frames p4+. */
export function framed(proto: number, build: Build): Uint8Array {
  const body = asm(build);
  return new PickleAssembler().proto(proto).frame(body.length).raw(body).bytes();
}

/** Protocol 4+: `module.name` via SHORT_BINUNICODE ×2 + STACK_GLOBAL, each memoized as CPython does. */
export function stackGlobal(
  a: PickleAssembler,
  module: string,
  name: string,
  memoize = true,
): PickleAssembler {
  a.shortBinunicode(module);
  if (memoize) a.memoize();
  a.shortBinunicode(name);
  if (memoize) a.memoize();
  a.stackGlobal();
  if (memoize) a.memoize();
  return a;
}

/** Protocol 4: `posix.system(CMD)`, result left on the stack (what `os.system` pickles as on Linux). */
export function systemP4(a: PickleAssembler, module = 'posix', name = 'system'): PickleAssembler {
  return stackGlobal(a, module, name).binunicode(CMD).memoize().tuple1().memoize().reduce().memoize();
}

/** Protocol 2: `GLOBAL module name` + BINUNICODE + TUPLE1 + REDUCE, with BINPUTs from `memoBase`. */
export function systemP2(
  a: PickleAssembler,
  memoBase = 0,
  module = 'posix',
  name = 'system',
): PickleAssembler {
  return a
    .global(module, name)
    .binput(memoBase)
    .binunicode(CMD)
    .binput(memoBase + 1)
    .tuple1()
    .binput(memoBase + 2)
    .reduce()
    .binput(memoBase + 3);
}

/** Protocol 0 text: `GLOBAL` + MARK + UNICODE line + TUPLE + REDUCE with PUTs, exactly as pickle.dumps(p0). */
export function systemP0(a: PickleAssembler, module = 'posix', name = 'system'): PickleAssembler {
  return a.global(module, name).put(0).mark().unicodeLine(CMD).put(1).tuple().put(2).reduce().put(3);
}

/** `callable(*args)` where the callable is a STACK_GLOBAL and args are written by `args` (a MARK…TUPLE). */
export function callWith(a: PickleAssembler, module: string, name: string, args: Build): PickleAssembler {
  stackGlobal(a, module, name, false);
  a.mark();
  args(a);
  return a.tuple().reduce();
}

/** A list of strings: EMPTY_LIST MARK BINUNICODE… APPENDS. */
export function strList(a: PickleAssembler, items: readonly string[]): PickleAssembler {
  a.emptyList().mark();
  for (const s of items) a.binunicode(s);
  return a.appends();
}

export function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength))));
}

/** Deterministic pseudo-random bytes (xorshift32), for "random" blobs that must not change between runs. */
export function seededBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
