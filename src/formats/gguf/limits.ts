/** Named limits of the GGUF reader; each comment names the attack it stops. */
export interface GgufLimits {
  /** Metadata key/value pairs read (real files: under 100). CWE-400/CWE-789 (n_kv overflow, CVE-2024-23605). */
  maxKv: number;
  /** Tensor infos read (real files: a few thousand at most). CWE-400/CWE-789. */
  maxTensors: number;
  /** Bytes of a key (the GGUF spec caps keys at 65,535). CWE-789. */
  maxKeyBytes: number;
  /** Bytes of one string value (llama.cpp GGUF_MAX_STRING_LENGTH). CWE-789. */
  maxStringBytes: number;
  /** Elements of one array (llama.cpp GGUF_MAX_ARRAY_ELEMENTS). CWE-789. */
  maxArrayElements: number;
  /** Nesting of arrays of arrays (llama.cpp refuses any; gguf-py recurses). CWE-674. */
  maxArrayDepth: number;
  /** Dimensions of a tensor (GGML_MAX_DIMS; more overflows ggml's fixed ne[4], CVE-2024-21802). CWE-787. */
  maxDims: number;
  /** Bytes of a tensor name (GGML_MAX_NAME 64 with the NUL: longer names overflowed old readers). CWE-120. */
  maxTensorNameBytes: number;
  /** general.alignment accepted (real files: 32; huge values overflow GGML_PAD). CWE-190. */
  maxAlignment: number;
  /** Strings kept decoded in the result (longer ones are located, read on demand). CWE-789. */
  maxInlineString: number;
  /** Facts recorded per file before the rest are only counted. CWE-400. */
  maxFacts: number;
}

export const GGUF_LIMITS: GgufLimits = {
  maxKv: 65_536,
  maxTensors: 100_000,
  maxKeyBytes: 65_535,
  maxStringBytes: 1 << 30,
  maxArrayElements: 1 << 30,
  maxArrayDepth: 8,
  maxDims: 4,
  maxTensorNameBytes: 63,
  maxAlignment: 1 << 20,
  maxInlineString: 4096,
  maxFacts: 1_000,
};

/** Default alignment of the data section (GGUF_DEFAULT_ALIGNMENT). */
export const GGUF_DEFAULT_ALIGNMENT = 32;
