import { TruncatedError } from '../../core/errors.js';
import { type ByteSource, MemorySource } from '../../core/source.js';

/**
 * Bytes fetched per refill. Small on purpose: a protobuf walk over a big model jumps past every
 * tensor payload, and each jump refills the window at the next field; 64 KiB (the FileSource
 * read-ahead) keeps a 300-tensor model at ~20 MB read instead of ~300 MB with 1 MiB windows.
 */
export const CURSOR_WINDOW = 64 << 10;

/**
 * A positioned, bounds-checked byte cursor over a ByteSource with a small sliding window (the whole
 * buffer for in-memory sources). `skip` and `seek` never read; reads past the source end throw
 * TruncatedError.
 */
export class Cursor {
  private buf: Uint8Array;
  private bufStart: number;
  private p = 0;
  readonly size: number;

  constructor(private readonly source: ByteSource) {
    this.size = source.size;
    if (source instanceof MemorySource) {
      this.buf = source.bytes;
      this.bufStart = 0;
    } else {
      this.buf = new Uint8Array(0);
      this.bufStart = 0;
    }
  }

  get pos(): number {
    return this.p;
  }

  seek(offset: number): void {
    if (offset < 0 || offset > this.size)
      throw new TruncatedError(`seek to ${offset} outside 0..${this.size}`, offset);
    this.p = offset;
  }

  skip(n: number, what: string): void {
    if (n < 0 || n > this.size - this.p)
      throw new TruncatedError(
        `${what}: cannot skip ${n} bytes at ${this.p}, ${this.size - this.p} left`,
        this.p,
      );
    this.p += n;
  }

  /** Index in `buf` of `n` bytes at pos, refilling the window when needed. */
  private ensure(n: number, what: string): number {
    if (n > this.size - this.p)
      throw new TruncatedError(
        `${what}: need ${n} bytes at offset ${this.p}, only ${this.size - this.p} left`,
        this.p,
      );
    const rel = this.p - this.bufStart;
    if (rel >= 0 && rel + n <= this.buf.length) return rel;
    this.buf = this.source.read(this.p, Math.min(Math.max(n, CURSOR_WINDOW), this.size - this.p));
    this.bufStart = this.p;
    return 0;
  }

  u8(what: string): number {
    const i = this.ensure(1, what);
    this.p++;
    return this.buf[i] as number;
  }

  u32le(what: string): number {
    const i = this.ensure(4, what);
    this.p += 4;
    const b = this.buf;
    return (
      ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16)) +
      (b[i + 3] as number) * 0x1000000
    );
  }

  f32le(what: string): number {
    const i = this.ensure(4, what);
    this.p += 4;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 4).getFloat32(0, true);
  }

  /** `n` bytes at pos: a view into the window (copy it to keep it past the next read). */
  bytes(n: number, what: string): Uint8Array {
    const i = this.ensure(n, what);
    this.p += n;
    return this.buf.subarray(i, i + n);
  }
}
