/**
 * Builders for ONNX ModelProto bytes (onnx/onnx.proto field numbers) on top of the protobuf writer,
 * for hostile and structural tests the python3-onnx fixtures cannot express (deep nesting, floods,
 * malformed fields).
 */
import { Pb, pb } from './protobuf-writer.js';

export interface NodeSpec {
  op: string;
  domain?: string;
  name?: string;
  inputs?: string[];
  outputs?: string[];
  /** Graph-valued attributes by name. */
  graphs?: Record<string, Pb>;
  /** Tensor-valued attributes by name. */
  tensors?: Record<string, Pb>;
}

export function node(spec: NodeSpec): Pb {
  const n = pb();
  for (const i of spec.inputs ?? []) n.string(1, i);
  for (const o of spec.outputs ?? ['y']) n.string(2, o);
  if (spec.name !== undefined) n.string(3, spec.name);
  n.string(4, spec.op);
  for (const [name, g] of Object.entries(spec.graphs ?? {}))
    n.msg(5, pb().string(1, name).varint(20, 5).msg(6, g));
  for (const [name, t] of Object.entries(spec.tensors ?? {}))
    n.msg(5, pb().string(1, name).varint(20, 4).msg(5, t));
  if (spec.domain !== undefined) n.string(7, spec.domain);
  return n;
}

export interface TensorSpec {
  name: string;
  dims: number[];
  dataType?: number;
  raw?: Uint8Array;
  floats?: number[];
  external?: Record<string, string>;
  /** Marks data_location = EXTERNAL (default when `external` is given). */
  markExternal?: boolean;
}

export function tensor(spec: TensorSpec): Pb {
  const t = pb();
  for (const d of spec.dims) t.varint(1, d);
  t.varint(2, spec.dataType ?? 1);
  if (spec.floats !== undefined) {
    const b = new Uint8Array(new Float32Array(spec.floats).buffer);
    t.bytes(4, b);
  }
  t.string(8, spec.name);
  if (spec.raw !== undefined) t.bytes(9, spec.raw);
  for (const [k, v] of Object.entries(spec.external ?? {})) t.msg(13, pb().string(1, k).string(2, v));
  if (spec.markExternal ?? spec.external !== undefined) t.varint(14, 1);
  return t;
}

export function graph(nodes: Pb[], initializers: Pb[] = [], name = 'g'): Pb {
  const g = pb();
  for (const n of nodes) g.msg(1, n);
  g.string(2, name);
  for (const t of initializers) g.msg(5, t);
  return g;
}

export interface ModelSpec {
  graph?: Pb;
  irVersion?: number;
  opsets?: Array<[string, number]>;
  functions?: Pb[];
  metadata?: Record<string, string>;
  producer?: string;
}

export function model(spec: ModelSpec): Uint8Array {
  const m = pb().varint(1, spec.irVersion ?? 8);
  m.string(2, spec.producer ?? 'modelguard-test');
  if (spec.graph !== undefined) m.msg(7, spec.graph);
  for (const [d, v] of spec.opsets ?? [['', 13]]) m.msg(8, pb().string(1, d).varint(2, v));
  for (const [k, v] of Object.entries(spec.metadata ?? {})) m.msg(14, pb().string(1, k).string(2, v));
  for (const f of spec.functions ?? []) m.msg(25, f);
  return m.build();
}

export function fn(domain: string, name: string, nodes: Pb[]): Pb {
  const f = pb().string(1, name);
  for (const n of nodes) f.msg(7, n);
  return f.string(10, domain);
}

/** A model whose graph nests `depth` If nodes, each then_branch holding the next; the innermost holds `inner`. */
export function nestedIfs(depth: number, inner: Pb): Uint8Array {
  let g = graph([inner]);
  for (let i = 0; i < depth; i++) g = graph([node({ op: 'If', inputs: ['c'], graphs: { then_branch: g } })]);
  return model({ graph: g });
}

export { Pb, pb };
