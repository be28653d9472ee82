import type { ByteReader } from '../../core/byte-reader.js';
import { ModelguardError } from '../../core/errors.js';
import { asGlobal, asInt, type PickleValue } from './values.js';

/**
 * The legacy *tar* PyTorch format (torch 1.13 `_legacy_load`, T42) stores two members as pickles
 * with raw bytes between them:
 * - `storages`: pickle(count), then per storage pickle((key, location, storage_type)) followed by
 *   an int64 element count and the raw elements, then pickle(storage_views);
 * - `tensors`: pickle(count), then per tensor pickle((key, storage_id, tensor_type)) followed by
 *   int32 ndim, 4 bytes, int64 sizes[ndim], int64 strides[ndim], int64 storage_offset.
 * The layout is followed only while every pickle returns what torch expects; otherwise the analysis
 * falls back to reading pickles back to back (fail closed).
 */
export type TorchTarMember = 'storages' | 'tensors';

/** Bytes per element of each storage class (torch._utils._element_size). */
const ELEMENT_SIZE: Readonly<Record<string, number>> = {
  DoubleStorage: 8,
  FloatStorage: 4,
  HalfStorage: 2,
  LongStorage: 8,
  IntStorage: 4,
  ShortStorage: 2,
  CharStorage: 1,
  ByteStorage: 1,
  BoolStorage: 1,
  BFloat16Storage: 2,
  ComplexDoubleStorage: 16,
  ComplexFloatStorage: 8,
  QUInt8Storage: 1,
  QInt8Storage: 1,
  QInt32Storage: 4,
  QUInt4x2Storage: 1,
  QUInt2x4Storage: 1,
};

/** Where the next pickle starts, that the layout is complete, or why it cannot be followed. */
export type LayoutStep = { readonly next: number } | { readonly done: true } | { readonly failed: string };

/** The (key, x, class) tuple a record pickle returns, with its class global. */
function record(v: PickleValue | undefined): PickleValue[] | undefined {
  return v?.t === 'tuple' && v.size === 3 ? v.items : undefined;
}

export class TorchTarLayout {
  private count: number | undefined;
  private seen = 0;

  constructor(readonly member: TorchTarMember) {}

  /** True when every record announced by the count was read (`tensors` ends after its last record). */
  get complete(): boolean {
    return this.count !== undefined && this.seen === this.count && this.member === 'tensors';
  }

  /** Called after each complete pickle that ends at `end` with `result`. */
  after(result: PickleValue | undefined, end: number, reader: ByteReader): LayoutStep {
    if (this.count === undefined) {
      const n = asInt(result);
      if (n === undefined || n < 0) return { failed: `the first pickle of '${this.member}' is not a count` };
      this.count = n;
      return { next: end };
    }
    if (this.seen === this.count) return { done: true };
    this.seen++;
    const items = record(result);
    const cls = asGlobal(items?.[2]);
    if (!items || !cls || !(cls.module === 'torch' || cls.module.startsWith('torch.'))) {
      return { failed: `record ${this.seen} of '${this.member}' is not a (key, …, torch class) tuple` };
    }
    try {
      reader.seek(end);
      if (this.member === 'storages') {
        const size = Object.hasOwn(ELEMENT_SIZE, cls.name) ? ELEMENT_SIZE[cls.name] : undefined;
        if (size === undefined) return { failed: `unknown storage class ${cls.module}.${cls.name}` };
        const numel = reader.u64leNumber('storage element count');
        const bytes = numel * size;
        if (!Number.isSafeInteger(bytes)) return { failed: `storage of ${numel} elements is too large` };
        reader.skip(bytes, 'storage data');
      } else {
        const ndim = reader.i32le('tensor ndim');
        if (ndim < 0 || ndim > 64) return { failed: `tensor record ${this.seen} has ${ndim} dimensions` };
        reader.skip(4 + 16 * ndim + 8, 'tensor header');
      }
    } catch (e) {
      if (e instanceof ModelguardError) return { failed: e.message };
      throw e;
    }
    return { next: reader.pos };
  }
}
