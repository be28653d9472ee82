import { LimitError, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { type FieldHeader, type ProtobufLimits, ProtoReader, WIRE } from '../protobuf/reader.js';
import { findKerasLambdas } from './keras.js';
import {
  type KerasMetadataInfo,
  type KerasObjectInfo,
  SAVEDMODEL_LIMITS,
  type SavedModelInfo,
  type SavedModelLimits,
  type TfOpUse,
  type WalkStop,
} from './types.js';

const LEN = WIRE.len;

/**
 * Field numbers (tensorflow/core/protobuf/saved_model.proto, meta_graph.proto, saver.proto,
 * saved_object_graph.proto; core/framework/graph.proto, function.proto, node_def.proto,
 * attr_value.proto, op_def.proto; keras/protobuf/saved_metadata.proto).
 */
const F = {
  savedModel: { schemaVersion: 1, metaGraphs: 2 },
  metaGraph: { metaInfo: 1, graphDef: 2, saverDef: 3, assetFileDef: 6, objectGraph: 7 },
  metaInfo: { tags: 4, tensorflowVersion: 5 },
  saver: { restoreOpName: 3 },
  asset: { filename: 2 },
  graph: { node: 1, library: 2 },
  library: { function: 1 },
  function: { signature: 1, nodeDef: 3 },
  opDef: { name: 1 },
  node: { name: 1, op: 2, attr: 5 },
  mapEntry: { key: 1, value: 2 },
  attr: { list: 1, s: 2, func: 10 },
  list: { s: 2, func: 9 },
  nameAttrList: { name: 1 },
  objectGraph: { nodes: 1 },
  savedObject: { userObject: 4 },
  userObject: { identifier: 1, metadata: 3 },
  kerasMetadata: { nodes: 1 },
  kerasObject: { nodePath: 3, identifier: 4, metadata: 5 },
} as const;

function q(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

function stopOf(e: ModelguardError): WalkStop {
  return {
    kind: e instanceof LimitError ? 'limit' : 'malformed',
    message: e.message,
    offset: e.offset,
    limit: e instanceof LimitError ? e.limit : undefined,
  };
}

/** Parses a Keras metadata JSON field into a KerasObjectInfo (bounded). */
function kerasObject(
  r: ProtoReader,
  f: FieldHeader | undefined,
  identifier: string,
  nodePath: string,
  offset: number,
  L: SavedModelLimits,
): KerasObjectInfo {
  const info: KerasObjectInfo = { identifier, nodePath, offset, lambdas: [], uninspected: undefined };
  if (f === undefined || f.length === 0) return info;
  if (f.length > L.maxKerasJsonBytes) {
    info.uninspected = `metadata JSON of ${fmtInt(f.length)} bytes exceeds maxKerasJsonBytes ${fmtInt(L.maxKerasJsonBytes)}`;
    return info;
  }
  const { text } = r.textAt(f, f.length);
  const found = findKerasLambdas(text, L.maxJsonDepth);
  info.lambdas = found.lambdas;
  info.uninspected = found.error;
  return info;
}

class SavedModelWalker {
  readonly r: ProtoReader;
  readonly info: SavedModelInfo = {
    kind: 'saved-model',
    schemaVersion: undefined,
    metaGraphs: [],
    functions: [],
    ops: [],
    detailNodes: [],
    assets: [],
    keras: [],
    stats: { nodes: 0, functions: 0, detailNodes: 0, assets: 0, kerasObjects: 0 },
    stopped: undefined,
  };
  private readonly opIndex = new Map<string, TfOpUse>();

  constructor(
    source: ByteSource,
    private readonly L: SavedModelLimits,
    private readonly detailOps: ReadonlySet<string>,
    pb: Partial<ProtobufLimits>,
  ) {
    this.r = new ProtoReader(source, pb);
  }

  private text(f: FieldHeader): string {
    return this.r.stringAt(f, this.L.maxNameBytes);
  }

  run(): SavedModelInfo {
    try {
      this.r.fields(0, this.r.size, (f) => {
        if (f.no === F.savedModel.schemaVersion && f.wire === WIRE.varint)
          this.info.schemaVersion = this.r.int64At(f);
        else if (f.no === F.savedModel.metaGraphs && f.wire === LEN) this.metaGraph(f);
      });
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      this.info.stopped = stopOf(e);
    }
    this.info.ops = [...this.opIndex.values()];
    return this.info;
  }

  private metaGraph(f: FieldHeader): void {
    const index = this.info.metaGraphs.length;
    if (index >= this.L.maxMetaGraphs)
      throw new LimitError(
        'maxMetaGraphs',
        `more than ${fmtInt(this.L.maxMetaGraphs)} meta graphs at offset ${f.at}`,
        f.at,
      );
    const mg = {
      index,
      offset: f.at,
      tags: [] as string[],
      tensorflowVersion: '',
      saverScope: undefined as string | undefined,
    };
    this.info.metaGraphs.push(mg);
    const M = F.metaGraph;
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      switch (g.no) {
        case M.metaInfo:
          this.r.fields(g.valueAt, g.end, (h) => {
            if (h.wire !== LEN) return;
            if (h.no === F.metaInfo.tags) mg.tags.push(this.text(h));
            else if (h.no === F.metaInfo.tensorflowVersion) mg.tensorflowVersion = this.text(h);
          });
          return;
        case M.graphDef:
          this.graphDef(g, index);
          return;
        case M.saverDef:
          this.r.fields(g.valueAt, g.end, (h) => {
            if (h.no !== F.saver.restoreOpName || h.wire !== LEN) return;
            const name = this.text(h);
            const slash = name.lastIndexOf('/');
            mg.saverScope = slash > 0 ? name.slice(0, slash + 1) : undefined;
          });
          return;
        case M.assetFileDef:
          this.r.fields(g.valueAt, g.end, (h) => {
            if (h.no !== F.asset.filename || h.wire !== LEN) return;
            this.info.stats.assets++;
            if (this.info.assets.length < this.L.maxAssets)
              this.info.assets.push({ filename: this.text(h), metaGraph: index, offset: g.at });
          });
          return;
        case M.objectGraph:
          this.objectGraph(g);
          return;
      }
    });
  }

  private graphDef(f: FieldHeader, metaGraph: number): void {
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      if (g.no === F.graph.node) this.node(g, metaGraph, undefined, `meta_graph[${metaGraph}] graph`);
      else if (g.no === F.graph.library) {
        this.r.fields(g.valueAt, g.end, (h) => {
          if (h.no === F.library.function && h.wire === LEN) this.func(h, metaGraph);
        });
      }
    });
  }

  private func(f: FieldHeader, metaGraph: number): void {
    const s = this.info.stats;
    if (++s.functions > this.L.maxFunctions)
      throw new LimitError(
        'maxFunctions',
        `more than ${fmtInt(this.L.maxFunctions)} functions at offset ${f.at}`,
        f.at,
      );
    let name = '';
    const nodes: Array<[number, number, number]> = [];
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      if (g.no === F.function.signature) {
        this.r.fields(g.valueAt, g.end, (h) => {
          if (h.no === F.opDef.name && h.wire === LEN) name = this.text(h);
        });
      } else if (g.no === F.function.nodeDef) nodes.push([g.at, g.valueAt, g.end]);
    });
    this.info.functions.push({ name, metaGraph, offset: f.at, nodes: nodes.length });
    const where = `function ${q(name)}`;
    for (const [at, valueAt, end] of nodes)
      this.node({ no: 3, wire: LEN, at, valueAt, length: end - valueAt, end }, metaGraph, name, where);
  }

  private node(f: FieldHeader, metaGraph: number, fn: string | undefined, where: string): void {
    const s = this.info.stats;
    if (++s.nodes > this.L.maxNodes)
      throw new LimitError('maxNodes', `more than ${fmtInt(this.L.maxNodes)} nodes at offset ${f.at}`, f.at);
    let name = '';
    let op = '';
    const attrs: Array<[number, number]> = [];
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      if (g.no === F.node.op) op = this.text(g);
      else if (g.no === F.node.name) name = this.text(g);
      else if (g.no === F.node.attr) attrs.push([g.valueAt, g.end]);
    });
    const use = this.opIndex.get(op);
    if (use !== undefined) use.count++;
    else this.opIndex.set(op, { op, count: 1, offset: f.at, where: `${where} node ${q(name)}` });
    if (!this.detailOps.has(op)) return;
    s.detailNodes++;
    if (this.info.detailNodes.length >= this.L.maxDetailNodes) return;
    const ref = { op, name, fn, metaGraph, offset: f.at, attrs: [] as Array<{ key: string; value: string }> };
    for (const [a, b] of attrs) this.attrEntry(a, b, ref.attrs);
    this.info.detailNodes.push(ref);
  }

  /** One map<string, AttrValue> entry: keeps string values (s, list.s, func names). */
  private attrEntry(start: number, end: number, out: Array<{ key: string; value: string }>): void {
    let key = '';
    const values: string[] = [];
    this.r.fields(start, end, (e) => {
      if (e.wire !== LEN) return;
      if (e.no === F.mapEntry.key) key = this.text(e);
      else if (e.no === F.mapEntry.value) {
        this.r.fields(e.valueAt, e.end, (v) => {
          if (v.wire !== LEN) return;
          if (v.no === F.attr.s) values.push(this.text(v));
          else if (v.no === F.attr.func) this.funcName(v, values);
          else if (v.no === F.attr.list) {
            this.r.fields(v.valueAt, v.end, (l) => {
              if (l.wire !== LEN) return;
              if (l.no === F.list.s && values.length < 16) values.push(this.text(l));
              else if (l.no === F.list.func && values.length < 16) this.funcName(l, values);
            });
          }
        });
      }
    });
    if (values.length > 0) out.push({ key, value: values.join(', ') });
  }

  private funcName(f: FieldHeader, values: string[]): void {
    this.r.fields(f.valueAt, f.end, (n) => {
      if (n.no === F.nameAttrList.name && n.wire === LEN) values.push(this.text(n));
    });
  }

  private objectGraph(f: FieldHeader): void {
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.no !== F.objectGraph.nodes || g.wire !== LEN) return;
      const nodeIndex = g.at;
      this.r.fields(g.valueAt, g.end, (h) => {
        if (h.no !== F.savedObject.userObject || h.wire !== LEN) return;
        let identifier = '';
        let meta: FieldHeader | undefined;
        this.r.fields(h.valueAt, h.end, (u) => {
          if (u.wire !== LEN) return;
          if (u.no === F.userObject.identifier) identifier = this.text(u);
          else if (u.no === F.userObject.metadata) meta = { ...u };
        });
        if (meta === undefined || meta.length === 0) return;
        if (++this.info.stats.kerasObjects > this.L.maxKerasObjects) return;
        this.info.keras.push(kerasObject(this.r, meta, identifier, '', nodeIndex, this.L));
      });
    });
  }
}

