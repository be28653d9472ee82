/**
 * Writes GGUF files from the format description (ggml docs/gguf.md, gguf-py GGUFWriter): magic,
 * version, tensor and key/value counts, the key/values, the tensor infos, padding to the alignment,
 * then each tensor's data padded to the alignment. v1 files use 32-bit lengths; big-endian files swap
 * every field. Options break the rules on purpose for the hostile fixtures.
 */
import { GGML_TYPES } from '../../src/formats/gguf/index.js';

export const T = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  str: 8,
  arr: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufValue =
  | { t: number; v: number | bigint | boolean | string | Uint8Array }
  | {
      t: 9;
      elem: number;
      values: readonly GgufValue[] | readonly (number | bigint | boolean | string)[];
      count?: number;
    };

export const u8 = (v: number): GgufValue => ({ t: T.u8, v });
export const i8 = (v: number): GgufValue => ({ t: T.i8, v });
export const u16 = (v: number): GgufValue => ({ t: T.u16, v });
export const i32 = (v: number): GgufValue => ({ t: T.i32, v });
export const u32 = (v: number): GgufValue => ({ t: T.u32, v });
export const f32 = (v: number): GgufValue => ({ t: T.f32, v });
export const f64 = (v: number): GgufValue => ({ t: T.f64, v });
export const bool = (v: boolean): GgufValue => ({ t: T.bool, v });
export const str = (v: string | Uint8Array): GgufValue => ({ t: T.str, v });
export const u64 = (v: number | bigint): GgufValue => ({ t: T.u64, v: BigInt(v) });
export const i64 = (v: number | bigint): GgufValue => ({ t: T.i64, v: BigInt(v) });
/** An array; `count` overrides the declared length. */
export const arr = (
  elem: number,
  values: readonly GgufValue[] | readonly (number | bigint | boolean | string)[],
  count?: number,
): GgufValue => ({ t: 9, elem, values, ...(count === undefined ? {} : { count }) });

export interface GgufTensorSpec {
  name: string | Uint8Array;
  /** ne[0] first, as GGUF stores them. */
  dims: readonly (number | bigint)[];
  /** ggml type id. */
  type: number;
  /** Data offset to write instead of the computed one. */
  offset?: bigint;
}

export interface GgufBuildOptions {
  version?: number;
  bigEndian?: boolean;
  /** Alignment used for the layout (write `general.alignment` yourself to declare another). */
  alignment?: number;
  /** Counts to declare instead of the real ones. */
  tensorCount?: bigint;
  kvCount?: bigint;
  /** Write tensor data (default true); false stops after the padded tensor infos. */
  data?: boolean;
  /** Bytes appended at the end. */
  trailing?: Uint8Array;
}

