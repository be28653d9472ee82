/**
 * Isolation forest (Liu, Ting & Zhou, ICDM 2008): `trees` random trees, each grown on `subsample` points
 * drawn without replacement (seeded), split on a random feature at a uniform value between its minimum and
 * maximum at the node, to the height limit ⌈log2 ψ⌉. Score s(x) = 2^(−E[h(x)] / c(ψ)), where an external
 * node holding `size` points adds c(size), the mean path length of an unsuccessful BST search.
 * Scores near 1 are anomalies; well below 0.5, normal.
 */
import { Rng } from '../../attacks/rng.js';
import type { Matrix } from './matrix.js';

export interface IsolationForestOptions {
  /** Default 100. */
  readonly trees?: number;
  /** ψ, points per tree (capped at n). Default 256. */
  readonly subsample?: number;
}

export const IFOREST_DEFAULTS = { trees: 100, subsample: 256 } as const;

const EULER = 0.5772156649015329;

/** c(n): average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

/** One tree in flat arrays; `feature[i] < 0` marks an external node holding `size[i]` points. */
interface Tree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  size: number[];
}

function grow(m: Matrix, idx: number[], depth: number, limit: number, rng: Rng, t: Tree): number {
  const node = t.feature.length;
  t.feature.push(-1);
  t.threshold.push(0);
  t.left.push(-1);
  t.right.push(-1);
  t.size.push(idx.length);
  if (depth >= limit || idx.length <= 1) return node;
  // Features that still vary among these points; the split feature is drawn among them.
  const lo = new Float64Array(m.d).fill(Infinity);
  const hi = new Float64Array(m.d).fill(-Infinity);
  for (const i of idx) {
    const o = i * m.d;
    for (let j = 0; j < m.d; j++) {
      const v = m.data[o + j]!;
      if (v < lo[j]!) lo[j] = v;
      if (v > hi[j]!) hi[j] = v;
    }
  }
  const varying: number[] = [];
  for (let j = 0; j < m.d; j++) if (hi[j]! > lo[j]!) varying.push(j);
  if (varying.length === 0) return node;
  const f = varying[rng.int(varying.length)]!;
  const split = lo[f]! + rng.uniform() * (hi[f]! - lo[f]!);
  const left: number[] = [];
  const right: number[] = [];
  for (const i of idx) (m.data[i * m.d + f]! < split ? left : right).push(i);
  t.feature[node] = f;
  t.threshold[node] = split;
  t.left[node] = grow(m, left, depth + 1, limit, rng, t);
  t.right[node] = grow(m, right, depth + 1, limit, rng, t);
  return node;
}

/** Anomaly score in (0, 1] of every row of m, from a forest grown on m itself. */
export function isolationForestScores(
  m: Matrix,
  seed: number,
  options: IsolationForestOptions = {},
): Float64Array {
  const trees = options.trees ?? IFOREST_DEFAULTS.trees;
  const psi = Math.min(options.subsample ?? IFOREST_DEFAULTS.subsample, m.n);
  const scores = new Float64Array(m.n);
  if (m.n < 2) return scores;
  const rng = new Rng(seed);
  const limit = Math.ceil(Math.log2(psi));
  const pathSum = new Float64Array(m.n);
  const pool = Int32Array.from({ length: m.n }, (_, i) => i);
  for (let k = 0; k < trees; k++) {
    // Partial Fisher–Yates: the first ψ entries of the pool are a uniform sample without replacement.
    for (let i = 0; i < psi; i++) {
      const j = i + rng.int(m.n - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    const t: Tree = { feature: [], threshold: [], left: [], right: [], size: [] };
    grow(m, Array.from(pool.subarray(0, psi)), 0, limit, rng, t);
    const feature = Int32Array.from(t.feature);
    const threshold = Float64Array.from(t.threshold);
    const left = Int32Array.from(t.left);
    const right = Int32Array.from(t.right);
    const leafLength = Float64Array.from(t.size, averagePathLength);
    for (let i = 0; i < m.n; i++) {
      const o = i * m.d;
      let node = 0;
      let depth = 0;
      while (feature[node]! >= 0) {
        node = m.data[o + feature[node]!]! < threshold[node]! ? left[node]! : right[node]!;
        depth++;
      }
      pathSum[i]! += depth + leafLength[node]!;
    }
  }
  const c = averagePathLength(psi);
  for (let i = 0; i < m.n; i++) scores[i] = 2 ** (-pathSum[i]! / trees / c);
  return scores;
}
