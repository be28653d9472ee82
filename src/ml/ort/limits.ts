/** Named limits of the onnxruntime-node classifier backend. */
export const ORT_LIMITS = {
  /** Samples per onnxruntime call (forward or gradient); bigger inputs are split into batches of this size. */
  maxBatch: 256,
  /** Model bytes read from a path (protobuf's own 2 GiB message limit). */
  maxModelBytes: 2 ** 31 - 1,
  /** Distinct layers whose activations are kept as extra sessions at once (least recently used dropped). */
  maxActivationSessions: 8,
  /** Step-loop graphs (one per norm and step count) kept as sessions at once (least recently built dropped). */
  maxStepSessions: 4,
  /** Worker threads (data-parallel sessions) at most, whatever `threads` asks for. */
  maxThreads: 8,
  /** Bigger models run in one session in this thread: each worker would hold its own copy of the weights. */
  maxPoolModelBytes: 512 * 1024 * 1024,
} as const;
