import { MemorySource } from '../../core/source.js';
import { type FieldHeader, ProtoReader, WIRE } from '../../formats/protobuf/index.js';
import { asGraphError, OnnxGraphError } from './errors.js';
import { ONNX_EDIT_LIMITS } from './limits.js';
import { Writer } from './wire.js';

/**
 * An editable ONNX ModelProto. Only what the gradient builder edits is decoded; every other field is
 * kept as its raw encoded bytes (tag included) and written back unchanged, so nothing is dropped.
 * Initializers stay encoded TensorProtos (their payload bytes are never copied or converted).
 */
export interface OnnxModel {
  irVersion: number;
  opsets: { domain: string; version: number }[];
  graph: OnnxGraph;
  /** Other ModelProto fields (producer, metadata, functions, training info, unknown fields). */
  extra: Uint8Array[];
}

export interface OnnxGraph {
  nodes: OnnxNode[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  valueInfo: ValueInfo[];
  /** Other GraphProto fields (name, doc_string, sparse initializers, unknown fields). */
  extra: Uint8Array[];
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  input: string[];
  output: string[];
  attrs: Attr[];
  /** Other NodeProto fields (doc_string, unknown fields). */
  extra: Uint8Array[];
}

/** AttributeProto.AttributeType values used here. */
export const ATTR = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
  GRAPHS: 10,
} as const;

export interface Attr {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  /** TensorProto payload (type TENSOR). */
  t?: Uint8Array;
  ints?: number[];
  floats?: number[];
  /** The whole encoded AttributeProto payload when decoded from a model (written back as is). */
  raw?: Uint8Array;
}

export interface ValueInfo {
  name: string;
  /** TensorProto.DataType; 0 when not a tensor or not given. */
  elemType: number;
  /** Dimensions (number, symbolic name, or null when unknown); null when no shape is given. */
  dims: (number | string | null)[] | null;
  /** The encoded ValueInfoProto payload when decoded from a model (written back as is). */
  raw?: Uint8Array;
}

export interface Initializer {
  name: string;
  dataType: number;
  dims: number[];
  /** The encoded TensorProto payload. */
  raw: Uint8Array;
}

const LIM = ONNX_EDIT_LIMITS;

function text(r: ProtoReader, f: FieldHeader, what: string): string {
  const { text: t, cut } = r.textAt(f);
  if (cut) throw new OnnxGraphError(`${what} longer than ${r.limits.maxStringBytes} bytes`);
  return t;
}

function count(n: number, max: number, what: string): void {
  if (n > max) throw new OnnxGraphError(`${what}: more than ${max} (limit)`);
}

/** Repeated int64 field, packed or not. */
function int64s(r: ProtoReader, f: FieldHeader, into: number[], what: string): void {
  if (f.wire === WIRE.len) {
    r.packedVarints(f, LIM.maxConstElements - into.length + 1, (v) => into.push(v), true);
  } else if (f.wire === WIRE.varint) into.push(r.int64At(f));
  count(into.length, LIM.maxConstElements, what);
}

function floats(r: ProtoReader, f: FieldHeader, into: number[], what: string): void {
  if (f.wire === WIRE.len) {
    if (f.length % 4 !== 0) throw new OnnxGraphError(`${what}: packed floats of ${f.length} bytes`);
    const b = r.bytesAt(f, f.length);
    const dv = new DataView(b.buffer, b.byteOffset, b.length);
    for (let i = 0; i < b.length; i += 4) into.push(dv.getFloat32(i, true));
  } else if (f.wire === WIRE.i32) into.push(r.floatAt(f));
  count(into.length, LIM.maxConstElements, what);
}

/** TensorProto name, data type and dims (data fields skipped). */
export function tensorMeta(bytes: Uint8Array): { name: string; dataType: number; dims: number[] } {
  const r = new ProtoReader(new MemorySource(bytes));
  const meta = { name: '', dataType: 0, dims: [] as number[] };
  r.fields(0, bytes.length, (f) => {
    if (f.no === 1) int64s(r, f, meta.dims, 'tensor dims');
    else if (f.no === 2 && f.wire === WIRE.varint) meta.dataType = r.varintAt(f);
    else if (f.no === 8 && f.wire === WIRE.len) meta.name = text(r, f, 'tensor name');
  });
  count(meta.dims.length, LIM.maxRank, 'tensor rank');
  return meta;
}

