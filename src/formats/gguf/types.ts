/** Typed results of the GGUF reader. Facts are data: the handler turns them into findings. */

/** GGUF metadata value types (gguf.h `enum gguf_type`). */
export const GGUF_TYPE = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;

export const GGUF_TYPE_NAME: readonly string[] = [
  'u8',
  'i8',
  'u16',
  'i16',
  'u32',
  'i32',
  'f32',
  'bool',
  'str',
  'arr',
  'u64',
  'i64',
  'f64',
];

/** `u32`, `arr<f32>` … as llama.cpp names value types. */
export function typeName(t: number, elem?: number): string {
  const n = GGUF_TYPE_NAME[t] ?? `type ${t}`;
  return t === GGUF_TYPE.ARRAY && elem !== undefined ? `arr<${GGUF_TYPE_NAME[elem] ?? `type ${elem}`}>` : n;
}

/** Byte width of the fixed-size value types (0 for string and array). */
export const GGUF_TYPE_SIZE: readonly number[] = [1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8];

export type GgufScalar = number | bigint | boolean | string;

export interface GgufKv {
  key: string;
  /** Offset of the key's length prefix. */
  at: number;
  /** Value type (GGUF_TYPE). */
  type: number;
  /** Element type of an array. */
  elemType?: number;
  /** Element count of an array. */
  count?: number;
  /** Offset of the value (for strings: of the string bytes; for arrays: of the first element). */
  valueAt: number;
  /** Byte length of a string value. */
  length?: number;
  /** Scalars, and strings up to maxInlineString bytes. */
  value?: GgufScalar;
}

export interface GgufTensorInfo {
  name: string;
  /** Byte length of the name as stored. */
  nameBytes: number;
  /** Offset of the tensor info record. */
  at: number;
  dims: bigint[];
  type: number;
  /** Offset relative to the data section. */
  offset: bigint;
  /** Byte size per ggml (undefined when the type is unknown or the shape invalid). */
  nbytes?: bigint;
}

export type GgufFactKind =
  | 'malformed'
  | 'unsupported-version'
  | 'count-overflow'
  | 'limit-exceeded'
  | 'duplicate-key'
  | 'duplicate-tensor'
  | 'type-confusion'
  | 'tokenizer-mismatch'
  | 'bad-tensor-shape'
  | 'shape-overflow'
  | 'invalid-tensor-type'
  | 'bad-tensor-name'
  | 'bad-alignment'
  | 'offset-out-of-range'
  | 'misaligned'
  | 'overlap'
  | 'tensor-layout'
  | 'trailing-data'
  | 'nested-array';

export interface GgufFact {
  kind: GgufFactKind;
  detail: string;
  offset?: number;
  evidence?: string;
  severity?: 'critical' | 'high' | 'medium' | 'low' | 'info';
}

export interface GgufFile {
  version: number;
  littleEndian: boolean;
  tensorCount: bigint;
  kvCount: bigint;
  kvs: GgufKv[];
  tensors: GgufTensorInfo[];
  /** The alignment in effect (general.alignment when valid, else 32). */
  alignment: number;
  /** Offset of the end of the tensor infos. */
  infoEnd: number | undefined;
  /** Offset of the data section (infoEnd padded to the alignment), when the infos were read. */
  dataOffset: number | undefined;
  facts: GgufFact[];
  droppedFacts: number;
  /** Set when parsing stopped early; the parts read so far are still reported. */
  stopped?: { detail: string; offset: number };
  /** Trailing region after the last tensor (for scanning), when present. */
  trailing?: { offset: number; length: number };
}
