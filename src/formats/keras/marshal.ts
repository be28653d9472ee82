import { ByteReader } from '../../core/byte-reader.js';
import { asciiOf, utf8Of } from '../../core/bytes.js';
import { LimitError, MalformedError, ModelguardError } from '../../core/errors.js';
import { MARSHAL_LIMITS, type MarshalLimits } from './limits.js';

/**
 * A bounded reader of CPython's `marshal` format, enough to list what a marshalled code object (a
 * Keras Lambda's `function`) refers to: its names (`co_names`: globals and attributes it touches, such
 * as `system`, `popen`, `__import__`), its string constants and those of nested code objects. It only
 * reads bytes; nothing is ever executed or unmarshalled by Python.
 *
 * The code-object field layout changed between CPython versions and the stream does not say which one
 * wrote it, so each known layout is tried in turn; the first one that reads the whole stream with the
 * expected field types wins (as `marshal.loads` in that version would).
 */

/** One marshal value, as far as the summary needs it. */
type MValue =
  | { t: 'none' | 'bool' | 'int' | 'float' | 'complex' | 'other' }
  | { t: 'str'; v: string }
  | { t: 'bytes'; n: number }
  | { t: 'seq'; items: MValue[] }
  | { t: 'code'; code: CodeFields };

interface CodeFields {
  consts: MValue;
  names: MValue;
  varnames: MValue | undefined;
  filename: MValue;
  name: MValue;
  bytecodeLength: number;
}

/** The code-object layouts of CPython marshal, newest first. */
const LAYOUTS = [
  // 3.11+: argcount, posonlyargcount, kwonlyargcount, stacksize, flags; code, consts, names,
  // localsplusnames, localspluskinds, filename, name, qualname, firstlineno, linetable, exceptiontable.
  {
    id: 'CPython 3.11+',
    ints: 5,
    before: ['code', 'consts', 'names', 'varnames', 'kinds', 'filename', 'name', 'qualname'],
    after: 2,
  },
  // 3.8–3.10: argcount, posonlyargcount, kwonlyargcount, nlocals, stacksize, flags; code, consts, names,
  // varnames, freevars, cellvars, filename, name, firstlineno, lnotab/linetable.
  {
    id: 'CPython 3.8–3.10',
    ints: 6,
    before: ['code', 'consts', 'names', 'varnames', 'freevars', 'cellvars', 'filename', 'name'],
    after: 1,
  },
  // 3.0–3.7: argcount, kwonlyargcount, nlocals, stacksize, flags; same objects as 3.8.
  {
    id: 'CPython 3.0–3.7',
    ints: 5,
    before: ['code', 'consts', 'names', 'varnames', 'freevars', 'cellvars', 'filename', 'name'],
    after: 1,
  },
  // 2.x: argcount, nlocals, stacksize, flags; same objects.
  {
    id: 'CPython 2.x',
    ints: 4,
    before: ['code', 'consts', 'names', 'varnames', 'freevars', 'cellvars', 'filename', 'name'],
    after: 1,
  },
] as const;
type Layout = (typeof LAYOUTS)[number];

export interface MarshalSummary {
  /** Which CPython code layout read the stream (the Python version that wrote it). */
  layout: string;
  /** Code objects found (the function and nested lambdas, comprehensions …). */
  codeObjects: number;
  /** Function names of the code objects (`<lambda>`, `f` …). */
  functionNames: string[];
  /** `co_names` of every code object, unique, in order of appearance. */
  names: string[];
  /** String constants of every code object, unique, in order of appearance. */
  strings: string[];
  /** Local variable names. */
  varnames: string[];
  /** `co_filename` of the outermost code object. */
  filename: string | undefined;
  /** Bytes of bytecode in all code objects. */
  bytecodeBytes: number;
  /** True when a list reached its cap and more entries were dropped. */
  truncated: boolean;
}

export type MarshalResult = { ok: true; summary: MarshalSummary } | { ok: false; error: string };

class Reader {
  private readonly r: ByteReader;
  private readonly refs: (MValue | undefined)[] = [];
  private objects = 0;
  constructor(
    bytes: Uint8Array,
    private readonly layout: Layout,
    private readonly limits: MarshalLimits,
  ) {
    this.r = ByteReader.of(bytes);
  }

  get atEnd(): boolean {
    return this.r.atEnd;
  }

