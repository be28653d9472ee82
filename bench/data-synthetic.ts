/**
 * The synthetic labelled set of the data benchmarks: `n` samples × `d` features from `k` Gaussian classes
 * (seeded), 5% of the labels flipped to another class; the flipped indices are the ground truth.
 */
import { Rng } from '../src/attacks/rng.js';

export interface Synthetic {
  x: Float32Array;
  y: Int32Array;
  flipped: Set<number>;
}

export function synthetic(n: number, d: number, k: number, seed = 2026): Synthetic {
  const rng = new Rng(seed);
  const means = Float64Array.from({ length: k * d }, () => rng.normal() * 0.6);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    const c = rng.int(k);
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = means[c * d + j]! + rng.normal();
    if (rng.uniform() < 0.05) {
      y[i] = (c + 1 + rng.int(k - 1)) % k;
      flipped.add(i);
    }
  }
  return { x, y, flipped };
}
