/**
 * Spectral Signatures (Tran, Li, Madry 2018; robustness.md §B.8) and a whitened variant for poison that is a
 * large share of its class (in the spirit of SPECTRE, Hayase et al. 2021).
 */

import {
  centre,
  cholesky,
  column,
  gram,
  type Mat,
  mat,
  pickRows,
  principalDirections,
  project,
  std,
  whitenRows,
} from './linalg.js';

/** What a per-class detector returns: a score per class member and the flagged members (class positions). */
export interface ClassResult {
  readonly scores: Float64Array;
  readonly flagged: readonly number[];
  readonly statistic?: number;
  readonly smallerShare?: number;
}

/**
 * The paper's form: centre the class activations R (M = R − mean), take the top right-singular vector v of
 * M, score each sample by (M_i·v)², and flag the `floor(multiplier · eps · n)` highest scores. Scores are
 * divided by their class mean, so they are comparable across classes. (ART scores |v·R_i| on the uncentred R
 * and cuts at a quantile; we follow the paper.)
 */
export function spectralSignature(cls: Mat, eps: number, multiplier: number): ClassResult {
  const m = centre(cls);
  const { directions } = principalDirections(m, 1);
  const p = project(m, column(directions, 0));
  const scores = p.map((v) => v * v);
  const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
  if (mean > 0) for (let i = 0; i < scores.length; i++) scores[i]! /= mean;
  const k = Math.min(cls.rows, Math.floor(multiplier * eps * cls.rows));
  const order = Array.from(scores.keys()).sort((a, b) => scores[b]! - scores[a]! || a - b);
  return { scores, flagged: order.slice(0, k).sort((a, b) => a - b) };
}

/**
 * The lower Cholesky factor of the pooled within-class covariance (each class centred at its own mean) plus
 * `ridge` times the mean variance. Poison confined to a few classes barely moves it, so it stands in for the
 * clean covariance that SPECTRE estimates robustly.
 */
export function pooledWhitener(x: Mat, classes: readonly (readonly number[])[], ridge: number): Mat {
  const g = mat(x.cols, x.cols);
  let n = 0;
  for (const idx of classes) {
    if (idx.length < 2) continue;
    gram(centre(pickRows(x, idx)), g);
    n += idx.length;
  }
  const d = x.cols;
  let trace = 0;
  for (let i = 0; i < d; i++) trace += g.data[i * d + i]! / Math.max(1, n);
  const add = ridge * (trace > 0 ? trace / d : 1) + 1e-12;
  for (let i = 0; i < g.data.length; i++) g.data[i]! /= Math.max(1, n);
  for (let i = 0; i < d; i++) g.data[i * d + i]! += add;
  return cholesky(g);
}

/** The split of sorted values into two runs minimising the within-run sum of squares (exact 1-d 2-means). */
export function bestSplit(sorted: Float64Array): number {
  const n = sorted.length;
  const pre = new Float64Array(n + 1);
  const pre2 = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    pre[i + 1] = pre[i]! + sorted[i]!;
    pre2[i + 1] = pre2[i]! + sorted[i]! * sorted[i]!;
  }
  const ss = (a: number, b: number): number => {
    const s = pre[b]! - pre[a]!;
    return pre2[b]! - pre2[a]! - (s * s) / (b - a);
  };
  let best = 1;
  let bestSs = ss(0, 1) + ss(1, n);
  for (let k = 2; k < n; k++) {
    const v = ss(0, k) + ss(k, n);
    if (v < bestSs - 1e-12 * Math.abs(bestSs)) {
      bestSs = v;
      best = k;
    }
  }
  return best; // the lower run is sorted[0..best)
}

/**
 * The whitened variant. Whiten the centred class activations with the pooled within-class covariance, take
 * their top singular direction v, and split the projections M_i·v into two runs (exact 1-d 2-means). The
 * class statistic is the trimmed gap between the runs: (the `trim` quantile of the upper run − the 1 − `trim`
 * quantile of the lower run) / std of the projections. A class is poisoned when the gap is at least
 * `gapThreshold`; its smaller run is flagged (poison is assumed to be under half of its labelled class).
 * Scores are the distance past the split in standard deviations.
 */
export function whitenedSpectral(cls: Mat, whitener: Mat, gapThreshold: number, trim: number): ClassResult {
  const w = whitenRows(centre(cls), whitener);
  const { directions } = principalDirections(w, 1);
  const p = project(w, column(directions, 0));
  const sd = std(p);
  const n = p.length;
  const order = Array.from(p.keys()).sort((a, b) => p[a]! - p[b]! || a - b);
  const sorted = Float64Array.from(order, (i) => p[i]!);
  const k = bestSplit(sorted);
  const lowSmaller = k <= n - k;
  const cut = (sorted[k - 1]! + sorted[k]!) / 2;
  const tl = Math.floor(trim * k);
  const th = Math.floor(trim * (n - k));
  const gap = sd > 0 ? (sorted[k + th]! - sorted[k - 1 - tl]!) / sd : 0;
  const scores = new Float64Array(n);
  const smallIdx = lowSmaller ? order.slice(0, k) : order.slice(k);
  for (const i of smallIdx) scores[i] = sd > 0 ? Math.abs(p[i]! - cut) / sd : 0;
  const poisoned = gap >= gapThreshold;
  return {
    scores: poisoned ? scores : new Float64Array(n),
    flagged: poisoned ? smallIdx.slice().sort((a, b) => a - b) : [],
    statistic: gap,
    smallerShare: Math.min(k, n - k) / n,
  };
}