  private count(n: number, what: string): number {
    if (n < 0) throw new MalformedError(`marshal ${what}: negative count ${n}`, this.r.pos);
    // Every element takes at least one byte: a count beyond the bytes left is a lie.
    if (n > this.r.remaining)
      throw new MalformedError(
        `marshal ${what}: count ${n} exceeds the ${this.r.remaining} bytes left`,
        this.r.pos,
      );
    return n;
  }

  value(depth: number): MValue {
    if (depth > this.limits.maxDepth)
      throw new LimitError('maxDepth', `marshal nesting deeper than ${this.limits.maxDepth}`, this.r.pos);
    if (++this.objects > this.limits.maxObjects)
      throw new LimitError(
        'maxObjects',
        `marshal stream holds more than ${this.limits.maxObjects} objects`,
        this.r.pos,
      );
    const at = this.r.pos;
    const b = this.r.u8('marshal type');
    const flag = (b & 0x80) !== 0;
    const code = String.fromCharCode(b & 0x7f);
    let slot = -1;
    if (flag) {
      slot = this.refs.length;
      this.refs.push(undefined);
    }
    const v = this.body(code, depth, at);
    if (slot >= 0) this.refs[slot] = v;
    return v;
  }

  private str(n: number, ascii: boolean): MValue {
    const bytes = this.r.bytes(this.count(n, 'string'), 'marshal string');
    return { t: 'str', v: ascii ? asciiOf(bytes) : utf8Of(bytes) };
  }

  private seq(n: number, depth: number): MValue {
    const items: MValue[] = [];
    for (let i = 0; i < n; i++) items.push(this.value(depth + 1));
    return { t: 'seq', items };
  }

  private body(code: string, depth: number, at: number): MValue {
    const r = this.r;
    switch (code) {
      case 'N':
        return { t: 'none' };
      case 'T':
      case 'F':
        return { t: 'bool' };
      case 'S':
      case '.':
        return { t: 'other' };
      case 'i':
        r.skip(4, 'marshal int');
        return { t: 'int' };
      case 'I':
        r.skip(8, 'marshal int64');
        return { t: 'int' };
      case 'l': {
        const n = Math.abs(r.i32le('marshal long size'));
        r.skip(this.count(n, 'long digits') * 2, 'marshal long digits');
        return { t: 'int' };
      }
      case 'g':
        r.skip(8, 'marshal float');
        return { t: 'float' };
      case 'y':
        r.skip(16, 'marshal complex');
        return { t: 'complex' };
      case 'f':
        r.skip(r.u8('marshal float length'), 'marshal float text');
        return { t: 'float' };
      case 'x':
        r.skip(r.u8('marshal complex length'), 'marshal complex text');
        r.skip(r.u8('marshal complex length'), 'marshal complex text');
        return { t: 'complex' };
      case 's': {
        const n = this.count(r.i32le('marshal bytes length'), 'bytes');
        r.skip(n, 'marshal bytes');
        return { t: 'bytes', n };
      }
      case 't':
      case 'u':
        return this.str(r.i32le('marshal str length'), false);
      case 'a':
      case 'A':
        return this.str(r.i32le('marshal ascii length'), true);
      case 'z':
      case 'Z':
        return this.str(r.u8('marshal short ascii length'), true);
      case 'r':
      case 'R': {
        const idx = r.i32le('marshal ref');
        const v = idx >= 0 ? this.refs[idx] : undefined;
        if (v === undefined)
          throw new MalformedError(`marshal ref ${idx} to an unknown or unfinished object`, at);
        return v;
      }
      case '(':
      case '[':
      case '<':
      case '>':
        return this.seq(this.count(r.i32le('marshal sequence size'), 'sequence'), depth);
      case ')':
        return this.seq(r.u8('marshal small tuple size'), depth);
      case '{': {
        const items: MValue[] = [];
        for (;;) {
          if (r.peekU8() === 0x30) {
            r.skip(1);
            break;
          }
          items.push(this.value(depth + 1), this.value(depth + 1));
        }
        return { t: 'seq', items };
      }
      case ':': // 3.14 slice
        return this.seq(3, depth);
      case 'c':
        return { t: 'code', code: this.code(depth) };
      default:
        throw new MalformedError(
          `marshal type byte 0x${code.charCodeAt(0).toString(16)} is not a marshal type`,
          at,
        );
    }
  }