function decodeAttr(r: ProtoReader, f: FieldHeader, bytes: Uint8Array): Attr {
  const a: Attr = { name: '', type: 0, raw: bytes.subarray(f.valueAt, f.valueAt + f.length) };
  r.fields(f.valueAt, f.valueAt + f.length, (g) => {
    switch (g.no) {
      case 1:
        a.name = text(r, g, 'attribute name');
        break;
      case 20:
        a.type = r.varintAt(g);
        break;
      case 2:
        if (g.wire === WIRE.i32) a.f = r.floatAt(g);
        break;
      case 3:
        if (g.wire === WIRE.varint) a.i = r.int64At(g);
        break;
      case 4:
        if (g.wire === WIRE.len) a.s = bytes.slice(g.valueAt, g.valueAt + g.length);
        break;
      case 5:
        if (g.wire === WIRE.len) a.t = bytes.subarray(g.valueAt, g.valueAt + g.length);
        break;
      case 7:
        a.floats ??= [];
        floats(r, g, a.floats, 'attribute floats');
        break;
      case 8:
        a.ints ??= [];
        int64s(r, g, a.ints, 'attribute ints');
        break;
    }
  });
  return a;
}

function decodeNode(r: ProtoReader, f: FieldHeader, bytes: Uint8Array): OnnxNode {
  const n: OnnxNode = { name: '', opType: '', domain: '', input: [], output: [], attrs: [], extra: [] };
  r.fields(f.valueAt, f.valueAt + f.length, (g) => {
    if (g.wire !== WIRE.len) n.extra.push(bytes.subarray(g.at, g.end));
    else if (g.no === 1) n.input.push(text(r, g, 'node input'));
    else if (g.no === 2) n.output.push(text(r, g, 'node output'));
    else if (g.no === 3) n.name = text(r, g, 'node name');
    else if (g.no === 4) n.opType = text(r, g, 'op_type');
    else if (g.no === 7) n.domain = text(r, g, 'node domain');
    else if (g.no === 5) n.attrs.push(decodeAttr(r, g, bytes));
    else n.extra.push(bytes.subarray(g.at, g.end));
    count(
      n.input.length + n.output.length + n.attrs.length,
      LIM.maxNodeArity,
      'node inputs/outputs/attributes',
    );
  });
  return n;
}

function decodeValueInfo(r: ProtoReader, f: FieldHeader, bytes: Uint8Array): ValueInfo {
  const v: ValueInfo = {
    name: '',
    elemType: 0,
    dims: null,
    raw: bytes.subarray(f.valueAt, f.valueAt + f.length),
  };
  r.fields(f.valueAt, f.valueAt + f.length, (g) => {
    if (g.no === 1 && g.wire === WIRE.len) v.name = text(r, g, 'value name');
    else if (g.no === 2 && g.wire === WIRE.len) {
      r.fields(g.valueAt, g.valueAt + g.length, (t) => {
        if (t.no !== 1 || t.wire !== WIRE.len) return; // tensor_type only
        r.fields(t.valueAt, t.valueAt + t.length, (tt) => {
          if (tt.no === 1 && tt.wire === WIRE.varint) v.elemType = r.varintAt(tt);
          else if (tt.no === 2 && tt.wire === WIRE.len) {
            const dims: (number | string | null)[] = [];
            r.fields(tt.valueAt, tt.valueAt + tt.length, (d) => {
              if (d.no !== 1 || d.wire !== WIRE.len) return;
              let dim: number | string | null = null;
              r.fields(d.valueAt, d.valueAt + d.length, (x) => {
                if (x.no === 1 && x.wire === WIRE.varint) dim = r.int64At(x);
                else if (x.no === 2 && x.wire === WIRE.len) dim = text(r, x, 'dim_param');
              });
              dims.push(dim);
              count(dims.length, LIM.maxRank, `rank of ${v.name}`);
            });
            v.dims = dims;
          }
        });
      });
    }
  });
  return v;
}

function decodeGraph(r: ProtoReader, f: FieldHeader, bytes: Uint8Array): OnnxGraph {
  const g: OnnxGraph = { nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], extra: [] };
  r.fields(f.valueAt, f.valueAt + f.length, (h) => {
    if (h.wire !== WIRE.len) g.extra.push(bytes.subarray(h.at, h.end));
    else if (h.no === 1) {
      g.nodes.push(decodeNode(r, h, bytes));
      count(g.nodes.length, LIM.maxNodes, 'graph nodes');
    } else if (h.no === 5) {
      const raw = bytes.subarray(h.valueAt, h.valueAt + h.length);
      g.initializers.push({ ...tensorMeta(raw), raw });
      count(g.initializers.length, LIM.maxGraphEntries, 'initializers');
    } else if (h.no === 11) g.inputs.push(decodeValueInfo(r, h, bytes));
    else if (h.no === 12) g.outputs.push(decodeValueInfo(r, h, bytes));
    else if (h.no === 13) {
      g.valueInfo.push(decodeValueInfo(r, h, bytes));
      count(g.valueInfo.length, LIM.maxGraphEntries, 'value_info');
    } else g.extra.push(bytes.subarray(h.at, h.end));
    count(g.inputs.length + g.outputs.length, LIM.maxGraphEntries, 'graph inputs/outputs');
  });
  return g;
}

