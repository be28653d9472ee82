import type { ByteReader } from '../../core/byte-reader.js';
import { LimitError, TruncatedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import { fixImports } from './compat-names.js';
import { PickleInput, type ReadModel } from './input.js';
import { followJoblibArray, isNumpyArrayWrapper } from './joblib.js';
import { opcodeName } from './opcodes.js';
import { step } from './ops.js';
import { StreamRecorder } from './records.js';
import type { RenderOptions } from './render.js';
import type { AnomalyKind, CallOpcode, GlobalOpcode, PickleGlobal } from './types.js';
import { type PickleValue, unknown } from './values.js';

export interface MachineOptions {
  readonly model: ReadModel;
  /** Skip joblib NumpyArrayWrapper inline arrays (joblib.load semantics). */
  readonly joblib: boolean;
  /** Record only what happens after the reading diverges from the linear joblib-aware one. */
  readonly alternate: boolean;
  readonly limits: ScanLimits;
  readonly render: RenderOptions;
  /** Analyses a nested pickle at `start` (joblib object array); returns its end, or undefined. */
  readonly onNested?: (start: number) => number | undefined;
}

/** Thrown inside the machine to stop a stream after a limit; never escapes `run`. */
class StopStream extends Error {}

/**
 * Symbolic pickle machine for one stream: CPython's C unpickler (`Modules/_pickle.c`) with every
 * side effect replaced by a record. The stack and mark stack follow `Pdata` exactly (a MARK sets a
 * fence nothing may pop below; POP removes a MARK sitting on top), the memo stores the stack top
 * (PUT/BINPUT/LONG_BINPUT at a key, MEMOIZE at the current entry count). Never recursive.
 */
export class Machine {
  readonly inp: PickleInput;
  readonly rec: StreamRecorder;
  readonly stack: PickleValue[] = [];
  readonly marks: number[] = [];
  /** Stack size at the innermost MARK: nothing below it may be popped. */
  fence = 0;
  /** Memo: dense keys in an array (the usual 0, 1, 2 …), others in a map. */
  private readonly memoDense: (PickleValue | undefined)[] = [];
  private readonly memoSparse = new Map<number, PickleValue>();
  /** Entries stored (C `memo_len`): MEMOIZE's key. */
  memoSize = 0;
  /** Protocol as the unpickler tracks it (PROTO sets it; 0 before). */
  proto = 0;
  /** Argument of the first PROTO. */
  protocol: number | undefined;
  protoCount = 0;
  /** Linear model: end offset of the current FRAME, or -1. */
  frameEnd = -1;
  /** A FRAME was crossed or nested: the c-file reading differs. */
  crossedFrame = false;
  /** A joblib inline array was skipped: a plain pickle.load reading differs. */
  skippedJoblib = false;
  joblibArrays = 0;
  complete = false;
  result: PickleValue | undefined;
  opcodeCount = 0;
  divergedAt = -1;
  /** Attributes set by BUILD on global objects, by dotted name. */
  private readonly attributes = new Map<string, PickleValue>();
  /** BUILD states by target (numpy dtypes carry their item size there). */
  readonly states = new WeakMap<PickleValue, PickleValue>();
  readonly start: number;

  constructor(
    reader: ByteReader,
    start: number,
    readonly opts: MachineOptions,
  ) {
    reader.seek(start);
    this.start = start;
    this.inp = new PickleInput(reader, opts.model);
    this.rec = new StreamRecorder(opts.render, !opts.alternate);
    if (opts.alternate) this.inp.onDiverge = (at) => this.diverge(at);
  }

  get limits(): ScanLimits {
    return this.opts.limits;
  }

  anomaly(kind: AnomalyKind, at: number, message: string): void {
    this.rec.anomaly(kind, at, message);
  }

  private limit(name: keyof ScanLimits, what: string, value: number, at: number): never {
    const msg = `pickle ${what} ${fmtInt(value)} exceeds limit ${name} ${fmtInt(this.limits[name])}`;
    this.rec.anomaly('limit', at, msg, name);
    throw new StopStream(msg);
  }

  push(v: PickleValue): void {
    this.stack.push(v);
    if (this.stack.length + this.marks.length > this.limits.maxStackDepth) {
      this.limit('maxStackDepth', 'stack depth', this.stack.length + this.marks.length, this.inp.pos);
    }
  }

  underflow(at: number, op: number, need = 1): PickleValue {
    const avail = Math.max(0, this.stack.length - this.fence);
    this.anomaly(
      'stack-underflow',
      at,
      `${opcodeName(op)} at ${at} needs ${need} stack item(s) above the mark, found ${avail}`,
    );
    return unknown(`stack underflow at ${at}`);
  }

  pop(at: number, op: number): PickleValue {
    if (this.stack.length <= this.fence) return this.underflow(at, op);
    return this.stack.pop() as PickleValue;
  }

  top(at: number, op: number): PickleValue {
    if (this.stack.length <= this.fence) return this.underflow(at, op);
    return this.stack[this.stack.length - 1] as PickleValue;
  }

  /** Pops `n` items (missing ones, after an underflow, are unknown). */
  popN(n: number, at: number, op: number): PickleValue[] {
    const avail = this.stack.length - this.fence;
    if (avail >= n) return this.stack.splice(this.stack.length - n, n);
    this.underflow(at, op, n);
    const got = avail > 0 ? this.stack.splice(this.fence, avail) : [];
    const missing: PickleValue[] = [];
    for (let i = got.length; i < n; i++) missing.push(unknown(`stack underflow at ${at}`));
    return missing.concat(got);
  }

  pushMark(): void {
    this.marks.push(this.stack.length);
    this.fence = this.stack.length;
    if (this.stack.length + this.marks.length > this.limits.maxStackDepth) {
      this.limit('maxStackDepth', 'stack depth', this.stack.length + this.marks.length, this.inp.pos);
    }
  }

  /** Pops the innermost MARK (C `marker()`); -1 and an anomaly when there is none. */
  marker(at: number, op: number): number {
    const m = this.marks.pop();
    if (m === undefined) {
      this.anomaly('mark-missing', at, `${opcodeName(op)} at ${at} needs a MARK and there is none`);
      return -1;
    }
    this.fence = this.marks.length > 0 ? (this.marks[this.marks.length - 1] as number) : 0;
    return m;
  }

  /** Removes and returns the items from stack index `i` up. */
  takeFrom(i: number): PickleValue[] {
    return i >= this.stack.length ? [] : this.stack.splice(i);
  }

  memoPut(key: number, at: number, op: number): void {
    if (this.stack.length <= this.fence) {
      this.underflow(at, op);
      return;
    }
    const v = this.stack[this.stack.length - 1] as PickleValue;
    const dense = this.memoDense;
    if (key <= dense.length) {
      const had = dense[key] !== undefined || (this.memoSparse.size > 0 && this.memoSparse.delete(key));
      if (!had) this.memoSize++;
      dense[key] = v;
    } else {
      if (!this.memoSparse.has(key)) this.memoSize++;
      this.memoSparse.set(key, v);
    }
    if (this.memoSize > this.limits.maxMemoEntries) {
      this.limit('maxMemoEntries', 'memo entries', this.memoSize, at);
    }
  }

  memoGet(key: number, at: number, op: number): void {
    let v = key < this.memoDense.length ? this.memoDense[key] : undefined;
    if (v === undefined && this.memoSparse.size > 0) v = this.memoSparse.get(key);
    if (v === undefined) {
      this.anomaly(
        'memo-miss',
        at,
        `${opcodeName(op)} ${key} at ${at} reads a memo key that was never stored`,
      );
      this.push(unknown(`memo key ${key} never stored`));
      return;
    }
    this.push(v);
  }

  global(module: string, name: string, opcode: GlobalOpcode, at: number): PickleValue {
    let m = module;
    let n = name;
    let written: { module: string; name: string } | undefined;
    if (this.proto < 3) {
      [m, n] = fixImports(module, name);
      if (m !== module || n !== name) written = { module, name };
    }
    const value: PickleValue = { t: 'global', global: this.rec.global(m, n, opcode, at, written) };
    // An attribute that an earlier BUILD on a module object replaced is what find_class returns now.
    return this.attributes.size > 0 ? (this.attributes.get(`${m}.${n}`) ?? value) : value;
  }

  call(opcode: CallOpcode, at: number, target: PickleValue, argument: PickleValue): PickleValue {
    return this.rec.call(opcode, at, target, argument);
  }

  /** BUILD: records `target.__setstate__(state)`; joblib arrays follow a wrapper's BUILD. */
  build(at: number, target: PickleValue, state: PickleValue): boolean {
    this.rec.call('BUILD', at, target, state);
    if (target.t === 'call') this.states.set(target, state);
    if (target.t === 'global') this.setAttributes(target.global, state);
    if (!isNumpyArrayWrapper(target)) return true;
    if (!this.opts.joblib) {
      this.diverge(this.inp.pos);
      return true;
    }
    return followJoblibArray(this, at, state);
  }

  /**
   * BUILD on a global (a module, class or function object) sets its attributes: from a dict state,
   * or the second item of a `(state, slotstate)` tuple. Later imports of those names get the new
   * values (sys_module_override: `torch._utils._rebuild_tensor = 'builtins'`, then STACK_GLOBAL).
   */
  private setAttributes(g: PickleGlobal, state: PickleValue): void {
    const dicts = state.t === 'tuple' ? state.items : [state];
    for (const d of dicts) {
      if (d?.t !== 'dict') continue;
      d.keys.forEach((k, i) => {
        const v = d.values[i];
        if (k.t === 'str' && !k.truncated && v) this.attributes.set(`${g.module}.${g.name}.${k.v}`, v);
      });
    }
  }

  /** Alternative interpretations start recording where they stop matching the primary one. */
  diverge(at: number): void {
    if (!this.opts.alternate || this.rec.on) return;
    this.rec.on = true;
    this.divergedAt = at;
  }

  /** Runs until STOP, the end of the bytes, an unknown opcode, or a limit. */
  run(): this {
    const inp = this.inp;
    const { maxPickleOps, maxPickleBytes } = this.limits;
    const linear = this.opts.model === 'linear';
    let at = this.start;
    let code = -1;
    try {
      for (;;) {
        at = inp.pos;
        code = -1;
        if (at - this.start >= maxPickleBytes)
          this.limit('maxPickleBytes', 'stream bytes', at - this.start, at);
        if (++this.opcodeCount > maxPickleOps)
          this.limit('maxPickleOps', 'opcode count', this.opcodeCount, at);
        if (this.frameEnd >= 0 && at >= this.frameEnd) this.frameEnd = -1;
        if (inp.remaining === 0) {
          this.opcodeCount--;
          this.anomaly('truncated', at, `pickle ends at offset ${at} without STOP`);
          break;
        }
        code = inp.u8('opcode');
        if (!step(this, code, at)) break;
        if (linear && this.frameEnd >= 0 && inp.pos > this.frameEnd) {
          this.anomaly(
            'frame-mismatch',
            at,
            `${opcodeName(code)} at ${at} runs to ${inp.pos}, past the end of its frame at ${this.frameEnd}`,
          );
          this.crossedFrame = true;
          this.frameEnd = -1;
        }
      }
    } catch (e) {
      if (e instanceof TruncatedError) {
        const what = code >= 0 ? `${opcodeName(code)} at ${at}` : `opcode at ${at}`;
        this.anomaly('truncated', at, `pickle ends before STOP: ${what} is cut off (${e.message})`);
      } else if (e instanceof LimitError) {
        this.anomaly('limit', at, `${code >= 0 ? opcodeName(code) : 'opcode'} at ${at}: ${e.message}`);
      } else if (!(e instanceof StopStream)) {
        throw e;
      }
    }
    return this;
  }
}