  private code(depth: number): CodeFields {
    this.r.skip(4 * this.layout.ints, 'marshal code header');
    const f: Record<string, MValue> = {};
    for (const name of this.layout.before) f[name] = this.value(depth + 1);
    this.r.skip(4, 'marshal code firstlineno');
    for (let i = 0; i < this.layout.after; i++) this.value(depth + 1);
    const bytecode = f['code'];
    if (bytecode?.t !== 'bytes')
      throw new MalformedError('marshal code object: co_code is not bytes', this.r.pos);
    for (const k of ['consts', 'names'] as const) {
      if (f[k]?.t !== 'seq')
        throw new MalformedError(`marshal code object: co_${k} is not a tuple`, this.r.pos);
    }
    for (const k of ['filename', 'name'] as const) {
      if (f[k]?.t !== 'str')
        throw new MalformedError(`marshal code object: co_${k} is not a string`, this.r.pos);
    }
    return {
      consts: f['consts'] as MValue,
      names: f['names'] as MValue,
      varnames: f['varnames'],
      filename: f['filename'] as MValue,
      name: f['name'] as MValue,
      bytecodeLength: bytecode.n,
    };
  }
}

class Collector {
  readonly summary: MarshalSummary;
  private readonly seen = {
    names: new Set<string>(),
    strings: new Set<string>(),
    varnames: new Set<string>(),
  };
  constructor(
    layout: string,
    private readonly max: number,
  ) {
    this.summary = {
      layout,
      codeObjects: 0,
      functionNames: [],
      names: [],
      strings: [],
      varnames: [],
      filename: undefined,
      bytecodeBytes: 0,
      truncated: false,
    };
  }

  private add(list: 'names' | 'strings' | 'varnames', v: string): void {
    if (this.seen[list].has(v)) return;
    if (this.summary[list].length >= this.max) {
      this.summary.truncated = true;
      return;
    }
    this.seen[list].add(v);
    this.summary[list].push(v);
  }

  private strs(v: MValue | undefined, list: 'names' | 'varnames'): void {
    if (v?.t !== 'seq') return;
    for (const item of v.items) if (item.t === 'str') this.add(list, item.v);
  }

  /** Walks the value tree without recursion (refs may share subtrees; each code object is counted once). */
  walk(root: MValue): void {
    const stack: MValue[] = [root];
    const visited = new Set<MValue>();
    while (stack.length > 0) {
      const v = stack.pop() as MValue;
      if (visited.has(v)) continue;
      visited.add(v);
      if (v.t === 'str') this.add('strings', v.v);
      else if (v.t === 'seq') for (let i = v.items.length - 1; i >= 0; i--) stack.push(v.items[i] as MValue);
      else if (v.t === 'code') {
        const c = v.code;
        this.summary.codeObjects++;
        this.summary.bytecodeBytes += c.bytecodeLength;
        if (c.name.t === 'str' && this.summary.functionNames.length < this.max)
          this.summary.functionNames.push(c.name.v);
        if (this.summary.filename === undefined && c.filename.t === 'str')
          this.summary.filename = c.filename.v;
        this.strs(c.names, 'names');
        this.strs(c.varnames, 'varnames');
        stack.push(c.consts);
      }
    }
  }
}

/**
 * Summarises a marshalled code object (the bytes behind a Keras Lambda's base64). Never throws for bad
 * input: a stream no CPython layout reads is `{ ok: false }` with the reason from the newest layout.
 */
export function summariseMarshal(bytes: Uint8Array, limits: MarshalLimits = MARSHAL_LIMITS): MarshalResult {
  if (bytes.length > limits.maxBytes)
    return {
      ok: false,
      error: `marshal stream of ${bytes.length} bytes exceeds maxBytes ${limits.maxBytes}`,
    };
  let firstError: string | undefined;
  for (const layout of LAYOUTS) {
    try {
      const reader = new Reader(bytes, layout, limits);
      const root = reader.value(0);
      if (!reader.atEnd) throw new MalformedError('marshal stream has trailing bytes after the object');
      if (root.t !== 'code') throw new MalformedError(`marshal stream holds a ${root.t}, not a code object`);
      const c = new Collector(layout.id, limits.maxStrings);
      c.walk(root);
      return { ok: true, summary: c.summary };
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      firstError ??= e.message;
      if (e instanceof LimitError) return { ok: false, error: e.message };
    }
  }
  return { ok: false, error: firstError ?? 'not a marshal stream' };
}