/**
 * Walks a SavedModel (`saved_model.pb`): every meta graph's graph_def nodes and function library
 * (FunctionDef.node_def), saver scope, asset file names, and the Keras metadata kept in the object
 * graph. `detailOps` names the ops whose nodes are recorded one by one with their string attributes.
 * Tensor contents (Const values) are skipped by offset, never read. Never throws for bad input: a
 * malformed protobuf or an exceeded limit ends the walk and is recorded in `stopped`.
 */
export function parseSavedModel(
  source: ByteSource,
  detailOps: ReadonlySet<string> = new Set(),
  limits: Partial<SavedModelLimits> = {},
  protobuf: Partial<ProtobufLimits> = {},
): SavedModelInfo {
  return new SavedModelWalker(source, { ...SAVEDMODEL_LIMITS, ...limits }, detailOps, protobuf).run();
}

/** Walks a Keras `keras_metadata.pb` (SavedMetadata) and looks for Lambda layers in each object's JSON. */
export function parseKerasMetadata(
  source: ByteSource,
  limits: Partial<SavedModelLimits> = {},
  protobuf: Partial<ProtobufLimits> = {},
): KerasMetadataInfo {
  const L = { ...SAVEDMODEL_LIMITS, ...limits };
  const r = new ProtoReader(source, protobuf);
  const info: KerasMetadataInfo = {
    kind: 'keras-metadata',
    keras: [],
    stats: { kerasObjects: 0 },
    stopped: undefined,
  };
  try {
    r.fields(0, r.size, (f) => {
      if (f.no !== F.kerasMetadata.nodes || f.wire !== LEN) return;
      let identifier = '';
      let nodePath = '';
      let meta: FieldHeader | undefined;
      r.fields(f.valueAt, f.end, (g) => {
        if (g.wire !== LEN) return;
        if (g.no === F.kerasObject.identifier) identifier = r.stringAt(g, L.maxNameBytes);
        else if (g.no === F.kerasObject.nodePath) nodePath = r.stringAt(g, L.maxNameBytes);
        else if (g.no === F.kerasObject.metadata) meta = { ...g };
      });
      if (++info.stats.kerasObjects > L.maxKerasObjects) return;
      info.keras.push(kerasObject(r, meta, identifier, nodePath, f.at, L));
    });
  } catch (e) {
    if (!(e instanceof ModelguardError)) throw e;
    info.stopped = stopOf(e);
  }
  return info;
}
