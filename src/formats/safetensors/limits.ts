/** Named limits of the safetensors header reader; each comment names the attack it stops. */
export interface SafetensorsLimits {
  /**
   * Header bytes read. The reference loader refuses headers over 100,000,000 bytes (ModelAudit uses
   * 16 MiB); a larger declared length is reported, not read. CWE-789.
   */
  maxHeaderBytes: number;
  /**
   * Tensor entries checked. Real single-file checkpoints stay under ~40,000 (an unsharded
   * Qwen3-235B MoE); the T66 denial-of-service headers declare 100,000+. CWE-400.
   */
  maxTensors: number;
  /** JSON nesting depth (serde_json's own recursion limit is 128). CWE-674. */
  maxJsonDepth: number;
  /** Facts recorded per file before the rest are only counted. Stops finding floods. CWE-400. */
  maxFacts: number;
  /** Gaps and trailing regions handed to the engine for sniffing. CWE-400. */
  maxHoles: number;
}

export const SAFETENSORS_LIMITS: SafetensorsLimits = {
  maxHeaderBytes: 100_000_000,
  maxTensors: 50_000,
  maxJsonDepth: 128,
  maxFacts: 1_000,
  maxHoles: 16,
};

export const U64_MAX = (1n << 64n) - 1n;