/** Decodes a ModelProto. Views into `bytes` are kept: do not modify `bytes` while the model is in use. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  if (bytes.length > LIM.maxModelBytes)
    throw new OnnxGraphError(`model of ${bytes.length} bytes exceeds maxModelBytes`);
  const m: OnnxModel = { irVersion: 0, opsets: [], graph: emptyGraph(), extra: [] };
  let sawGraph = false;
  try {
    const r = new ProtoReader(new MemorySource(bytes));
    r.fields(0, bytes.length, (f) => {
      if (f.no === 1 && f.wire === WIRE.varint) m.irVersion = r.varintAt(f);
      else if (f.no === 7 && f.wire === WIRE.len) {
        m.graph = decodeGraph(r, f, bytes);
        sawGraph = true;
      } else if (f.no === 8 && f.wire === WIRE.len) {
        const o = { domain: '', version: 0 };
        r.fields(f.valueAt, f.valueAt + f.length, (g) => {
          if (g.no === 1 && g.wire === WIRE.len) o.domain = text(r, g, 'opset domain');
          else if (g.no === 2 && g.wire === WIRE.varint) o.version = r.int64At(g);
        });
        m.opsets.push(o);
        count(m.opsets.length, LIM.maxOpsets, 'opset imports');
      } else m.extra.push(bytes.subarray(f.at, f.end));
    });
  } catch (e) {
    throw asGraphError(e, 'cannot decode the ONNX model');
  }
  if (!sawGraph) throw new OnnxGraphError('the ONNX model has no graph');
  return m;
}

export function emptyGraph(): OnnxGraph {
  return { nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [], extra: [] };
}

export function encodeAttr(w: Writer, a: Attr): void {
  if (a.raw) {
    w.bytesField(5, a.raw);
    return;
  }
  w.message(5, (x) => {
    x.stringField(1, a.name);
    x.varintField(20, a.type);
    if (a.f !== undefined) x.floatField(2, a.f);
    if (a.i !== undefined) x.varintField(3, a.i);
    if (a.s !== undefined) x.bytesField(4, a.s);
    if (a.t !== undefined) x.bytesField(5, a.t);
    if (a.floats !== undefined) x.packedFloats(7, a.floats);
    if (a.ints !== undefined) x.packedVarints(8, a.ints);
  });
}

function encodeValueInfo(w: Writer, no: number, v: ValueInfo): void {
  if (v.raw) {
    w.bytesField(no, v.raw);
    return;
  }
  w.message(no, (x) => {
    x.stringField(1, v.name);
    x.message(2, (t) =>
      t.message(1, (tt) => {
        tt.varintField(1, v.elemType);
        if (v.dims)
          tt.message(2, (s) => {
            for (const d of v.dims ?? [])
              s.message(1, (dd) => {
                if (typeof d === 'number') dd.varintField(1, d);
                else if (typeof d === 'string') dd.stringField(2, d);
              });
          });
      }),
    );
  });
}

function encodeNode(w: Writer, n: OnnxNode): void {
  w.message(1, (x) => {
    for (const i of n.input) x.stringField(1, i);
    for (const o of n.output) x.stringField(2, o);
    if (n.name) x.stringField(3, n.name);
    x.stringField(4, n.opType);
    if (n.domain) x.stringField(7, n.domain);
    for (const a of n.attrs) encodeAttr(x, a);
    for (const e of n.extra) x.raw(e);
  });
}

/** Encodes the model back into a ModelProto. */
export function encodeModel(m: OnnxModel): Uint8Array {
  const w = new Writer();
  w.varintField(1, m.irVersion);
  for (const o of m.opsets)
    w.message(8, (x) => {
      if (o.domain) x.stringField(1, o.domain);
      x.varintField(2, o.version);
    });
  for (const e of m.extra) w.raw(e);
  w.message(7, (g) => encodeGraph(g, m.graph));
  return w.finish();
}

/** GraphProto fields of `graph` (nodes, initializers, inputs, outputs, value_info, the rest as decoded). */
function encodeGraph(g: Writer, graph: OnnxGraph, name?: string): void {
  for (const n of graph.nodes) encodeNode(g, n);
  if (name !== undefined) g.stringField(2, name);
  for (const t of graph.initializers) g.bytesField(5, t.raw);
  for (const v of graph.inputs) encodeValueInfo(g, 11, v);
  for (const v of graph.outputs) encodeValueInfo(g, 12, v);
  for (const v of graph.valueInfo) encodeValueInfo(g, 13, v);
  for (const e of graph.extra) g.raw(e);
}

/** A GRAPH attribute (a Loop/If/Scan body) holding `graph`, named `graphName`. */
export function graphAttr(name: string, graph: OnnxGraph, graphName: string): Attr {
  const w = new Writer();
  w.stringField(1, name);
  w.varintField(20, ATTR.GRAPH);
  w.message(6, (g) => encodeGraph(g, graph, graphName));
  return { name, type: ATTR.GRAPH, raw: w.finish() };
}
