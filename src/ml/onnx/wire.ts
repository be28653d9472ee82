/**
 * A protobuf wire writer: varints (int64 two's complement for negatives), length-delimited fields,
 * fixed32/fixed64. Nested messages are written by `message(no, w => ...)` into a child writer.
 */
export class Writer {
  private buf = new Uint8Array(256);
  private n = 0;

  get length(): number {
    return this.n;
  }

  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + k) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  /** A varint; negative numbers and bigints are written as 64-bit two's complement (10 bytes). */
  varint(v: number | bigint): this {
    if (typeof v === 'number' && v >= 0 && Number.isSafeInteger(v)) {
      this.room(10);
      let x = v;
      while (x >= 0x80) {
        this.buf[this.n++] = (x % 128) | 0x80;
        x = Math.floor(x / 128);
      }
      this.buf[this.n++] = x;
      return this;
    }
    if (typeof v === 'number' && !Number.isInteger(v)) throw new RangeError(`varint of non-integer ${v}`);
    let x = BigInt.asUintN(64, BigInt(v));
    this.room(10);
    while (x >= 0x80n) {
      this.buf[this.n++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
    }
    this.buf[this.n++] = Number(x);
    return this;
  }

  tag(no: number, wire: number): this {
    return this.varint(no * 8 + wire);
  }

  raw(bytes: Uint8Array): this {
    this.room(bytes.length);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
    return this;
  }

  bytesField(no: number, bytes: Uint8Array): this {
    return this.tag(no, 2).varint(bytes.length).raw(bytes);
  }

  stringField(no: number, s: string): this {
    return this.bytesField(no, new TextEncoder().encode(s));
  }

  varintField(no: number, v: number | bigint): this {
    return this.tag(no, 0).varint(v);
  }

  floatField(no: number, v: number): this {
    this.tag(no, 5);
    this.room(4);
    new DataView(this.buf.buffer, this.buf.byteOffset + this.n, 4).setFloat32(0, v, true);
    this.n += 4;
    return this;
  }

  /** A packed repeated int64 field. */
  packedVarints(no: number, vs: readonly (number | bigint)[]): this {
    const w = new Writer();
    for (const v of vs) w.varint(v);
    return this.bytesField(no, w.finish());
  }

  /** A packed repeated float field. */
  packedFloats(no: number, vs: readonly number[]): this {
    const b = new Uint8Array(vs.length * 4);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < vs.length; i++) dv.setFloat32(i * 4, vs[i] as number, true);
    return this.bytesField(no, b);
  }

  message(no: number, write: (w: Writer) => void): this {
    const w = new Writer();
    write(w);
    return this.bytesField(no, w.finish());
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}
