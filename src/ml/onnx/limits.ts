/** Named limits of the ONNX editor; each stops a hostile or broken model from exhausting memory or time. */
export const ONNX_EDIT_LIMITS = {
  /** Model bytes accepted (protobuf's own 2 GiB message limit; larger models use external data). */
  maxModelBytes: 2 ** 31 - 1,
  /** Nodes in the main graph. */
  maxNodes: 200_000,
  /** Inputs/outputs of one node, attributes of one node. */
  maxNodeArity: 10_000,
  /** Graph inputs, outputs, value_info entries and initializers (each). */
  maxGraphEntries: 1_000_000,
  /** Dimensions of one tensor shape. */
  maxRank: 64,
  /** Elements read from a constant integer tensor (shapes, axes, pads, split sizes). */
  maxConstElements: 1 << 16,
  /** Opset imports. */
  maxOpsets: 1000,
} as const;
