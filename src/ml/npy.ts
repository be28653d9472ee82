/**
 * `.npy` / `.npz` writer for `--save-adversarial` and `grad --output`: float32 tensors and int32 labels,
 * little-endian, format version 1.0 (2.0 when the header needs it), npz as a stored (uncompressed) zip
 * with CRCs, which numpy checks on load.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { LimitError, ModelguardError } from '../core/errors.js';
import type { Tensor } from './types.js';

export const NPY_WRITE_LIMITS = {
  /** Bytes of one array in an npz: the writer makes no ZIP64 records, so members stay under 4 GiB. */
  maxNpzMemberBytes: 0xffff_fffe - 1024,
  /** Members of one npz (no ZIP64 entry counts). */
  maxNpzMembers: 0xfffe,
} as const;

/** What can be written: a float32 tensor, or int32 values (labels) of shape `[n]` unless given. */
export type NpyArray = Tensor | Int32Array | { readonly data: Int32Array; readonly shape: readonly number[] };

function normalise(a: NpyArray): {
  data: Float32Array | Int32Array;
  shape: readonly number[];
  descr: string;
} {
  if (a instanceof Int32Array) return { data: a, shape: [a.length], descr: '<i4' };
  const descr = a.data instanceof Int32Array ? '<i4' : '<f4';
  const count = a.shape.reduce((p, d) => p * d, 1);
  if (!a.shape.every((d) => Number.isSafeInteger(d) && d >= 0) || count !== a.data.length) {
    throw new ModelguardError(
      'MALFORMED',
      `npy: shape ${JSON.stringify(a.shape)} does not hold ${a.data.length} values`,
    );
  }
  return { data: a.data, shape: a.shape, descr };
}

/** The `.npy` header (magic, version, length, dict, padding) for an array, aligned to 64 bytes as numpy does. */
export function npyHeader(descr: string, shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  let version = 1;
  let fixed = 10;
  if (dict.length + 1 + fixed > 0xffff) {
    version = 2;
    fixed = 12;
  }
  const total = Math.ceil((fixed + dict.length + 1) / 64) * 64;
  const text = dict + ' '.repeat(total - fixed - dict.length - 1) + '\n';
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, text.length, true);
  else view.setUint32(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[fixed + i] = text.charCodeAt(i);
  return out;
}

/** Little-endian bytes of the array (a view, no copy, on little-endian hosts). */
function payload(data: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return bytes;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4)
    for (let j = 0; j < 4; j++) out[i + j] = bytes[i + 3 - j] as number;
  return out;
}

/** The complete `.npy` file bytes of an array. */
export function encodeNpy(array: NpyArray): Uint8Array[] {
  const { data, shape, descr } = normalise(array);
  return [npyHeader(descr, shape), payload(data)];
}

function writeParts(path: string, parts: readonly Uint8Array[]): void {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new ModelguardError('IO', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  try {
    for (const p of parts) {
      let off = 0;
      while (off < p.length) off += writeSync(fd, p, off, p.length - off);
    }
  } catch (e) {
    throw new ModelguardError('IO', `cannot write ${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    closeSync(fd);
  }
}

/** Writes one array as `.npy` (numpy.load reads it). */
export function writeNpy(path: string, array: NpyArray): void {
  writeParts(path, encodeNpy(array));
}

function le16(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff];
}
function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Writes arrays as an `.npz` (stored zip, members `<name>.npy`), as `numpy.savez` does. */
export function writeNpz(path: string, arrays: Readonly<Record<string, NpyArray>>): void {
  const names = Object.keys(arrays);
  if (names.length > NPY_WRITE_LIMITS.maxNpzMembers)
    throw new LimitError(
      'maxNpzMembers',
      `npz: ${names.length} arrays, at most ${NPY_WRITE_LIMITS.maxNpzMembers}`,
    );
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const name of names) {
    if (!/^[A-Za-z0-9_.-]{1,200}$/.test(name))
      throw new ModelguardError('MALFORMED', `npz: bad array name '${name}'`);
    const body = encodeNpy(arrays[name] as NpyArray);
    const size = body.reduce((s, b) => s + b.length, 0);
    if (size > NPY_WRITE_LIMITS.maxNpzMemberBytes || offset > 0xffff_fff0 - size) {
      throw new LimitError(
        'maxNpzMemberBytes',
        `npz: array '${name}' (${size} bytes) would need ZIP64, which this writer does not make`,
      );
    }
    const crc = body.reduce((c, b) => crc32(b, c), 0);
    const fileName = new TextEncoder().encode(`${name}.npy`);
    // Version 2.0, no flags, method 0 (stored), DOS time/date 1980-01-01 00:00.
    const common = [
      ...le16(20),
      ...le16(0),
      ...le16(0),
      ...le16(0),
      ...le16(0x21),
      ...le32(crc),
      ...le32(size),
      ...le32(size),
      ...le16(fileName.length),
      ...le16(0),
    ];
    const local = new Uint8Array([...le32(0x04034b50), ...common, ...fileName]);
    central.push(
      new Uint8Array([
        ...le32(0x02014b50),
        ...le16(20),
        ...common,
        ...le16(0),
        ...le16(0),
        ...le16(0),
        ...le32(0),
        ...le32(offset),
        ...fileName,
      ]),
    );
    parts.push(local, ...body);
    offset += local.length + size;
  }
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  const end = new Uint8Array([
    ...le32(0x06054b50),
    ...le16(0),
    ...le16(0),
    ...le16(names.length),
    ...le16(names.length),
    ...le32(cdSize),
    ...le32(offset),
    ...le16(0),
  ]);
  writeParts(path, [...parts, ...central, end]);
}
