import { LimitError, TruncatedError } from './errors.js';
import { type ByteSource, MemorySource } from './source.js';

/** Default window for reads from files: big enough that per-opcode reads stay in memory. */
const WINDOW = 1 << 20;

/**
 * Sequential, bounds-checked reader over a ByteSource. Every length is compared with the bytes left
 * before anything is read or allocated. Reads from a file go through a sliding window, so memory
 * stays flat however large the file is.
 */
export class ByteReader {
  private buf: Uint8Array;
  private bufStart: number;
  private pos_: number;
  readonly start: number;
  readonly end: number;

  constructor(
    private readonly source: ByteSource,
    start = 0,
    end = source.size,
  ) {
    if (start < 0 || end < start || end > source.size) {
      throw new TruncatedError(`reader range ${start}..${end} outside source of ${source.size} bytes`, start);
    }
    this.start = start;
    this.end = end;
    this.pos_ = start;
    if (source instanceof MemorySource) {
      this.buf = source.bytes;
      this.bufStart = 0;
    } else {
      this.buf = new Uint8Array(0);
      this.bufStart = start;
    }
  }

  static of(bytes: Uint8Array): ByteReader {
    return new ByteReader(new MemorySource(bytes));
  }

  /** Absolute offset in the source. */
  get pos(): number {
    return this.pos_;
  }
  get remaining(): number {
    return this.end - this.pos_;
  }
  get atEnd(): boolean {
    return this.pos_ >= this.end;
  }

  seek(offset: number): void {
    if (offset < this.start || offset > this.end) {
      throw new TruncatedError(`seek to ${offset} outside ${this.start}..${this.end}`, offset);
    }
    this.pos_ = offset;
  }

  /** Ensures `n` bytes are available at pos and returns the index of pos in `buf`. */
  private ensure(n: number, what: string): number {
    if (n < 0 || n > this.end - this.pos_) {
      throw new TruncatedError(
        `${what}: need ${n} bytes at offset ${this.pos_}, only ${this.end - this.pos_} left`,
        this.pos_,
      );
    }
    const rel = this.pos_ - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    const len = Math.min(Math.max(n, WINDOW), this.end - this.pos_);
    this.buf = this.source.read(this.pos_, len);
    this.bufStart = this.pos_;
    return 0;
  }

  u8(what = 'u8'): number {
    const i = this.ensure(1, what);
    this.pos_ += 1;
    return this.buf[i] as number;
  }
  peekU8(): number | undefined {
    if (this.pos_ >= this.end) return undefined;
    const i = this.ensure(1, 'peek');
    return this.buf[i];
  }
  u16le(what = 'u16'): number {
    const i = this.ensure(2, what);
    this.pos_ += 2;
    return (this.buf[i] as number) | ((this.buf[i + 1] as number) << 8);
  }
  u32le(what = 'u32'): number {
    const i = this.ensure(4, what);
    this.pos_ += 4;
    const b = this.buf;
    return (
      ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16)) +
      (b[i + 3] as number) * 0x1000000
    );
  }
  i32le(what = 'i32'): number {
    const v = this.u32le(what);
    return v > 0x7fffffff ? v - 0x100000000 : v;
  }
  u64le(what = 'u64'): bigint {
    const lo = BigInt(this.u32le(what));
    const hi = BigInt(this.u32le(what));
    return (hi << 32n) | lo;
  }
  /** u64 that must fit a safe integer (lengths, offsets); larger values throw a LimitError. */
  u64leNumber(what = 'u64'): number {
    const at = this.pos_;
    const v = this.u64le(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new LimitError('safeInteger', `${what}: value ${v} at offset ${at} exceeds 2^53`, at);
    }
    return Number(v);
  }
  f64be(what = 'f64'): number {
    const i = this.ensure(8, what);
    this.pos_ += 8;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 8).getFloat64(0, false);
  }
  f32le(what = 'f32'): number {
    const i = this.ensure(4, what);
    this.pos_ += 4;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 4).getFloat32(0, true);
  }

  /** `n` bytes; a view into the window (copy it if you keep it past the next read). */
  bytes(n: number, what = 'bytes'): Uint8Array {
    const i = this.ensure(n, what);
    this.pos_ += n;
    return this.buf.subarray(i, i + n);
  }

  skip(n: number, what = 'skip'): void {
    if (n < 0 || n > this.end - this.pos_) {
      throw new TruncatedError(
        `${what}: cannot skip ${n} bytes at ${this.pos_}, ${this.end - this.pos_} left`,
        this.pos_,
      );
    }
    this.pos_ += n;
  }

  /**
   * Bytes up to (not including) the next `\n`, consuming the newline. Throws when no newline occurs
   * within `maxLength` bytes or before the end.
   */
  line(maxLength: number, what = 'line'): Uint8Array {
    const startPos = this.pos_;
    const limit = Math.min(maxLength + 1, this.end - this.pos_);
    const i = this.ensure(limit, what);
    const slice = this.buf.subarray(i, i + limit);
    const nl = slice.indexOf(0x0a);
    if (nl < 0) {
      if (limit > maxLength) {
        throw new LimitError(
          'maxLineLength',
          `${what} at ${startPos} longer than ${maxLength} bytes`,
          startPos,
        );
      }
      throw new TruncatedError(`${what} at ${startPos}: no newline before end`, startPos);
    }
    this.pos_ += nl + 1;
    return slice.subarray(0, nl);
  }

  /** Throws unless every byte was consumed. */
  expectEnd(what = 'data'): void {
    if (this.pos_ !== this.end) {
      throw new TruncatedError(
        `${what}: ${this.end - this.pos_} unexpected trailing bytes at ${this.pos_}`,
        this.pos_,
      );
    }
  }
}
