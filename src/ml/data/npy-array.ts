import { ModelguardError } from '../../core/errors.js';
import type { ByteSource } from '../../core/source.js';
import { type NpyHeader, parseNpyHeader } from '../../formats/numpy/index.js';
import { DATA_LIMITS } from './limits.js';

/** A plain numeric dtype as numpy writes it: byte order, kind (`f`, `i`, `u`) and item size. */
export interface NumericDtype {
  readonly littleEndian: boolean;
  readonly kind: 'f' | 'i' | 'u';
  readonly size: 1 | 2 | 4 | 8;
}

export function malformed(message: string): ModelguardError {
  return new ModelguardError('MALFORMED', message);
}

/**
 * Parses and checks a member's `.npy` header strictly: numpy magic, no object fields (their payload is a
 * pickle, never read), C order, a plain numeric dtype, and exactly shape × itemsize data bytes.
 */
export function readArrayHeader(
  source: ByteSource,
  what: string,
): { header: NpyHeader; dtype: NumericDtype } {
  let header: NpyHeader;
  try {
    header = parseNpyHeader(source);
  } catch (e) {
    const hint =
      source.size > 0 && source.read(0, 1)[0] === 0x80 ? ' (it is a pickle, which is never loaded)' : '';
    throw new ModelguardError(
      'MALFORMED',
      `${what} is not a valid .npy array${hint}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (header.dtype.hasObject) {
    throw malformed(
      `${what} is an object array (dtype ${header.descrText}): its data is a pickle, which modelguard never loads`,
    );
  }
  if (header.fortranOrder)
    throw malformed(`${what} is stored in Fortran order; save it with C order (np.ascontiguousarray)`);
  const m = header.descr.kind === 'str' ? /^([<>|=])([fiu])([1248])$/.exec(header.descr.value) : null;
  if (m === null) throw malformed(`${what} has dtype ${header.descrText}; expected a plain number type`);
  const size = Number(m[3]) as NumericDtype['size'];
  const kind = m[2] as NumericDtype['kind'];
  if (kind === 'f' && size === 1) throw malformed(`${what} has dtype ${header.descrText}, not a numpy type`);
  if (header.shape.length > DATA_LIMITS.maxDims)
    throw malformed(`${what} has ${header.shape.length} dimensions, at most ${DATA_LIMITS.maxDims}`);
  if (header.expectedBytes !== header.payloadBytes) {
    throw malformed(
      `${what}: shape ${JSON.stringify(header.shape)} needs ${header.expectedBytes} data bytes, the member holds ${header.payloadBytes}`,
    );
  }
  return { header, dtype: { littleEndian: m[1] !== '>', kind, size } };
}

function reader(view: DataView, dt: NumericDtype): (i: number) => number {
  const le = dt.littleEndian;
  const s = dt.size;
  if (dt.kind === 'f') {
    if (s === 4) return (i) => view.getFloat32(i * 4, le);
    if (s === 8) return (i) => view.getFloat64(i * 8, le);
    return (i) => half(view.getUint16(i * 2, le));
  }
  if (s === 1) return dt.kind === 'i' ? (i) => view.getInt8(i) : (i) => view.getUint8(i);
  if (s === 2) return dt.kind === 'i' ? (i) => view.getInt16(i * 2, le) : (i) => view.getUint16(i * 2, le);
  if (s === 4) return dt.kind === 'i' ? (i) => view.getInt32(i * 4, le) : (i) => view.getUint32(i * 4, le);
  return dt.kind === 'i'
    ? (i) => Number(view.getBigInt64(i * 8, le))
    : (i) => Number(view.getBigUint64(i * 8, le));
}

function half(h: number): number {
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (e === 0) return sign * 2 ** -14 * (f / 1024);
  if (e === 31) return f === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (e - 15) * (1 + f / 1024);
}

/** The first `count` values of the array's data, converted with `convert(value, index)` into `out`. */
export function readValues<T extends Float32Array | Int32Array>(
  source: ByteSource,
  header: NpyHeader,
  dtype: NumericDtype,
  out: T,
  convert: (v: number, i: number) => number,
): T {
  const bytes = source.read(header.dataOffset, out.length * dtype.size);
  if (dtype.kind === 'f' && dtype.size === 4 && dtype.littleEndian && out instanceof Float32Array) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(bytes);
    for (let i = 0; i < out.length; i++) out[i] = convert(out[i] as number, i);
    return out;
  }
  const get = reader(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), dtype);
  for (let i = 0; i < out.length; i++) out[i] = convert(get(i), i);
  return out;
}
