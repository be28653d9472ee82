/** The MAD anomaly index of Neural Cleanse (bolunwang/backdoor mad_outlier_detection.py, robustness.md §B.7). */
import { NC_DEFAULTS } from './limits.js';

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  const mid = Math.floor(n / 2);
  return n % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface AnomalyResult {
  readonly median: number;
  /** consistency · median(|L1_i − median|). */
  readonly mad: number;
  /** |L1_i − median| / MAD per norm (0 everywhere when MAD is 0). */
  readonly indices: readonly number[];
  /** Positions flagged: below the median and index above the threshold. */
  readonly flagged: readonly number[];
}

/**
 * Anomaly index of each norm: `|L1_i − median| / (1.4826 · median |L1 − median|)`. A norm is flagged when it
 * is below the median and its index exceeds the threshold (2, about 95% under normality). A MAD of zero
 * (half or more of the norms equal) gives index 0 everywhere: no spread, no outlier can be measured.
 */
export function anomalyIndices(
  norms: readonly number[],
  threshold: number = NC_DEFAULTS.anomalyThreshold,
  consistency: number = NC_DEFAULTS.consistency,
): AnomalyResult {
  const med = median(norms);
  const mad = consistency * median(norms.map((v) => Math.abs(v - med)));
  const indices = norms.map((v) => (mad > 0 ? Math.abs(v - med) / mad : 0));
  const flagged: number[] = [];
  indices.forEach((a, i) => {
    if (norms[i]! < med && a > threshold) flagged.push(i);
  });
  return { median: med, mad, indices, flagged };
}
