/**
 * Reads the PyTorch reference data of test/fixtures/attack (made by scripts/fixtures/make_attack_models.py):
 * reference.json and the uncompressed .npz archives numpy's `savez` writes (ZIP "stored" members, each a
 * little-endian float32 or int64 .npy). Test support only; the product reads datasets through src/ml/data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ATTACK_FIXTURES = new URL('../fixtures/attack/', import.meta.url).pathname;

export interface NpArray {
  readonly shape: number[];
  /** float32 members as Float32Array, int64 members as Int32Array (values checked to fit). */
  readonly data: Float32Array | Int32Array;
}

export function readNpz(path: string): Map<string, NpArray> {
  const buf = readFileSync(path);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = new Map<string, NpArray>();
  let off = 0;
  while (off + 30 <= buf.length && dv.getUint32(off, true) === 0x04034b50) {
    const method = dv.getUint16(off + 8, true);
    let size = dv.getUint32(off + 18, true);
    const nameLen = dv.getUint16(off + 26, true);
    const extraLen = dv.getUint16(off + 28, true);
    const name = buf.subarray(off + 30, off + 30 + nameLen).toString('utf8');
    // zip64 extra field: sizes are 0xffffffff in the header and 8-byte values in the extra block
    if (size === 0xffffffff) size = Number(dv.getBigUint64(off + 30 + nameLen + 4 + 8, true));
    const start = off + 30 + nameLen + extraLen;
    if (method !== 0) throw new Error(`${path}: ${name} is compressed; expected numpy savez (stored)`);
    out.set(name.replace(/\.npy$/, ''), parseNpy(buf.subarray(start, start + size), name));
    off = start + size;
  }
  return out;
}

function parseNpy(b: Buffer, name: string): NpArray {
  const major = b[6] as number;
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = b.subarray(hstart, hstart + hlen).toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const shape = (/'shape':\s*\(([^)]*)\)/.exec(header)?.[1] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);
  if (/'fortran_order':\s*True/.test(header)) throw new Error(`${name}: fortran order`);
  const count = shape.reduce((a, c) => a * c, 1);
  const body = b.subarray(hstart + hlen);
  const copy = new Uint8Array(body.subarray(0, count * (descr === '<f4' ? 4 : 8)));
  if (descr === '<f4') return { shape, data: new Float32Array(copy.buffer, 0, count) };
  if (descr === '<i8') {
    const big = new BigInt64Array(copy.buffer, 0, count);
    const data = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const v = Number(big[i]);
      if (!Number.isSafeInteger(v) || Math.abs(v) > 2 ** 31) throw new Error(`${name}: int64 out of range`);
      data[i] = v;
    }
    return { shape, data };
  }
  throw new Error(`${name}: unsupported dtype ${descr}`);
}

export interface ModelReference {
  readonly file: string;
  readonly ops: string[];
  readonly softmaxOutput: boolean;
  readonly cleanAccuracy: number;
  readonly fgsm: Record<string, number>;
  readonly bim: Record<string, number>;
}

export interface Reference {
  readonly gradients: {
    readonly samples: number;
    readonly losses: Record<string, { kind: string; classIndex?: number }>;
  };
  readonly attacks: { readonly bim: { readonly steps: number } };
  readonly models: Record<string, ModelReference>;
}

export function readReference(): Reference {
  return JSON.parse(readFileSync(join(ATTACK_FIXTURES, 'reference.json'), 'utf8')) as Reference;
}

export function arr(m: Map<string, NpArray>, name: string): NpArray {
  const a = m.get(name);
  if (!a) throw new Error(`reference array ${name} missing`);
  return a;
}

export function f32(m: Map<string, NpArray>, name: string): Float32Array {
  const a = arr(m, name).data;
  if (!(a instanceof Float32Array)) throw new Error(`${name} is not float32`);
  return a;
}

export function i32(m: Map<string, NpArray>, name: string): Int32Array {
  const a = arr(m, name).data;
  if (!(a instanceof Int32Array)) throw new Error(`${name} is not int64`);
  return a;
}

/** max |a − b| / max |b| — the relative error measure of the parity tests. */
export function relErr(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
    m = Math.max(m, Math.abs(b[i] as number));
  }
  return m === 0 ? d : d / m;
}

export function argmaxRows(logits: Float32Array, k: number): Int32Array {
  const n = logits.length / k;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++)
      if ((logits[i * k + j] as number) > (logits[i * k + best] as number)) best = j;
    out[i] = best;
  }
  return out;
}
