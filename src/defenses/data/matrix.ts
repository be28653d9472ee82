/** Row-major feature matrices for the data checks: `n` rows of `d` float32 values. */
import { ModelguardError } from '../../core/errors.js';
import type { Tensor } from '../../ml/types.js';

export interface Matrix {
  readonly data: Float32Array;
  readonly n: number;
  readonly d: number;
}

/** A tensor `[N, ...]` viewed as an `N × (product of the rest)` matrix (no copy). */
export function asMatrix(t: Tensor, what: string): Matrix {
  const n = t.shape[0] ?? 0;
  const d = t.shape.slice(1).reduce((a, b) => a * b, 1);
  if (t.shape.length < 1 || n * d !== t.data.length)
    throw new ModelguardError(
      'MALFORMED',
      `${what}: shape [${t.shape.join(', ')}] does not match ${t.data.length} values`,
    );
  return { data: t.data, n, d };
}

/** Per-column mean and standard deviation (population; a constant column gets std 1). */
export function columnStats(m: Matrix): { mean: Float64Array; std: Float64Array } {
  const { data, n, d } = m;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mean[j]! += data[o + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = data[o + j]! - mean[j]!;
      sq[j]! += v * v;
    }
  }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(sq[j]! / Math.max(1, n));
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j]!)) ? s : 1;
  }
  return { mean, std };
}

/** A standardised copy: each column minus its mean, divided by its std. */
export function standardise(m: Matrix): Matrix {
  const { mean, std } = columnStats(m);
  const out = new Float32Array(m.data.length);
  for (let i = 0; i < m.n; i++) {
    const o = i * m.d;
    for (let j = 0; j < m.d; j++) out[o + j] = (m.data[o + j]! - mean[j]!) / std[j]!;
  }
  return { data: out, n: m.n, d: m.d };
}

/** The rows `idx` of m, copied. */
export function takeRows(m: Matrix, idx: ArrayLike<number>): Matrix {
  const out = new Float32Array(idx.length * m.d);
  for (let r = 0; r < idx.length; r++) out.set(m.data.subarray(idx[r]! * m.d, (idx[r]! + 1) * m.d), r * m.d);
  return { data: out, n: idx.length, d: m.d };
}

/** Checks every value is finite (NaN/Inf would poison every statistic). */
export function checkFinite(m: Matrix, what: string): void {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!))
      throw new ModelguardError(
        'MALFORMED',
        `${what}: value ${m.data[i]} at sample ${Math.floor(i / m.d)}, feature ${i % m.d} is not finite`,
      );
  }
}
