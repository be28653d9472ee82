import { ByteReader } from '../../core/byte-reader.js';
import type { ByteSource } from '../../core/source.js';

const TWO32 = 0x1_0000_0000;

/**
 * Bounds-checked reads of GGUF's fixed-width fields in either byte order (GGUF v3 allows big-endian
 * files), over a windowed ByteReader. Version 1 files use 32-bit lengths and counts (`wide` false).
 */
export class GgufCursor {
  private readonly r: ByteReader;
  constructor(
    source: ByteSource,
    readonly littleEndian: boolean,
    public wide = true,
  ) {
    this.r = new ByteReader(source);
  }

  get pos(): number {
    return this.r.pos;
  }
  get remaining(): number {
    return this.r.remaining;
  }
  seek(at: number): void {
    this.r.seek(at);
  }
  skip(n: number, what: string): void {
    this.r.skip(n, what);
  }
  bytes(n: number, what: string): Uint8Array {
    return this.r.bytes(n, what);
  }

  u8(what: string): number {
    return this.r.u8(what);
  }
  u16(what: string): number {
    if (this.littleEndian) return this.r.u16le(what);
    const b = this.r.bytes(2, what);
    return ((b[0] as number) << 8) | (b[1] as number);
  }
  u32(what: string): number {
    if (this.littleEndian) return this.r.u32le(what);
    const b = this.r.bytes(4, what);
    return (
      (b[0] as number) * 0x1000000 + (((b[1] as number) << 16) | ((b[2] as number) << 8) | (b[3] as number))
    );
  }
  i32(what: string): number {
    const v = this.u32(what);
    return v > 0x7fffffff ? v - TWO32 : v;
  }
  /** Unsigned 64-bit value, exact. */
  u64(what: string): bigint {
    if (this.littleEndian) {
      const lo = this.r.u32le(what);
      const hi = this.r.u32le(what);
      return (BigInt(hi) << 32n) | BigInt(lo);
    }
    const hi = this.u32(what);
    const lo = this.u32(what);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  /** Signed 64-bit value, exact. */
  i64(what: string): bigint {
    return BigInt.asIntN(64, this.u64(what));
  }
  /**
   * A length or count: 64-bit (v2+) or 32-bit (v1), as a number. Values above 2^53 lose precision,
   * which is harmless: they exceed every file and every limit.
   */
  len(what: string): number {
    if (!this.wide) return this.u32(what);
    const a = this.u32(what);
    const b = this.u32(what);
    return this.littleEndian ? b * TWO32 + a : a * TWO32 + b;
  }
  f32(what: string): number {
    const b = this.r.bytes(4, what);
    return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0, this.littleEndian);
  }
  f64(what: string): number {
    const b = this.r.bytes(8, what);
    return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, this.littleEndian);
  }
}
