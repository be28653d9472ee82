/**
 * ONNX TensorProto.DataType facts (onnx/onnx.proto): name, bits per element, and which typed field
 * holds the values when raw_data is absent (with how many stored values one element takes).
 */
export type OnnxDataField =
  | 'float_data'
  | 'int32_data'
  | 'string_data'
  | 'int64_data'
  | 'double_data'
  | 'uint64_data';

export interface OnnxDtype {
  name: string;
  /** Bits per element; undefined for STRING (variable length). */
  bits: number | undefined;
  /** Typed field used when raw_data is absent. */
  field: OnnxDataField;
  /** Stored values per element (2 for complex), or elements per stored value when < 1 (packed 4-bit in int32_data). */
  perElement: number;
}

export const ONNX_DTYPES: Readonly<Record<number, OnnxDtype>> = {
  1: { name: 'FLOAT', bits: 32, field: 'float_data', perElement: 1 },
  2: { name: 'UINT8', bits: 8, field: 'int32_data', perElement: 1 },
  3: { name: 'INT8', bits: 8, field: 'int32_data', perElement: 1 },
  4: { name: 'UINT16', bits: 16, field: 'int32_data', perElement: 1 },
  5: { name: 'INT16', bits: 16, field: 'int32_data', perElement: 1 },
  6: { name: 'INT32', bits: 32, field: 'int32_data', perElement: 1 },
  7: { name: 'INT64', bits: 64, field: 'int64_data', perElement: 1 },
  8: { name: 'STRING', bits: undefined, field: 'string_data', perElement: 1 },
  9: { name: 'BOOL', bits: 8, field: 'int32_data', perElement: 1 },
  10: { name: 'FLOAT16', bits: 16, field: 'int32_data', perElement: 1 },
  11: { name: 'DOUBLE', bits: 64, field: 'double_data', perElement: 1 },
  12: { name: 'UINT32', bits: 32, field: 'uint64_data', perElement: 1 },
  13: { name: 'UINT64', bits: 64, field: 'uint64_data', perElement: 1 },
  14: { name: 'COMPLEX64', bits: 64, field: 'float_data', perElement: 2 },
  15: { name: 'COMPLEX128', bits: 128, field: 'double_data', perElement: 2 },
  16: { name: 'BFLOAT16', bits: 16, field: 'int32_data', perElement: 1 },
  17: { name: 'FLOAT8E4M3FN', bits: 8, field: 'int32_data', perElement: 1 },
  18: { name: 'FLOAT8E4M3FNUZ', bits: 8, field: 'int32_data', perElement: 1 },
  19: { name: 'FLOAT8E5M2', bits: 8, field: 'int32_data', perElement: 1 },
  20: { name: 'FLOAT8E5M2FNUZ', bits: 8, field: 'int32_data', perElement: 1 },
  21: { name: 'UINT4', bits: 4, field: 'int32_data', perElement: 0.5 },
  22: { name: 'INT4', bits: 4, field: 'int32_data', perElement: 0.5 },
  23: { name: 'FLOAT4E2M1', bits: 4, field: 'int32_data', perElement: 0.5 },
  24: { name: 'FLOAT8E8M0', bits: 8, field: 'int32_data', perElement: 1 },
  25: { name: 'UINT2', bits: 2, field: 'int32_data', perElement: 0.25 },
  26: { name: 'INT2', bits: 2, field: 'int32_data', perElement: 0.25 },
};

/** Name of a data type code (`FLOAT`, or `dtype 99` for unknown codes). */
export function dtypeName(code: number | undefined): string {
  if (code === undefined) return 'UNDEFINED';
  return ONNX_DTYPES[code]?.name ?? (code === 0 ? 'UNDEFINED' : `dtype ${code}`);
}

/** Bytes `elements` of `code` take in raw_data (sub-byte types packed), or undefined when not fixed-size. */
export function rawBytesFor(code: number | undefined, elements: number): number | undefined {
  const bits = code === undefined ? undefined : ONNX_DTYPES[code]?.bits;
  if (bits === undefined) return undefined;
  return Math.ceil((elements * bits) / 8);
}

/** Stored values `elements` of `code` take in its typed field, or undefined for unknown codes. */
export function typedCountFor(code: number | undefined, elements: number): number | undefined {
  const d = code === undefined ? undefined : ONNX_DTYPES[code];
  if (d === undefined) return undefined;
  return Math.ceil(elements * d.perElement);
}
