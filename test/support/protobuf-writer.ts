/**
 * A minimal protobuf encoder for building test inputs (ONNX, SavedModel) byte by byte: fields are
 * written in the order they are added, so tests control field order, repetition, wire types and
 * malformations (raw bytes) exactly.
 */
const enc = new TextEncoder();

function varintBytes(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}

export class Pb {
  /** Chunks in order: small number arrays and whole byte arrays (no spreading of big arrays). */
  private readonly chunks: Array<number[] | Uint8Array> = [];
  private get out(): number[] {
    const last = this.chunks[this.chunks.length - 1];
    if (Array.isArray(last)) return last;
    const fresh: number[] = [];
    this.chunks.push(fresh);
    return fresh;
  }

  private tag(no: number, wire: number): this {
    this.out.push(...varintBytes(BigInt(no) * 8n + BigInt(wire)));
    return this;
  }

  /** Varint field (negative numbers take 10 bytes, as int64). */
  varint(no: number, v: number | bigint): this {
    this.tag(no, 0);
    this.out.push(...varintBytes(v));
    return this;
  }
  fixed32(no: number, v: number): this {
    this.tag(no, 5);
    this.out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    return this;
  }
  float(no: number, v: number): this {
    const b = new Uint8Array(new Float32Array([v]).buffer);
    this.tag(no, 5);
    this.out.push(...b);
    return this;
  }
  fixed64(no: number, v: bigint): this {
    this.tag(no, 1);
    for (let i = 0n; i < 8n; i++) this.out.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  bytes(no: number, b: Uint8Array | readonly number[]): this {
    this.tag(no, 2);
    this.out.push(...varintBytes(b.length));
    this.chunks.push(b instanceof Uint8Array ? b : Uint8Array.from(b));
    return this;
  }
  string(no: number, s: string): this {
    return this.bytes(no, enc.encode(s));
  }
  msg(no: number, m: Pb): this {
    return this.bytes(no, m.build());
  }
  /** Packed repeated varints. */
  packed(no: number, values: readonly (number | bigint)[]): this {
    return this.bytes(no, Uint8Array.from(values.flatMap((v) => varintBytes(v))));
  }
  /** A group (deprecated wire types 3/4) around `inner`. */
  group(no: number, inner: Pb): this {
    this.tag(no, 3);
    this.chunks.push(inner.build());
    return this.tag(no, 4);
  }
  /** Raw bytes, for malformed input. */
  raw(b: readonly number[] | Uint8Array): this {
    this.chunks.push(b instanceof Uint8Array ? b : Uint8Array.from(b));
    return this;
  }
  /** A LEN field header claiming `length` bytes, without the payload. */
  lenHeader(no: number, length: number | bigint): this {
    this.tag(no, 2);
    this.out.push(...varintBytes(length));
    return this;
  }
  build(): Uint8Array {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    const out = new Uint8Array(n);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

export const pb = (): Pb => new Pb();
export { varintBytes };