class Out {
  private chunks: Uint8Array[] = [];
  length = 0;
  constructor(
    readonly le: boolean,
    readonly wide: boolean,
  ) {}
  raw(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  private num(size: number, set: (dv: DataView) => void): void {
    const b = new Uint8Array(size);
    set(new DataView(b.buffer));
    this.raw(b);
  }
  u8(v: number): void {
    this.num(1, (d) => d.setUint8(0, v & 0xff));
  }
  u16(v: number): void {
    this.num(2, (d) => d.setUint16(0, v & 0xffff, this.le));
  }
  u32(v: number): void {
    this.num(4, (d) => d.setUint32(0, v >>> 0, this.le));
  }
  u64(v: bigint): void {
    this.num(8, (d) => d.setBigUint64(0, BigInt.asUintN(64, v), this.le));
  }
  len(v: number | bigint): void {
    if (this.wide) this.u64(BigInt(v));
    else this.u32(Number(v));
  }
  string(s: string | Uint8Array): void {
    const b = typeof s === 'string' ? new TextEncoder().encode(s) : s;
    this.len(b.length);
    this.raw(b);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

function writeScalar(o: Out, t: number, v: unknown): void {
  switch (t) {
    case T.u8:
    case T.i8:
      o.u8(Number(v));
      return;
    case T.bool:
      o.u8(v === true ? 1 : v === false ? 0 : Number(v));
      return;
    case T.u16:
    case T.i16:
      o.u16(Number(v));
      return;
    case T.u32:
    case T.i32:
      o.u32(Number(v));
      return;
    case T.f32:
      o.raw(
        (() => {
          const b = new Uint8Array(4);
          new DataView(b.buffer).setFloat32(0, Number(v), o.le);
          return b;
        })(),
      );
      return;
    case T.f64:
      o.raw(
        (() => {
          const b = new Uint8Array(8);
          new DataView(b.buffer).setFloat64(0, Number(v), o.le);
          return b;
        })(),
      );
      return;
    case T.u64:
    case T.i64:
      o.u64(BigInt(v as number | bigint));
      return;
    case T.str:
      o.string(v as string | Uint8Array);
      return;
    default:
      // Invalid types are written as a u32 of nothing: the reader must stop there.
      return;
  }
}

function writeValue(o: Out, value: GgufValue, withType = true): void {
  if (withType) o.u32(value.t);
  if ('elem' in value) {
    o.u32(value.elem);
    o.len(value.count ?? value.values.length);
    for (const x of value.values) {
      if (typeof x === 'object' && x !== null && 't' in x) writeValue(o, x as GgufValue, false);
      else writeScalar(o, value.elem, x);
    }
    return;
  }
  writeScalar(o, value.t, value.v);
}

function pad(n: bigint, a: bigint): bigint {
  return ((n + a - 1n) / a) * a;
}

/** ggml byte size of a tensor (dims must be valid for its type). */
export function ggmlBytes(spec: GgufTensorSpec): bigint {
  const t = GGML_TYPES.get(spec.type);
  if (t === undefined) return 0n;
  const n = spec.dims.reduce<bigint>((a, d) => a * BigInt(d), 1n);
  return (n / BigInt(t.blockSize)) * BigInt(t.typeSize);
}

export class GgufWriter {
  private readonly kvs: { key: string | Uint8Array; value: GgufValue | Uint8Array }[] = [];
  private readonly tensors: GgufTensorSpec[] = [];

  kv(key: string | Uint8Array, value: GgufValue): this {
    this.kvs.push({ key, value });
    return this;
  }
  /** A key followed by raw bytes (its type and value written by hand). */
  rawKv(key: string | Uint8Array, bytes: Uint8Array): this {
    this.kvs.push({ key, value: bytes });
    return this;
  }
  tensor(spec: GgufTensorSpec): this {
    this.tensors.push(spec);
    return this;
  }

  /** The header (through the padded tensor infos), the data offsets and the data length. */
  head(opts: GgufBuildOptions = {}): { head: Uint8Array; dataLength: bigint } {
    const version = opts.version ?? 3;
    const o = new Out(!opts.bigEndian, version >= 2);
    const a = BigInt(opts.alignment ?? 32);
    o.raw(new Uint8Array([0x47, 0x47, 0x55, 0x46]));
    o.u32(version);
    o.len(opts.tensorCount ?? BigInt(this.tensors.length));
    o.len(opts.kvCount ?? BigInt(this.kvs.length));
    for (const { key, value } of this.kvs) {
      o.string(key);
      if (value instanceof Uint8Array) o.raw(value);
      else writeValue(o, value);
    }
    let offset = 0n;
    let dataLength = 0n;
    for (const t of this.tensors) {
      o.string(t.name);
      o.u32(t.dims.length);
      for (const d of t.dims) o.len(BigInt(d));
      o.u32(t.type);
      const at = t.offset ?? offset;
      o.u64(at);
      const n = ggmlBytes(t);
      offset = pad(offset + n, a);
      const end = pad(at + n, a);
      if (end > dataLength) dataLength = end;
    }
    if (this.tensors.length > 0) {
      const padding = Number(pad(BigInt(o.length), a) - BigInt(o.length));
      o.raw(new Uint8Array(padding));
    }
    return { head: o.bytes(), dataLength };
  }

  build(opts: GgufBuildOptions = {}): Uint8Array {
    const { head, dataLength } = this.head(opts);
    // Hostile layouts can declare absurd sizes: write at most 1 MiB of data (the rest is "missing").
    const size = dataLength > 1n << 20n ? 1 << 20 : Number(dataLength);
    const data = opts.data === false ? new Uint8Array(0) : new Uint8Array(size);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    const trailing = opts.trailing ?? new Uint8Array(0);
    const out = new Uint8Array(head.length + data.length + trailing.length);
    out.set(head, 0);
    out.set(data, head.length);
    out.set(trailing, head.length + data.length);
    return out;
  }
}

/** Encodes a value on its own (type included), for rawKv splices. */
export function encodeValue(
  value: GgufValue,
  opts: { bigEndian?: boolean; version?: number } = {},
): Uint8Array {
  const o = new Out(!opts.bigEndian, (opts.version ?? 3) >= 2);
  writeValue(o, value);
  return o.bytes();
}

/** Little-endian u32 / u64 bytes for hand-made splices. */
export function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}
export function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  return b;
}
