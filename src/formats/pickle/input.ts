import type { ByteReader } from '../../core/byte-reader.js';
import { TruncatedError } from '../../core/errors.js';

/**
 * `linear`: bytes are read in order, as `pickle.loads(bytes)` and pickletools read them.
 * `c-file`: as CPython's C unpickler reads a file object without peek() (BytesIO; torch.load). It
 * reads through a buffer: FRAME fills it with the frame's bytes, and a read (`_Unpickler_Read`,
 * `_Unpickler_Readline`) that needs more than the buffer holds DROPS the rest of the buffer and
 * reads fresh from the file position, i.e. from the frame's end (T18, python/cpython#154848). Only
 * bytes/bytearray payloads (`_Unpickler_ReadInto`, Python ≥ 3.8) use the rest of the buffer first.
 */
export type ReadModel = 'linear' | 'c-file';

/** Longest protocol-0 line kept; longer lines are read through and cut (`lineCut`). */
export const LINE_KEEP = 1 << 20;
/** shortAscii's char codes: one array per length, so no `length` write per string (a slow runtime call). */
const SCRATCH: number[][] = Array.from({ length: 33 }, (_, n) => new Array<number>(n).fill(0));
/** Chunk size for reading long arguments without holding them whole. */
const CHUNK = 1 << 20;

