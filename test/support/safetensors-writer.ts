/**
 * Writes safetensors files from the format description (huggingface/safetensors `serialize`): an
 * 8-byte little-endian header length, a compact JSON header padded with spaces to a multiple of 8,
 * then the tensors back to back, ordered by descending dtype (alignment) then name. Options break the
 * rules on purpose for the hostile fixtures.
 */
import { SAFETENSORS_DTYPE_BITS } from '../../src/formats/safetensors/index.js';

export interface StTensor {
  name: string;
  dtype: string;
  shape: readonly (number | bigint)[];
  /** Tensor bytes; default: a deterministic pattern of the right size. */
  data?: Uint8Array;
  /** data_offsets to write instead of the real ones. */
  offsets?: readonly [number | bigint, number | bigint];
  /** Extra JSON text spliced into the entry (e.g. `,"dtype":"U8"` for a duplicate field). */
  extraJson?: string;
}

export interface StOptions {
  /** `__metadata__` (any JSON value; the reference only accepts an object of strings). */
  metadata?: unknown;
  /** Use this exact header text instead of the generated one. */
  rawHeader?: string | Uint8Array;
  /** Header length to write instead of the real one. */
  lengthOverride?: bigint;
  /** Bytes appended after the tensor data. */
  trailing?: Uint8Array;
  /** Keep the given tensor order (default: the reference order). */
  keepOrder?: boolean;
  /** JSON text spliced before the closing brace of the header (extra or duplicate entries). */
  extraEntries?: string;
}

/** Reference dtype order (the Dtype enum): tensors are written by descending rank, then name. */
const DTYPE_RANK = Object.keys(SAFETENSORS_DTYPE_BITS);

export function tensorByteLength(dtype: string, shape: readonly (number | bigint)[]): number {
  const bits = SAFETENSORS_DTYPE_BITS[dtype] ?? 8;
  const n = shape.reduce<number>((a, d) => a * Number(d), 1);
  return Math.ceil((n * bits) / 8);
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

/** Builds the header text and the data section. */
export function buildSafetensorsParts(
  tensors: readonly StTensor[],
  opts: StOptions = {},
  headerOnly = false,
): { header: Uint8Array; data: Uint8Array; dataLength: number } {
  const order = opts.keepOrder
    ? [...tensors]
    : [...tensors].sort(
        (a, b) =>
          DTYPE_RANK.indexOf(b.dtype) - DTYPE_RANK.indexOf(a.dtype) ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      );
  const datas: Uint8Array[] = [];
  const entries: string[] = [];
  if (opts.metadata !== undefined) entries.push(`"__metadata__":${JSON.stringify(opts.metadata)}`);
  let offset = 0;
  order.forEach((t, i) => {
    const length = t.data?.length ?? tensorByteLength(t.dtype, t.shape);
    const [s, e] = t.offsets ?? [offset, offset + length];
    offset += length;
    if (!headerOnly) datas.push(t.data ?? pattern(length, i + 1));
    entries.push(
      `${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${s},${e}]${t.extraJson ?? ''}}`,
    );
  });
  let headerText = `{${entries.join(',')}${opts.extraEntries ?? ''}}`;
  headerText += ' '.repeat((8 - (new TextEncoder().encode(headerText).length % 8)) % 8);
  const header =
    opts.rawHeader === undefined
      ? new TextEncoder().encode(headerText)
      : typeof opts.rawHeader === 'string'
        ? new TextEncoder().encode(opts.rawHeader)
        : opts.rawHeader;
  return { header, data: concat(datas), dataLength: offset };
}

/** A complete safetensors file. */
export function buildSafetensors(tensors: readonly StTensor[], opts: StOptions = {}): Uint8Array {
  const { header, data } = buildSafetensorsParts(tensors, opts);
  return concat([
    le64(opts.lengthOverride ?? BigInt(header.length)),
    header,
    data,
    opts.trailing ?? new Uint8Array(0),
  ]);
}

/** Only the length and header (for sparse files whose data is a hole). */
export function buildSafetensorsHead(
  tensors: readonly StTensor[],
  opts: StOptions = {},
): {
  head: Uint8Array;
  dataLength: number;
} {
  const { header, dataLength } = buildSafetensorsParts(tensors, opts, true);
  return { head: concat([le64(BigInt(header.length)), header]), dataLength };
}
