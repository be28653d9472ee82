/** Named limits of the SavedModel walker; each comment names the attack it stops. */
export const SAVEDMODEL_LIMITS = {
  /** NodeDefs walked across all graphs and functions. Stops node floods. CWE-400. */
  maxNodes: 10_000_000,
  /** FunctionDefs walked. CWE-400/CWE-770. */
  maxFunctions: 1_000_000,
  /** MetaGraphDefs walked. CWE-770. */
  maxMetaGraphs: 1_000,
  /** Nodes of the ops the caller asks about recorded with names and attributes (all are counted). CWE-770. */
  maxDetailNodes: 10_000,
  /** Asset file names recorded. CWE-770. */
  maxAssets: 10_000,
  /** Bytes of a name, op or attribute string decoded. CWE-789. */
  maxNameBytes: 4096,
  /** Bytes of one Keras metadata JSON parsed; longer ones are reported as not inspected. CWE-400/CWE-789. */
  maxKerasJsonBytes: 16 << 20,
  /** Keras objects whose metadata is parsed. CWE-400. */
  maxKerasObjects: 100_000,
  /** JSON nesting walked when looking for layers. CWE-674. */
  maxJsonDepth: 1_000,
} as const;
export type SavedModelLimits = { readonly [K in keyof typeof SAVEDMODEL_LIMITS]: number };

/** A NodeDef of an op the caller asked about, with where it sits and its string attributes. */
export interface TfNodeRef {
  op: string;
  name: string;
  /** Function name, or undefined for a node of a meta graph's top-level graph. */
  fn: string | undefined;
  metaGraph: number;
  offset: number;
  /** String-valued attributes (s, list.s, func name), cut at maxNameBytes. */
  attrs: Array<{ key: string; value: string }>;
}

export interface TfOpUse {
  op: string;
  count: number;
  offset: number;
  /** Where the first use sits: `meta_graph[0] graph node "x"` or `function "f" node "y"`. */
  where: string;
}

export interface TfFunctionInfo {
  name: string;
  metaGraph: number;
  offset: number;
  nodes: number;
}

/** A Lambda layer found in Keras metadata JSON. */
export interface KerasLambda {
  layer: string;
  /** `lambda` (marshalled Python bytecode), `function` (a function by name), or what the JSON says. */
  functionType: string;
  /** The function is marshalled bytecode (base64), which Keras unmarshals and runs. */
  bytecode: boolean;
  module: string;
  /** Function name when functionType is `function`. */
  functionName: string;
}

export interface KerasObjectInfo {
  identifier: string;
  nodePath: string;
  offset: number;
  lambdas: KerasLambda[];
  /** The metadata JSON could not be inspected (too large, invalid, too deep): why. */
  uninspected: string | undefined;
}

export interface MetaGraphInfo {
  index: number;
  offset: number;
  tags: string[];
  tensorflowVersion: string;
  /** Name scope of the TF1 saver (`save/`), from saver_def.restore_op_name. */
  saverScope: string | undefined;
}

/** Why the walk ended early (what came before is kept). */
export interface WalkStop {
  kind: 'malformed' | 'limit';
  message: string;
  offset: number | undefined;
  limit: string | undefined;
}

export interface SavedModelInfo {
  kind: 'saved-model';
  schemaVersion: number | undefined;
  metaGraphs: MetaGraphInfo[];
  functions: TfFunctionInfo[];
  ops: TfOpUse[];
  detailNodes: TfNodeRef[];
  assets: Array<{ filename: string; metaGraph: number; offset: number }>;
  /** Keras objects of the object graph (SavedUserObject metadata, TF ≤ 2.4). */
  keras: KerasObjectInfo[];
  stats: { nodes: number; functions: number; detailNodes: number; assets: number; kerasObjects: number };
  stopped: WalkStop | undefined;
}

/** `keras_metadata.pb` (Keras SavedModel metadata, TF ≥ 2.5). */
export interface KerasMetadataInfo {
  kind: 'keras-metadata';
  keras: KerasObjectInfo[];
  stats: { kerasObjects: number };
  stopped: WalkStop | undefined;
}