function concatAll(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The VM's view of the bytes: a ByteReader plus the read model of the loader being imitated. */
export class PickleInput {
  /** c-file model: end of the bytes the C unpickler holds in its buffer (= the file position). */
  private bufEnd: number;
  /** c-file model: offset of the first read whose result differs from a linear reading, or -1. */
  divergedAt = -1;
  /** Called once, at the first divergence (before the diverging argument is used). */
  onDiverge: ((at: number) => void) | undefined;
  /** True when the last line() was longer than LINE_KEEP and was cut. */
  lineCut = false;

  constructor(
    readonly r: ByteReader,
    readonly model: ReadModel,
  ) {
    this.bufEnd = r.pos;
  }

  get pos(): number {
    return this.r.pos;
  }
  get end(): number {
    return this.r.end;
  }
  get remaining(): number {
    return this.r.remaining;
  }

  /** `_Unpickler_Read(n)` in the c-file model: refill from the file position when the buffer is short. */
  private fresh(n: number): void {
    const pos = this.r.pos;
    if (pos + n <= this.bufEnd) return;
    if (pos < this.bufEnd) {
      this.diverged(pos);
      this.r.seek(this.bufEnd);
    }
    this.bufEnd = this.r.pos + n;
  }

  private diverged(at: number): void {
    if (this.divergedAt >= 0) return;
    this.divergedAt = at;
    this.onDiverge?.(at);
  }

  u8(what: string): number {
    if (this.model === 'c-file') this.fresh(1);
    return this.r.u8(what);
  }
  u16(what: string): number {
    if (this.model === 'c-file') this.fresh(2);
    return this.r.u16le(what);
  }
  u32(what: string): number {
    if (this.model === 'c-file') this.fresh(4);
    return this.r.u32le(what);
  }
  i32(what: string): number {
    if (this.model === 'c-file') this.fresh(4);
    return this.r.i32le(what);
  }
  /** 8-byte unsigned length; values above 2^53 come back approximate (they exceed any input). */
  u64(what: string): number {
    if (this.model === 'c-file') this.fresh(8);
    const lo = this.r.u32le(what);
    const hi = this.r.u32le(what);
    return hi * 0x100000000 + lo;
  }
  f64(what: string): number {
    if (this.model === 'c-file') this.fresh(8);
    return this.r.f64be(what);
  }

  /**
   * An n-byte argument. `into`: read as `_Unpickler_ReadInto` (bytes payloads), else as
   * `_Unpickler_Read`. `onChunk` sees every byte (pieces of at most 1 MiB); the return value is the
   * first `keep` bytes — a view, valid until the next read. Nothing larger than a chunk is held.
   */
  counted(
    n: number,
    keep: number,
    into: boolean,
    what: string,
    onChunk?: (b: Uint8Array) => void,
  ): Uint8Array {
    if (this.model === 'c-file' && !into) this.fresh(n);
    const at = this.r.pos;
    if (n > this.r.remaining) {
      throw new TruncatedError(`${what}: need ${n} bytes at offset ${at}, only ${this.r.remaining} left`, at);
    }
    let head: Uint8Array;
    if (n <= CHUNK) {
      const b = this.r.bytes(n, what);
      onChunk?.(b);
      head = n <= keep ? b : b.subarray(0, keep);
    } else if (!onChunk) {
      head = this.r.bytes(Math.min(keep, n), what).slice();
      this.r.skip(n - head.length, what);
    } else {
      head = new Uint8Array(0);
      for (let left = n, first = true; left > 0; first = false) {
        const m = Math.min(left, CHUNK);
        const b = this.r.bytes(m, what);
        if (first) head = b.slice(0, Math.min(keep, m));
        onChunk(b);
        left -= m;
      }
    }
    if (this.r.pos > this.bufEnd) this.bufEnd = this.r.pos;
    return head;
  }

  /**
   * A short string argument (`_Unpickler_Read`) when it is all ASCII, read without allocating a
   * view; undefined (position unchanged) otherwise. Most pickle strings are short ASCII names.
   */
  shortAscii(n: number, what: string): string | undefined {
    if (n > 32) return undefined;
    const r = this.r;
    const start = r.pos;
    const bufEnd = this.bufEnd;
    if (this.model === 'c-file') this.fresh(n);
    const from = r.pos;
    if (n > r.remaining) {
      throw new TruncatedError(`${what}: need ${n} bytes at offset ${from}, only ${r.remaining} left`, from);
    }
    const codes = SCRATCH[n] as number[];
    for (let i = 0; i < n; i++) {
      const c = r.u8(what);
      if (c >= 0x80) {
        r.seek(start);
        this.bufEnd = bufEnd;
        return undefined;
      }
      codes[i] = c;
    }
    if (r.pos > this.bufEnd) this.bufEnd = r.pos;
    return String.fromCharCode.apply(null, codes);
  }

  /** Skips n raw bytes the loader reads itself from the file (joblib arrays). */
  skipRaw(n: number, what: string): void {
    this.r.skip(n, what);
    if (this.r.pos > this.bufEnd) this.bufEnd = this.r.pos;
  }

  /** A text line without its `\n` (view, valid until the next read), as `_Unpickler_Readline`. */
  line(what: string): Uint8Array {
    const start = this.r.pos;
    let l = this.lineLinear(what);
    if (this.model === 'c-file' && this.r.pos > this.bufEnd) {
      if (start < this.bufEnd) {
        this.diverged(start);
        this.r.seek(this.bufEnd);
        l = this.lineLinear(what);
      }
      this.bufEnd = this.r.pos;
    }
    return l;
  }

  private lineLinear(what: string): Uint8Array {
    this.lineCut = false;
    const start = this.r.pos;
    let size = 128;
    let parts: Uint8Array[] | undefined;
    let kept = 0;
    for (;;) {
      const n = Math.min(size, this.r.remaining);
      if (n === 0) throw new TruncatedError(`${what} at ${start}: no newline before the end`, start);
      const chunk = this.r.bytes(n, what);
      const nl = chunk.indexOf(0x0a);
      const piece = nl >= 0 ? chunk.subarray(0, nl) : chunk;
      if (nl >= 0) this.r.seek(this.r.pos - n + nl + 1);
      if (nl >= 0 && parts === undefined) return piece;
      parts ??= [];
      const take = piece.subarray(0, Math.max(0, LINE_KEEP - kept));
      if (take.length > 0) parts.push(take.slice());
      kept += take.length;
      if (take.length < piece.length) this.lineCut = true;
      if (nl >= 0) return concatAll(parts, kept);
      size = Math.min(size * 4, CHUNK);
    }
  }

  /**
   * The body of a FRAME of `len` bytes. Linear: only checks the bytes exist (CPython fails on a
   * frame longer than the data). c-file: the frame is loaded into the buffer, which drops what the
   * buffer still held (a FRAME inside a FRAME), then reading rewinds to the frame's start.
   */
  frame(len: number, what: string): void {
    if (this.model === 'c-file') this.fresh(len);
    const at = this.r.pos;
    if (len > this.r.remaining) {
      throw new TruncatedError(`${what}: frame of ${len} bytes at ${at}, only ${this.r.remaining} left`, at);
    }
  }

  /** Moves to `offset` (joblib: after a nested pickle read by another unpickler). */
  seek(offset: number): void {
    this.r.seek(offset);
    if (offset > this.bufEnd) this.bufEnd = offset;
  }
}
