import { LimitError, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { type FieldHeader, type ProtobufLimits, ProtoReader, WIRE } from '../protobuf/reader.js';
import { externalRefOf, judgeTensor, readTensor, type TensorContext } from './tensor.js';
import {
  ONNX_LIMITS,
  type OnnxAnomalyKind,
  type OnnxLimits,
  type OnnxModel,
  type OnnxOpUse,
} from './types.js';

const LEN = WIRE.len;

/** Field numbers of onnx.proto (onnx/onnx.in.proto) the walker reads. */
const F = {
  model: {
    irVersion: 1,
    producerName: 2,
    producerVersion: 3,
    domain: 4,
    modelVersion: 5,
    graph: 7,
    opsetImport: 8,
    metadata: 14,
    trainingInfo: 20,
    functions: 25,
  },
  graph: { node: 1, initializer: 5, sparseInitializer: 15 },
  node: { name: 3, opType: 4, attribute: 5, domain: 7 },
  attr: { name: 1, t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 },
  sparse: { values: 1, indices: 2 },
  function: { name: 1, node: 7, attributeProto: 11, domain: 10, overload: 13 },
  training: { initialization: 1, algorithm: 2 },
} as const;

function emptyModel(): OnnxModel {
  return {
    irVersion: undefined,
    producerName: undefined,
    producerVersion: undefined,
    domain: undefined,
    modelVersion: undefined,
    hasGraph: false,
    opsetImports: [],
    metadata: [],
    functions: [],
    ops: [],
    externalData: [],
    anomalies: [],
    stats: {
      nodes: 0,
      graphs: 0,
      tensors: 0,
      initializers: 0,
      maxGraphDepth: 0,
      rawDataBytes: 0,
      externalRefs: 0,
      anomalies: 0,
      metadata: 0,
      trainingInfos: 0,
      skippedGraphs: 0,
    },
    stopped: undefined,
  };
}

/** Quotes a name for a `where` path. */
function q(s: string): string {
  return JSON.stringify(s.length > 80 ? `${s.slice(0, 80)}…` : s);
}

/** Walks a ModelProto field by field without reading tensor payloads. */
class OnnxWalker {
  readonly r: ProtoReader;
  readonly model = emptyModel();
  private readonly opIndex = new Map<string, OnnxOpUse>();
  private readonly path: string[] = [];
  private graphDepth = 0;
  private inFunction = false;
  private readonly tensors: TensorContext;

  constructor(
    source: ByteSource,
    private readonly L: OnnxLimits,
    pb: Partial<ProtobufLimits>,
  ) {
    this.r = new ProtoReader(source, pb);
    this.tensors = { r: this.r, L, counted: 0, entry: (f) => this.stringEntry(f) };
  }

  /** The path to the current graph; deep paths keep their ends (`graph › … 30 levels … › If then_branch`). */
  private where(): string {
    const p = this.path;
    if (p.length <= 6) return p.join(' › ');
    return [...p.slice(0, 2), `… ${p.length - 4} levels …`, ...p.slice(-2)].join(' › ');
  }

  private text(f: FieldHeader): string {
    return this.r.stringAt(f, this.L.maxNameBytes);
  }

  private anomaly(kind: OnnxAnomalyKind, detail: string, offset: number): void {
    this.model.stats.anomalies++;
    if (this.model.anomalies.length < this.L.maxAnomalies)
      this.model.anomalies.push({ kind, detail, offset });
  }

  run(): OnnxModel {
    try {
      this.r.fields(0, this.r.size, (f) => this.modelField(f));
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      this.model.stopped = {
        kind: e instanceof LimitError ? 'limit' : 'malformed',
        message: e.message,
        offset: e.offset,
        limit: e instanceof LimitError ? e.limit : undefined,
      };
    }
    this.model.ops = [...this.opIndex.values()];
    return this.model;
  }

  private modelField(f: FieldHeader): void {
    const m = this.model;
    const M = F.model;
    if (f.wire === WIRE.varint) {
      if (f.no === M.irVersion) m.irVersion = this.r.int64At(f);
      else if (f.no === M.modelVersion) m.modelVersion = this.r.int64At(f);
      return;
    }
    if (f.wire !== LEN) return;
    switch (f.no) {
      case M.producerName:
        m.producerName = this.text(f);
        return;
      case M.producerVersion:
        m.producerVersion = this.text(f);
        return;
      case M.domain:
        m.domain = this.text(f);
        return;
      case M.graph:
        m.hasGraph = true;
        this.path.push('graph');
        this.graph(f.valueAt, f.end);
        this.path.pop();
        return;
      case M.opsetImport:
        this.opsetImport(f);
        return;
      case M.metadata: {
        const e = this.stringEntry(f);
        m.stats.metadata++;
        if (m.metadata.length < this.L.maxMetadata) m.metadata.push({ ...e, offset: f.at });
        return;
      }
      case M.trainingInfo:
        this.trainingInfo(f);
        return;
      case M.functions:
        this.func(f);
        return;
    }
  }

  private opsetImport(f: FieldHeader): void {
    let domain = '';
    let version = 0;
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.no === 1 && g.wire === LEN) domain = this.text(g);
      else if (g.no === 2 && g.wire === WIRE.varint) version = this.r.int64At(g);
    });
    this.model.opsetImports.push({ domain, version });
  }

  private stringEntry(f: FieldHeader): { key: string; value: string } {
    let key = '';
    let value = '';
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      if (g.no === 1) key = this.text(g);
      else if (g.no === 2) value = this.text(g);
    });
    return { key, value };
  }

  private trainingInfo(f: FieldHeader): void {
    const index = this.model.stats.trainingInfos++;
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      const label =
        g.no === F.training.initialization
          ? 'initialization'
          : g.no === F.training.algorithm
            ? 'algorithm'
            : '';
      if (label === '') return;
      this.path.push(`training_info[${index}].${label}`);
      this.graph(g.valueAt, g.end);
      this.path.pop();
    });
  }

  private func(f: FieldHeader): void {
    let name = '';
    let domain = '';
    let overload = '';
    const nodes: Array<[number, number, number]> = [];
    const attrs: Array<[number, number]> = [];
    this.r.fields(f.valueAt, f.end, (g) => {
      if (g.wire !== LEN) return;
      if (g.no === F.function.name) name = this.text(g);
      else if (g.no === F.function.domain) domain = this.text(g);
      else if (g.no === F.function.overload) overload = this.text(g);
      else if (g.no === F.function.node) nodes.push([g.at, g.valueAt, g.end]);
      else if (g.no === F.function.attributeProto) attrs.push([g.valueAt, g.end]);
    });
    const fns = this.model.functions;
    if (fns.length >= this.L.maxFunctions) {
      throw new LimitError(
        'maxFunctions',
        `more than ${fmtInt(this.L.maxFunctions)} model-local functions at offset ${f.at}`,
        f.at,
      );
    }
    fns.push({ domain, name, overload, offset: f.at, nodes: nodes.length });
    const outer = this.inFunction;
    this.inFunction = true;
    this.path.push(`function ${q(domain === '' ? name : `${domain}.${name}`)}`);
    for (const [at, s, e] of nodes) this.node(s, e, at);
    for (const [s, e] of attrs) this.attribute(s, e, '', name);
    this.path.pop();
    this.inFunction = outer;
  }

  private graph(start: number, end: number): void {
    this.model.stats.graphs++;
    this.r.fields(start, end, (f) => {
      if (f.wire !== LEN) return;
      if (f.no === F.graph.node) this.node(f.valueAt, f.end, f.at);
      else if (f.no === F.graph.initializer) {
        this.model.stats.initializers++;
        this.tensor(f.valueAt, f.end, f.at, 'initializer');
      } else if (f.no === F.graph.sparseInitializer) {
        this.model.stats.initializers++;
        this.sparse(f.valueAt, f.end, 'sparse_initializer');
      }
    });
  }

  private node(start: number, end: number, at: number): void {
    let name = '';
    let opType = '';
    let domain = '';
    const attrs: Array<[number, number]> = [];
    this.r.fields(start, end, (f) => {
      if (f.wire !== LEN) return;
      if (f.no === F.node.opType) opType = this.text(f);
      else if (f.no === F.node.domain) domain = this.text(f);
      else if (f.no === F.node.name) name = this.text(f);
      else if (f.no === F.node.attribute) attrs.push([f.valueAt, f.end]);
    });
    const s = this.model.stats;
    if (++s.nodes > this.L.maxNodes)
      throw new LimitError('maxNodes', `more than ${fmtInt(this.L.maxNodes)} nodes (at offset ${at})`, at);
    const key = `${domain}\u0000${opType}`;
    const use = this.opIndex.get(key);
    if (use !== undefined) {
      use.count++;
      if (!this.inFunction) use.inFunctionOnly = false;
    } else {
      const where = this.where();
      this.opIndex.set(key, {
        domain,
        opType,
        count: 1,
        offset: at,
        where: name === '' ? where : `${where} › node ${q(name)}`,
        inFunctionOnly: this.inFunction,
      });
    }
    for (const [a, b] of attrs) this.attribute(a, b, opType, name);
  }

  private attribute(start: number, end: number, opType: string, nodeName: string): void {
    let name = '';
    const graphs: Array<[number, number, number]> = [];
    const tensors: Array<[number, number, number, boolean]> = [];
    const A = F.attr;
    this.r.fields(start, end, (f) => {
      if (f.wire !== LEN) return;
      if (f.no === A.name) name = this.text(f);
      else if (f.no === A.g || f.no === A.graphs) graphs.push([f.at, f.valueAt, f.end]);
      else if (f.no === A.t || f.no === A.tensors) tensors.push([f.at, f.valueAt, f.end, false]);
      else if (f.no === A.sparseTensor || f.no === A.sparseTensors)
        tensors.push([f.at, f.valueAt, f.end, true]);
    });
    const label = `${opType === '' ? 'attribute' : opType}${nodeName === '' ? '' : ` ${q(nodeName)}`} ${name}`;
    for (const [at, s, e, sparse] of tensors) {
      this.path.push(label);
      if (sparse) this.sparse(s, e, 'sparse tensor attribute');
      else this.tensor(s, e, at, 'tensor attribute');
      this.path.pop();
    }
    for (const [at, s, e] of graphs) {
      if (this.graphDepth + 1 > this.L.maxGraphDepth) {
        this.model.stats.skippedGraphs++;
        this.anomaly(
          'too-deep',
          `subgraph ${label} in ${this.where()} is nested deeper than maxGraphDepth ${this.L.maxGraphDepth}; it was not inspected`,
          at,
        );
        continue;
      }
      this.graphDepth++;
      const st = this.model.stats;
      if (this.graphDepth > st.maxGraphDepth) st.maxGraphDepth = this.graphDepth;
      this.path.push(label);
      this.graph(s, e);
      this.path.pop();
      this.graphDepth--;
    }
  }

  private sparse(start: number, end: number, label: string): void {
    this.r.fields(start, end, (f) => {
      if (f.wire !== LEN) return;
      if (f.no === F.sparse.values) this.tensor(f.valueAt, f.end, f.at, `${label} values`);
      else if (f.no === F.sparse.indices) this.tensor(f.valueAt, f.end, f.at, `${label} indices`);
    });
  }

  private tensor(start: number, end: number, at: number, label: string): void {
    const s = this.model.stats;
    if (++s.tensors > this.L.maxTensors)
      throw new LimitError(
        'maxTensors',
        `more than ${fmtInt(this.L.maxTensors)} tensors (at offset ${at})`,
        at,
      );
    const t = readTensor(this.tensors, start, end);
    if (t.raw !== undefined) s.rawDataBytes += t.raw.length;
    const inGraph = this.path.length > 0 ? ` in ${this.where()}` : '';
    const j = judgeTensor(t, this.L, () => `${label} ${q(t.name)}${inGraph}`);
    for (const a of j.anomalies) this.anomaly(a.kind, a.detail, at);
    if (!j.external) return;
    s.externalRefs++;
    if (this.model.externalData.length < this.L.maxExternalRefs)
      this.model.externalData.push(externalRefOf(t, at, `${label}${inGraph}`, j.expectedBytes));
  }
}

/**
 * Walks an ONNX ModelProto: opsets, metadata, every node of the main graph, of subgraphs (If/Loop/Scan
 * bodies and any graph attribute, up to maxGraphDepth) and of model-local functions and training
 * graphs; every tensor's declared size against its data; every external-data reference. Tensor
 * payloads are skipped by offset, never read. Never throws for bad input: a malformed protobuf or an
 * exceeded limit ends the walk and is recorded in `stopped`, with everything found before it.
 */
export function parseOnnx(
  source: ByteSource,
  limits: Partial<OnnxLimits> = {},
  protobuf: Partial<ProtobufLimits> = {},
): OnnxModel {
  return new OnnxWalker(source, { ...ONNX_LIMITS, ...limits }, protobuf).run();
}
