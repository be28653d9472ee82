/**
 * Named limits of the Keras readers. Each bounds one resource a hostile config controls; exceeding one
 * is reported as a finding by the scanner, never a crash or a hang.
 */
export interface KerasConfigLimits {
  /** Bytes of one config text (H5 `model_config`, `.keras` `config.json`). Stops memory exhaustion. CWE-400/CWE-789. */
  maxConfigBytes: number;
  /** Nesting depth of the config walk (JSON parsing itself is iterative in V8). CWE-674. */
  maxDepth: number;
  /** JSON values visited in one config (huge arrays, millions of layers). CWE-400/CWE-834. */
  maxNodes: number;
  /** Layers of one model taken into the reachability analysis of its nodes. CWE-400. */
  maxLayers: number;
  /** Findings of one kind kept per config (the rest are counted). CWE-400. */
  maxIssuesPerKind: number;
  /** Bytes of an embedded payload decoded from base64 (TorchModuleWrapper, Lambda code). CWE-789. */
  maxPayloadBytes: number;
}

export const KERAS_LIMITS: KerasConfigLimits = {
  maxConfigBytes: 64 << 20,
  maxDepth: 256,
  maxNodes: 2_000_000,
  maxLayers: 100_000,
  maxIssuesPerKind: 50,
  maxPayloadBytes: 256 << 20,
};

/** Limits of the marshal reader (Lambda bytecode). */
export interface MarshalLimits {
  /** Bytes of one marshal stream. CWE-789. */
  maxBytes: number;
  /** Marshal objects read from one stream. CWE-400. */
  maxObjects: number;
  /** Nesting of tuples and code objects. CWE-674. */
  maxDepth: number;
  /** Names or strings kept per list in the summary. */
  maxStrings: number;
}

export const MARSHAL_LIMITS: MarshalLimits = {
  maxBytes: 16 << 20,
  maxObjects: 200_000,
  maxDepth: 64,
  maxStrings: 200,
};
