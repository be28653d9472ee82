import { MemorySource } from '../../core/source.js';
import { ProtoReader, WIRE } from '../../formats/protobuf/index.js';
import { OnnxGraphError } from './errors.js';
import { ONNX_EDIT_LIMITS } from './limits.js';
import { Writer } from './wire.js';

/** TensorProto.DataType values used by the builder. */
export const DT = { FLOAT: 1, INT32: 6, INT64: 7, BOOL: 9, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

export function isFloatType(t: number): boolean {
  return t === DT.FLOAT || t === DT.DOUBLE || t === DT.FLOAT16 || t === DT.BFLOAT16;
}

/** Encodes a TensorProto (payload, without the field tag) holding `values` as raw little-endian data. */
export function makeTensor(
  name: string,
  dataType: number,
  dims: readonly number[],
  values: readonly (number | bigint)[],
): Uint8Array {
  let raw: Uint8Array;
  if (dataType === DT.FLOAT) raw = new Uint8Array(Float32Array.from(values, Number).buffer);
  else if (dataType === DT.DOUBLE) raw = new Uint8Array(Float64Array.from(values, Number).buffer);
  else if (dataType === DT.INT64) raw = new Uint8Array(BigInt64Array.from(values, (v) => BigInt(v)).buffer);
  else if (dataType === DT.INT32) raw = new Uint8Array(Int32Array.from(values, Number).buffer);
  else if (dataType === DT.BOOL) raw = Uint8Array.from(values, (v) => (v ? 1 : 0));
  else throw new OnnxGraphError(`cannot make a constant of data type ${dataType}`);
  const w = new Writer();
  for (const d of dims) w.varintField(1, d);
  w.varintField(2, dataType);
  if (name) w.stringField(8, name);
  w.bytesField(9, raw);
  return w.finish();
}

/**
 * The values of a small integer TensorProto (int64 / int32: shapes, axes, pads), or undefined for other
 * types, external data or more than maxConstElements values.
 */
export function tensorInts(bytes: Uint8Array): number[] | undefined {
  const r = new ProtoReader(new MemorySource(bytes));
  let dataType = 0;
  let raw: Uint8Array | undefined;
  const vals: number[] = [];
  let external = false;
  let tooMany = false;
  r.fields(0, bytes.length, (f) => {
    if (f.no === 2 && f.wire === WIRE.varint) dataType = r.varintAt(f);
    else if (f.no === 9 && f.wire === WIRE.len) {
      if (f.length > ONNX_EDIT_LIMITS.maxConstElements * 8) tooMany = true;
      else raw = bytes.slice(f.valueAt, f.valueAt + f.length);
    } else if ((f.no === 7 || f.no === 5) && (f.wire === WIRE.len || f.wire === WIRE.varint)) {
      if (f.wire === WIRE.varint) vals.push(r.int64At(f));
      else r.packedVarints(f, ONNX_EDIT_LIMITS.maxConstElements + 1, (v) => vals.push(v), true);
      if (vals.length > ONNX_EDIT_LIMITS.maxConstElements) tooMany = true;
    } else if (f.no === 14 && f.wire === WIRE.varint && r.varintAt(f) === 1) external = true;
  });
  if (external || tooMany) return undefined;
  if (dataType === DT.INT64) {
    if (!raw) return vals;
    if (raw.length % 8 !== 0) return undefined;
    const a = new BigInt64Array(raw.buffer, raw.byteOffset, raw.length / 8);
    return Array.from(a, Number);
  }
  if (dataType === DT.INT32) {
    if (!raw) return vals.map((v) => v | 0);
    if (raw.length % 4 !== 0) return undefined;
    return Array.from(new Int32Array(raw.buffer, raw.byteOffset, raw.length / 4));
  }
  return undefined;
}
