/**
 * Activation Clustering (Chen et al. 2018; robustness.md §B.9): per labelled class, PCA of the activations
 * to a few dimensions, k-means with k = 2 (seeded k-means++, several restarts), then a rule says which
 * cluster, if any, is poison.
 */

import type { Rng } from '../../attacks/rng.js';
import { POISON_LIMITS } from './limits.js';
import { centre, type Mat, multiply, principalDirections } from './linalg.js';
import type { ClassResult } from './spectral.js';

export type ClusteringRule = 'smaller' | 'relative-size' | 'silhouette';

function dist2(a: Float64Array, i: number, c: Float64Array, j: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += (a[i * d + k]! - c[j * d + k]!) ** 2;
  return s;
}

/** k-means (Lloyd) with k-means++ seeding; the restart with the lowest inertia wins. */
export function kmeans(x: Mat, k: number, rng: Rng): { labels: Int32Array; centres: Float64Array } {
  const { rows: n, cols: d, data } = x;
  let best: { labels: Int32Array; centres: Float64Array; inertia: number } | undefined;
  for (let restart = 0; restart < POISON_LIMITS.kmeansRestarts; restart++) {
    const centres = new Float64Array(k * d);
    const first = Math.min(n - 1, Math.floor(rng.uniform() * n));
    centres.set(data.subarray(first * d, (first + 1) * d), 0);
    const near = Float64Array.from({ length: n }, (_, i) => dist2(data, i, centres, 0, d));
    for (let c = 1; c < k; c++) {
      const total = near.reduce((a, b) => a + b, 0);
      let pick = n - 1;
      if (total > 0) {
        let u = rng.uniform() * total;
        for (let i = 0; i < n; i++) {
          u -= near[i]!;
          if (u < 0) {
            pick = i;
            break;
          }
        }
      } else pick = Math.min(n - 1, Math.floor(rng.uniform() * n));
      centres.set(data.subarray(pick * d, (pick + 1) * d), c * d);
      for (let i = 0; i < n; i++) near[i] = Math.min(near[i]!, dist2(data, i, centres, c, d));
    }
    const labels = new Int32Array(n).fill(-1);
    let inertia = 0;
    for (let it = 0; it < POISON_LIMITS.kmeansIterations; it++) {
      let changed = false;
      inertia = 0;
      for (let i = 0; i < n; i++) {
        let bl = 0;
        let bd = Number.POSITIVE_INFINITY;
        for (let c = 0; c < k; c++) {
          const v = dist2(data, i, centres, c, d);
          if (v < bd) {
            bd = v;
            bl = c;
          }
        }
        inertia += bd;
        if (labels[i] !== bl) {
          labels[i] = bl;
          changed = true;
        }
      }
      if (!changed) break;
      const counts = new Float64Array(k);
      const sums = new Float64Array(k * d);
      for (let i = 0; i < n; i++) {
        const c = labels[i]!;
        counts[c]!++;
        for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
      }
      for (let c = 0; c < k; c++)
        if (counts[c]! > 0) for (let j = 0; j < d; j++) centres[c * d + j] = sums[c * d + j]! / counts[c]!;
    }
    if (!best || inertia < best.inertia - 1e-12 * best.inertia) best = { labels, centres, inertia };
  }
  return { labels: best!.labels, centres: best!.centres };
}

/** Mean silhouette of a labelling (Euclidean), on a seeded subsample above the limit. */
export function silhouette(x: Mat, labels: Int32Array, k: number, rng: Rng): number {
  const { rows: n, cols: d, data } = x;
  let idx = Array.from({ length: n }, (_, i) => i);
  if (n > POISON_LIMITS.maxSilhouetteSamples) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    idx = idx.slice(0, POISON_LIMITS.maxSilhouetteSamples);
  }
  const counts = new Float64Array(k);
  for (const i of idx) counts[labels[i]!]!++;
  let total = 0;
  for (const i of idx) {
    const sums = new Float64Array(k);
    for (const j of idx) if (j !== i) sums[labels[j]!]! += Math.sqrt(dist2(data, i, data, j, d));
    const own = labels[i]!;
    if (counts[own]! <= 1) continue;
    const a = sums[own]! / (counts[own]! - 1);
    let b = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) if (c !== own && counts[c]! > 0) b = Math.min(b, sums[c]! / counts[c]!);
    if (Number.isFinite(b) && Math.max(a, b) > 0) total += (b - a) / Math.max(a, b);
  }
  return total / Math.max(1, idx.length);
}

export interface ClusteringSettings {
  readonly dims: number;
  readonly rule: ClusteringRule;
  readonly sizeThreshold: number;
  readonly silhouetteThreshold: number;
}

/**
 * One class: PCA to `dims` dimensions, 2-means, and the rule. 'smaller' always flags the smaller cluster;
 * 'relative-size' flags it when its share is below `sizeThreshold`; 'silhouette' also needs the class
 * silhouette above `silhouetteThreshold`. A flagged sample's score is d_other / (d_own + d_other) ∈ [0.5, 1].
 */
export function activationClustering(cls: Mat, s: ClusteringSettings, rng: Rng): ClassResult {
  const m = centre(cls);
  const { directions } = principalDirections(m, s.dims);
  const z = multiply(m, directions);
  const { labels, centres } = kmeans(z, 2, rng);
  const n = cls.rows;
  const size1 = labels.reduce((a, l) => a + l, 0);
  const small = size1 <= n - size1 ? 1 : 0;
  const share = Math.min(size1, n - size1) / n;
  const sil = silhouette(z, labels, 2, rng);
  const poisoned =
    s.rule === 'smaller' ||
    (share < s.sizeThreshold && (s.rule === 'relative-size' || sil > s.silhouetteThreshold));
  const scores = new Float64Array(n);
  const flagged: number[] = [];
  if (poisoned)
    for (let i = 0; i < n; i++) {
      if (labels[i] !== small) continue;
      const own = Math.sqrt(dist2(z.data, i, centres, small, z.cols));
      const other = Math.sqrt(dist2(z.data, i, centres, 1 - small, z.cols));
      scores[i] = own + other > 0 ? other / (own + other) : 0.5;
      flagged.push(i);
    }
  return { scores, flagged, statistic: sil, smallerShare: share };
}
