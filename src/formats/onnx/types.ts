/** Named limits of the ONNX walker; each comment names the attack it stops. */
export const ONNX_LIMITS = {
  /** Subgraph nesting (If/Loop/Scan bodies, graph attributes) walked; deeper graphs are not inspected. CWE-674. */
  maxGraphDepth: 32,
  /** Nodes walked across all graphs and functions. Stops node floods from costing unbounded time. CWE-400. */
  maxNodes: 10_000_000,
  /** Tensors (initializers, attribute tensors, sparse parts) walked. CWE-400/CWE-770. */
  maxTensors: 1_000_000,
  /** Model-local functions recorded. CWE-770. */
  maxFunctions: 100_000,
  /** External-data references recorded (all are counted). Stops finding floods. CWE-400. */
  maxExternalRefs: 100_000,
  /** Anomalies recorded (all are counted). Stops finding floods. CWE-400. */
  maxAnomalies: 1_000,
  /** metadata_props entries recorded. CWE-770. */
  maxMetadata: 1_000,
  /** Dimensions read per tensor; more is an anomaly (no real tensor has them). CWE-400. */
  maxDims: 64,
  /** Declared tensor size (dims × element size) above which a tensor is an anomaly: allocating it exhausts memory on load. CWE-789. */
  maxTensorBytes: 64 * 2 ** 30,
  /** Bytes of a packed varint field counted to check a tensor's element count; larger fields are not counted. CWE-400. */
  maxCountBytes: 16 << 20,
  /** Bytes of packed varint fields counted per model; past it element counts are not checked. CWE-400. */
  maxCountBytesTotal: 64 << 20,
  /** Bytes of a name, op type, domain or external-data value decoded. CWE-789. */
  maxNameBytes: 4096,
} as const;
export type OnnxLimits = { readonly [K in keyof typeof ONNX_LIMITS]: number };

/** One (domain, op_type) pair used by nodes, with how often and where first. */
export interface OnnxOpUse {
  /** The node's domain as written ('' for the default domain). */
  domain: string;
  opType: string;
  count: number;
  /** Offset of the first NodeProto using it. */
  offset: number;
  /** Where the first use sits, e.g. `graph › If 'cond' then_branch › node '/x'`. */
  where: string;
  /** True while every use so far is inside a model-local function body. */
  inFunctionOnly: boolean;
}

/** A tensor whose data is stored outside the model file (`data_location = EXTERNAL` or external_data entries). */
export interface OnnxExternalRef {
  tensor: string;
  where: string;
  /** Offset of the TensorProto. */
  offset: number;
  /** `location` values in order (loaders use the last); cut at maxNameBytes. */
  locations: string[];
  /** Parsed `offset` / `length` values (undefined when absent); the raw text when it is not a decimal number. */
  dataOffset: number | undefined;
  length: number | undefined;
  badNumbers: string[];
  /** Keys other than location/offset/length/checksum/basepath. */
  otherKeys: string[];
  /** data_location is EXTERNAL (onnx and onnxruntime only read external data then). */
  markedExternal: boolean;
  /** Bytes dims × dtype declare, when known. */
  expectedBytes: number | undefined;
}

export interface OnnxFunctionInfo {
  domain: string;
  name: string;
  overload: string;
  offset: number;
  nodes: number;
}

export type OnnxAnomalyKind = 'size-mismatch' | 'huge-tensor' | 'bad-dims' | 'too-deep';

export interface OnnxAnomaly {
  kind: OnnxAnomalyKind;
  detail: string;
  offset: number;
}

/** Why the walk ended early (what came before is kept). */
export interface OnnxStop {
  kind: 'malformed' | 'limit';
  message: string;
  offset: number | undefined;
  limit: string | undefined;
}

export interface OnnxStats {
  nodes: number;
  graphs: number;
  tensors: number;
  initializers: number;
  /** Deepest subgraph nesting seen (0: only the main graph). */
  maxGraphDepth: number;
  /** Bytes of in-file raw_data payloads (skipped, never read). */
  rawDataBytes: number;
  externalRefs: number;
  anomalies: number;
  metadata: number;
  trainingInfos: number;
  /** Subgraphs beyond maxGraphDepth that were not walked. */
  skippedGraphs: number;
}

export interface OnnxModel {
  irVersion: number | undefined;
  producerName: string | undefined;
  producerVersion: string | undefined;
  domain: string | undefined;
  modelVersion: number | undefined;
  /** True when field 7 (graph) was present. */
  hasGraph: boolean;
  opsetImports: Array<{ domain: string; version: number }>;
  metadata: Array<{ key: string; value: string; offset: number }>;
  functions: OnnxFunctionInfo[];
  ops: OnnxOpUse[];
  externalData: OnnxExternalRef[];
  anomalies: OnnxAnomaly[];
  stats: OnnxStats;
  stopped: OnnxStop | undefined;
}
