import { MalformedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { type FieldHeader, type ProtoReader, WIRE } from '../protobuf/reader.js';
import { dtypeName, ONNX_DTYPES, type OnnxDataField, rawBytesFor, typedCountFor } from './dtype.js';
import type { OnnxAnomalyKind, OnnxExternalRef, OnnxLimits } from './types.js';

const LEN = WIRE.len;

/** TensorProto field numbers (onnx/onnx.in.proto). */
const T = {
  dims: 1,
  dataType: 2,
  segment: 3,
  name: 8,
  rawData: 9,
  externalData: 13,
  dataLocation: 14,
} as const;

/** Typed value fields by number: float_data 4, int32_data 5, string_data 6, int64_data 7, double_data 10, uint64_data 11. */
const TYPED_FIELDS: Readonly<Record<number, OnnxDataField>> = {
  4: 'float_data',
  5: 'int32_data',
  6: 'string_data',
  7: 'int64_data',
  10: 'double_data',
  11: 'uint64_data',
};

/** TensorProto.DataLocation.EXTERNAL */
const EXTERNAL = 1;

/** Keys onnx and onnxruntime understand in TensorProto.external_data. */
const EXTERNAL_KEYS = new Set(['location', 'offset', 'length', 'checksum', 'basepath']);

/** What the walker learns of one TensorProto without reading its data. */
export interface TensorFacts {
  name: string;
  dims: number[];
  dimsSeen: number;
  negativeDim: boolean;
  dataType: number | undefined;
  /** Position of raw_data (never read). A repeated raw_data replaces the earlier one, as in protobuf. */
  raw: { offset: number; length: number } | undefined;
  /** Values stored per typed field. */
  counts: Partial<Record<OnnxDataField, number>>;
  /** A packed varint field was too large to count: the typed-data check is skipped. */
  uncounted: boolean;
  segment: boolean;
  dataLocation: number | undefined;
  external: Array<{ key: string; value: string }>;
}

/** Shared state of one model walk for tensor reading. */
export interface TensorContext {
  readonly r: ProtoReader;
  readonly L: OnnxLimits;
  /** Bytes of packed varints counted so far (maxCountBytesTotal). */
  counted: number;
  /** Reads a StringStringEntryProto. */
  entry(f: FieldHeader): { key: string; value: string };
}

/** A decimal integer as external_data writes offsets and lengths, or undefined. */
function decimal(s: string): number | undefined {
  return /^\d{1,20}$/.test(s) ? Number(s) : undefined;
}

function addDim(t: TensorFacts, v: number, L: OnnxLimits): void {
  t.dimsSeen++;
  if (v < 0) t.negativeDim = true;
  if (t.dims.length < L.maxDims) t.dims.push(v);
}

/** Values one occurrence of a typed field adds (packed or not). */
function typedCount(c: TensorContext, t: TensorFacts, field: OnnxDataField, f: FieldHeader): number {
  if (field === 'string_data') return f.wire === LEN ? 1 : 0;
  const fixed = field === 'float_data' ? 4 : field === 'double_data' ? 8 : 0;
  if (fixed > 0) {
    if (f.wire === (fixed === 4 ? WIRE.i32 : WIRE.i64)) return 1;
    if (f.wire !== LEN) return 0;
    if (f.length % fixed !== 0) {
      throw new MalformedError(
        `packed ${field} at offset ${f.at}: ${fmtInt(f.length)} bytes is not a multiple of ${fixed}`,
        f.at,
      );
    }
    return f.length / fixed;
  }
  if (f.wire === WIRE.varint) return 1;
  if (f.wire !== LEN) return 0;
  if (f.length > c.L.maxCountBytes || c.counted + f.length > c.L.maxCountBytesTotal) {
    t.uncounted = true;
    return 0;
  }
  c.counted += f.length;
  return c.r.countPackedVarints(f);
}

/** Reads the TensorProto in [start, end): dims, type, name, where its data is; payloads are skipped. */
export function readTensor(c: TensorContext, start: number, end: number): TensorFacts {
  const t: TensorFacts = {
    name: '',
    dims: [],
    dimsSeen: 0,
    negativeDim: false,
    dataType: undefined,
    raw: undefined,
    counts: {},
    uncounted: false,
    segment: false,
    dataLocation: undefined,
    external: [],
  };
  const r = c.r;
  r.fields(start, end, (f) => {
    if (f.no === T.dims) {
      if (f.wire === WIRE.varint) addDim(t, r.int64At(f), c.L);
      else if (f.wire === LEN) r.packedVarints(f, c.L.maxDims + 1, (v) => addDim(t, v, c.L), true);
      return;
    }
    const typed = TYPED_FIELDS[f.no];
    if (typed !== undefined) {
      t.counts[typed] = (t.counts[typed] ?? 0) + typedCount(c, t, typed, f);
      return;
    }
    if (f.no === T.dataType && f.wire === WIRE.varint) t.dataType = r.int64At(f);
    else if (f.no === T.dataLocation && f.wire === WIRE.varint) t.dataLocation = r.int64At(f);
    else if (f.wire !== LEN) return;
    else if (f.no === T.segment) t.segment = true;
    else if (f.no === T.name) t.name = r.stringAt(f, c.L.maxNameBytes);
    else if (f.no === T.rawData) t.raw = { offset: f.valueAt, length: f.length };
    else if (f.no === T.externalData) t.external.push(c.entry(f));
  });
  return t;
}

export interface TensorJudgement {
  anomalies: Array<{ kind: OnnxAnomalyKind; detail: string }>;
  /** The data lives outside the file (data_location EXTERNAL or external_data entries). */
  external: boolean;
  /** Bytes dims × dtype declare, when the type has a fixed size. */
  expectedBytes: number | undefined;
}

/**
 * Checks a tensor's declaration against its data: negative or too many dims, a declared size over
 * maxTensorBytes, raw_data or typed values that do not match dims × dtype. `name` describes the tensor
 * for messages (called only when there is something to say).
 */
export function judgeTensor(t: TensorFacts, L: OnnxLimits, name: () => string): TensorJudgement {
  const out: TensorJudgement = { anomalies: [], external: false, expectedBytes: undefined };
  const add = (kind: OnnxAnomalyKind, detail: string) => out.anomalies.push({ kind, detail });
  if (t.negativeDim || t.dimsSeen > L.maxDims) {
    const what = t.negativeDim
      ? 'a negative dimension'
      : `${fmtInt(t.dimsSeen)} dimensions (limit ${L.maxDims})`;
    add(
      'bad-dims',
      `${name()} declares ${what}: [${t.dims.slice(0, 8).join(', ')}${t.dims.length > 8 ? ', …' : ''}]`,
    );
    out.external = t.dataLocation === EXTERNAL || t.external.length > 0;
    return out;
  }
  let elements = 1;
  for (const d of t.dims) elements *= d;
  const bytes = rawBytesFor(t.dataType, elements);
  out.expectedBytes = bytes;
  const shape = `${dtypeName(t.dataType)} dims [${t.dims.join(', ')}]`;
  const huge = (bytes ?? elements) > L.maxTensorBytes;
  if (huge) {
    const size = bytes === undefined ? `${fmtInt(elements)} elements` : `${fmtInt(bytes)} bytes`;
    add(
      'huge-tensor',
      `${name()} declares ${shape} = ${size}, over maxTensorBytes ${fmtInt(L.maxTensorBytes)}: allocating it exhausts memory`,
    );
  }
  out.external = t.dataLocation === EXTERNAL || t.external.length > 0;
  // External data is checked against its file; a huge declaration is reported once; segments are partial.
  if (out.external || t.segment || huge) return out;
  if (t.raw !== undefined) {
    if (t.dataType === 8)
      add(
        'size-mismatch',
        `${name()} is a STRING tensor with raw_data (${fmtInt(t.raw.length)} bytes), which loaders reject`,
      );
    else if (bytes !== undefined && t.raw.length !== bytes)
      add(
        'size-mismatch',
        `${name()}: ${shape} need ${fmtInt(bytes)} bytes but raw_data holds ${fmtInt(t.raw.length)}`,
      );
    return out;
  }
  const dtype = t.dataType === undefined ? undefined : ONNX_DTYPES[t.dataType];
  if (dtype === undefined || t.uncounted) return out;
  const expected = typedCountFor(t.dataType, elements) ?? 0;
  const stored = t.counts[dtype.field] ?? 0;
  const elsewhere = Object.entries(t.counts).filter(([k, v]) => k !== dtype.field && (v ?? 0) > 0);
  if (stored !== expected || elsewhere.length > 0) {
    const other = elsewhere.map(([k, v]) => `${k}: ${fmtInt(v ?? 0)}`).join(', ');
    add(
      'size-mismatch',
      `${name()}: ${shape} need ${fmtInt(expected)} values in ${dtype.field} but it holds ${fmtInt(stored)}${other === '' ? '' : ` (values in the wrong field: ${other})`}`,
    );
  }
  return out;
}

/** The external-data reference of a tensor: its locations, parsed offset/length, unknown keys. */
export function externalRefOf(
  t: TensorFacts,
  at: number,
  where: string,
  expectedBytes: number | undefined,
): OnnxExternalRef {
  const ref: OnnxExternalRef = {
    tensor: t.name,
    where,
    offset: at,
    locations: [],
    dataOffset: undefined,
    length: undefined,
    badNumbers: [],
    otherKeys: [],
    markedExternal: t.dataLocation === EXTERNAL,
    expectedBytes,
  };
  for (const { key, value } of t.external) {
    if (key === 'location') ref.locations.push(value);
    else if (key === 'offset' || key === 'length') {
      const n = decimal(value);
      if (n === undefined) ref.badNumbers.push(`${key}=${JSON.stringify(value.slice(0, 40))}`);
      else if (key === 'offset') ref.dataOffset = n;
      else ref.length = n;
    } else if (!EXTERNAL_KEYS.has(key)) ref.otherKeys.push(key);
  }
  return ref;
}
