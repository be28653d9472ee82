/**
 * Per-sample vector helpers on packed batches: sample i occupies `[i·d, (i+1)·d)` of a Float32Array.
 */
import type { Norm } from './types.js';

/** The Lp norm (L∞ or L2) of `a − b` over sample i. */
export function diffNorm(a: Float32Array, b: Float32Array, i: number, d: number, norm: Norm): number {
  const o = i * d;
  let acc = 0;
  if (norm === 'linf') {
    for (let j = 0; j < d; j++) acc = Math.max(acc, Math.abs(a[o + j]! - b[o + j]!));
    return acc;
  }
  for (let j = 0; j < d; j++) {
    const v = a[o + j]! - b[o + j]!;
    acc += v * v;
  }
  return Math.sqrt(acc);
}

/** The Lp norm of sample i of `a`. */
export function sampleNorm(a: Float32Array, i: number, d: number, norm: Norm): number {
  const o = i * d;
  let acc = 0;
  if (norm === 'linf') {
    for (let j = 0; j < d; j++) acc = Math.max(acc, Math.abs(a[o + j]!));
    return acc;
  }
  for (let j = 0; j < d; j++) acc += a[o + j]! * a[o + j]!;
  return Math.sqrt(acc);
}

/** Clip every value of sample i to [lo, hi]. */
export function clipSample(a: Float32Array, i: number, d: number, lo: number, hi: number): void {
  const o = i * d;
  for (let j = 0; j < d; j++) {
    const v = a[o + j]!;
    a[o + j] = v < lo ? lo : Math.min(v, hi);
  }
}

/**
 * Project sample i of `adv` onto the ε-ball (L∞ or L2) around sample i of `orig`, then clip to
 * [lo, hi] (a convex combination of two in-range points stays in range, so the result is in both sets).
 */
export function projectSample(
  adv: Float32Array,
  orig: Float32Array,
  i: number,
  d: number,
  eps: number,
  norm: Norm,
  lo: number,
  hi: number,
): void {
  const o = i * d;
  if (norm === 'linf') {
    for (let j = 0; j < d; j++) {
      const x = orig[o + j]!;
      let v = adv[o + j]!;
      if (v < x - eps) v = x - eps;
      if (v > x + eps) v = x + eps;
      adv[o + j] = v < lo ? lo : Math.min(v, hi);
    }
    return;
  }
  const n = diffNorm(adv, orig, i, d, 'l2');
  const scale = n > eps ? eps / n : 1;
  for (let j = 0; j < d; j++) {
    const x = orig[o + j]!;
    const v = x + (adv[o + j]! - x) * scale;
    adv[o + j] = v < lo ? lo : Math.min(v, hi);
  }
}

/**
 * The steepest-ascent direction of sample i of a gradient for a norm, written into `out`:
 * sign(g) for L∞, g/‖g‖₂ for L2 (zero where the gradient is zero).
 */
export function ascentDirection(g: Float32Array, i: number, d: number, norm: Norm, out: Float32Array): void {
  const o = i * d;
  if (norm === 'linf') {
    for (let j = 0; j < d; j++) out[j] = Math.sign(g[o + j]!);
    return;
  }
  const n = sampleNorm(g, i, d, 'l2');
  for (let j = 0; j < d; j++) out[j] = n > 0 ? g[o + j]! / n : 0;
}

/** A random point of the ε-ball: uniform per coordinate (L∞) or uniform in the L2 ball. */
export function randomInBall(
  next: { uniform(): number; normal(): number },
  d: number,
  eps: number,
  norm: Norm,
  out: Float32Array,
): void {
  if (norm === 'linf') {
    for (let j = 0; j < d; j++) out[j] = eps * (2 * next.uniform() - 1);
    return;
  }
  let n = 0;
  for (let j = 0; j < d; j++) {
    const v = next.normal();
    out[j] = v;
    n += v * v;
  }
  const radius = eps * next.uniform() ** (1 / d);
  const scale = n > 0 ? radius / Math.sqrt(n) : 0;
  for (let j = 0; j < d; j++) out[j] = out[j]! * scale;
}

/** Row-wise argmax of `[n, k]` logits. */
export function argmaxRows(logits: Float32Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (logits[i * k + j]! > logits[i * k + best]!) best = j;
    out[i] = best;
  }
  return out;
}

/** Margin `z_y − max_{j≠y} z_j` of row i (negative: misclassified). */
export function marginOf(logits: Float32Array, i: number, k: number, y: number): number {
  let other = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < k; j++) if (j !== y) other = Math.max(other, logits[i * k + j]!);
  return logits[i * k + y]! - other;
}
