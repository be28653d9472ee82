/**
 * A small zip writer for hostile test inputs and the demo corpus: every field a loader might disagree on
 * can be set by hand (flags per header, names per header, CRC, sizes, offsets, ZIP64, prepended bytes).
 * It writes exactly what it is told, with no validation. Never used to read anything.
 */
import { deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  data: Uint8Array | string;
  /** Default 'stored'. */
  method?: 'stored' | 'deflate' | number;
  /** General-purpose flags written to both headers (default 0; 0x800 is added for non-ASCII names). */
  flags?: number;
  /** Overrides the flags in the local header only. */
  localFlags?: number;
  /** Overrides the flags in the central directory only. */
  centralFlags?: number;
  /** Overrides the CRC-32 in both headers (a bad CRC, T38). */
  crc?: number;
  /** Overrides the name in the local header only (T37). */
  localName?: string;
  /** Extra field bytes for both headers. */
  extra?: Uint8Array;
  /** Unix mode for the external attributes (made-by Unix), e.g. 0o120777 for a symlink. */
  unixMode?: number;
  /** Overrides the sizes written to both headers. */
  compressedSize?: number;
  uncompressedSize?: number;
  /** Overrides the local header offset in the central record. */
  localHeaderOffset?: number;
  /** Writes a data descriptor (flag 0x8, zero sizes in the local header). */
  dataDescriptor?: boolean;
}

export interface ZipOptions {
  /** Bytes before the first local header (polyglots, T35). Offsets stay relative to the zip unless `absoluteOffsets`. */
  prepend?: Uint8Array;
  /** Make stored offsets count the prepended bytes (as `zip -A` fixes them). */
  absoluteOffsets?: boolean;
  /** Bytes after the end record. */
  append?: Uint8Array;
  /** Write ZIP64 extra fields and the ZIP64 end record + locator. */
  zip64?: boolean;
  comment?: Uint8Array | string;
  /** Overrides fields of the end record. */
  eocd?: { entryCount?: number; centralSize?: number; centralOffset?: number };
  /** Omit the central directory records (keeps the end record). */
  omitCentral?: boolean;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++)
    c = (CRC_TABLE[(c ^ (data[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function bytes(d: Uint8Array | string): Uint8Array {
  return typeof d === 'string' ? new TextEncoder().encode(d) : d;
}

class Out {
  private readonly parts: number[] = [];
  get length(): number {
    return this.parts.length;
  }
  u16(v: number): this {
    this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 0x10000) & 0xffff);
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

const METHOD: Record<string, number> = { stored: 0, deflate: 8 };

interface Placed {
  spec: ZipEntrySpec;
  name: Uint8Array;
  method: number;
  crc: number;
  csize: number;
  usize: number;
  offset: number;
}

/** Builds a zip from `entries`, exactly as specified. */
export function buildZip(entries: readonly ZipEntrySpec[], opts: ZipOptions = {}): Uint8Array {
  const prepend = opts.prepend ?? new Uint8Array(0);
  const base = opts.absoluteOffsets ? prepend.length : 0;
  const out = new Out().raw(prepend);
  const placed: Placed[] = [];
  for (const spec of entries) {
    const data = bytes(spec.data);
    const method =
      typeof spec.method === 'number' ? spec.method : (METHOD[spec.method ?? 'stored'] as number);
    const payload = method === 8 ? new Uint8Array(deflateRawSync(data)) : data;
    const name = bytes(spec.name);
    const p: Placed = {
      spec,
      name,
      method,
      crc: spec.crc ?? crc32(data),
      csize: spec.compressedSize ?? payload.length,
      usize: spec.uncompressedSize ?? data.length,
      offset: out.length - prepend.length + base,
    };
    const utf8 = /[^\x20-\x7e]/.test(spec.name) ? 0x800 : 0;
    const flags = (spec.localFlags ?? spec.flags ?? 0) | utf8 | (spec.dataDescriptor ? 0x8 : 0);
    const localName = spec.localName === undefined ? name : bytes(spec.localName);
    const extra = opts.zip64 ? zip64Extra([p.usize, p.csize]) : (spec.extra ?? new Uint8Array(0));
    out
      .u32(0x04034b50)
      .u16(opts.zip64 ? 45 : 20)
      .u16(flags)
      .u16(method)
      .u16(0)
      .u16(0x21);
    if (spec.dataDescriptor) out.u32(0).u32(0).u32(0);
    else
      out
        .u32(p.crc)
        .u32(opts.zip64 ? 0xffffffff : p.csize)
        .u32(opts.zip64 ? 0xffffffff : p.usize);
    out.u16(localName.length).u16(extra.length).raw(localName).raw(extra).raw(payload);
    if (spec.dataDescriptor) out.u32(0x08074b50).u32(p.crc).u32(p.csize).u32(p.usize);
    placed.push(p);
  }
  const cdOffset = out.length - prepend.length + base;
  if (!opts.omitCentral) for (const p of placed) writeCentral(out, p, opts);
  const cdSize = out.length - prepend.length + base - cdOffset;
  const count = placed.length;
  if (opts.zip64) {
    const recordAt = out.length - prepend.length + base;
    out.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0);
    out.u64(opts.eocd?.entryCount ?? count).u64(opts.eocd?.entryCount ?? count);
    out.u64(opts.eocd?.centralSize ?? cdSize).u64(opts.eocd?.centralOffset ?? cdOffset);
    out.u32(0x07064b50).u32(0).u64(recordAt).u32(1);
  }
  const comment = bytes(opts.comment ?? '');
  const e = opts.zip64
    ? { entryCount: 0xffff, centralSize: 0xffffffff, centralOffset: 0xffffffff }
    : (opts.eocd ?? {});
  out.u32(0x06054b50).u16(0).u16(0);
  out.u16(e.entryCount ?? count).u16(e.entryCount ?? count);
  out.u32(e.centralSize ?? cdSize).u32(e.centralOffset ?? cdOffset);
  out.u16(comment.length).raw(comment);
  if (opts.append) out.raw(opts.append);
  return out.done();
}

function zip64Extra(values: number[]): Uint8Array {
  const o = new Out().u16(0x0001).u16(values.length * 8);
  for (const v of values) o.u64(v);
  return o.done();
}

function writeCentral(out: Out, p: Placed, opts: ZipOptions): void {
  const s = p.spec;
  const utf8 = /[^\x20-\x7e]/.test(s.name) ? 0x800 : 0;
  const flags = (s.centralFlags ?? s.flags ?? 0) | utf8 | (s.dataDescriptor ? 0x8 : 0);
  const offset = s.localHeaderOffset ?? p.offset;
  const extra = opts.zip64 ? zip64Extra([p.usize, p.csize, offset]) : (s.extra ?? new Uint8Array(0));
  const madeBy = s.unixMode === undefined ? 20 : (3 << 8) | 20;
  out
    .u32(0x02014b50)
    .u16(madeBy)
    .u16(opts.zip64 ? 45 : 20)
    .u16(flags)
    .u16(p.method)
    .u16(0)
    .u16(0x21);
  out.u32(p.crc);
  out.u32(opts.zip64 ? 0xffffffff : p.csize).u32(opts.zip64 ? 0xffffffff : p.usize);
  out.u16(p.name.length).u16(extra.length).u16(0).u16(0).u16(0);
  out.u32(s.unixMode === undefined ? 0 : s.unixMode * 0x10000);
  out.u32(opts.zip64 ? 0xffffffff : offset);
  out.raw(p.name).raw(extra);
}
