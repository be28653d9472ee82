/** Typed results of the safetensors header reader. Facts are data: the handler turns them into findings. */

export type SafetensorsFactKind =
  /** Declared header length over the cap (the header was not read). */
  | 'header-too-large'
  /** Header not UTF-8 or not JSON (as strict as serde_json). */
  | 'invalid-json'
  /** A key repeated in one JSON object (tensor names, fields, metadata keys). */
  | 'duplicate-key'
  /** A tensor's bytes end past the data section (or end before they start). */
  | 'offset-out-of-range'
  /** Two tensors share bytes. */
  | 'overlap'
  /** Bytes between tensors that no tensor covers. */
  | 'gap'
  /** dtype × shape differs from the byte range. */
  | 'size-mismatch'
  /** Element count or byte size overflows u64. */
  | 'shape-overflow'
  /** `__metadata__` not an object of strings. */
  | 'bad-metadata'
  /** Bytes after the last tensor. */
  | 'trailing-data'
  /** More tensor entries than maxTensors. */
  | 'too-many-tensors'
  /** Anything else the reference loader refuses (short file, bad entry, unknown dtype). */
  | 'malformed';

export interface SafetensorsFact {
  kind: SafetensorsFactKind;
  detail: string;
  /** Byte offset in the file. */
  offset?: number;
  /** A short excerpt of the header. */
  evidence?: string;
  /** Overrides the rule's default severity (e.g. unknown dtypes are only medium). */
  severity?: 'medium' | 'low';
}

export interface SafetensorsTensor {
  name: string;
  dtype: string;
  /** Bits per element. */
  bits: number;
  shape: bigint[];
  /** data_offsets, relative to the data section. */
  start: bigint;
  end: bigint;
  /** Byte offset of the entry's name in the file. */
  at: number;
}

/** A region of the data section no tensor covers. */
export interface SafetensorsHole {
  kind: 'gap' | 'trailing';
  /** Absolute offset in the file. */
  offset: number;
  length: number;
}

export interface SafetensorsHeader {
  /** The 8-byte length N. */
  headerLength: number;
  /** 8 + N. */
  dataStart: number;
  /** File size − 8 − N. */
  dataLength: number;
  /** Tensor entries declared (every top-level key except `__metadata__`). */
  tensorCount: number;
  /** Valid tensor entries (the last copy of a duplicated name), at most maxTensors. */
  tensors: SafetensorsTensor[];
  /** String entries of `__metadata__`, when present. */
  metadata: Record<string, string> | undefined;
  facts: SafetensorsFact[];
  droppedFacts?: number;
  holes: SafetensorsHole[];
  /** True when the whole header parsed as JSON (layout checks ran). */
  complete: boolean;
}
