/**
 * Multinomial logistic regression (softmax regression) with L2 on the weights (not the biases), fitted by
 * full-batch L-BFGS (memory 10, backtracking Armijo line search) for at most `maxIter` iterations.
 * Objective: mean cross-entropy + λ/2·‖W‖². Features should be standardised by the caller.
 */
import type { Matrix } from './matrix.js';

export interface LogRegOptions {
  /** L2 strength λ on the mean-loss scale. Default 1e-2. */
  readonly l2?: number;
  /** L-BFGS iterations. Default 60. */
  readonly maxIter?: number;
}

export const LOGREG_DEFAULTS = { l2: 1e-2, maxIter: 60 } as const;

/** Weights `[K, d + 1]` (the last column is the bias). */
export interface LogRegModel {
  readonly w: Float64Array;
  readonly k: number;
  readonly d: number;
}

/** w[wo..wo+d) · x[o..o+d), four running sums (about a quarter faster than one in V8). */
function dotRow(w: Float64Array, wo: number, x: Float32Array, o: number, d: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < d; j += 4) {
    s0 += w[wo + j]! * x[o + j]!;
    s1 += w[wo + j + 1]! * x[o + j + 1]!;
    s2 += w[wo + j + 2]! * x[o + j + 2]!;
    s3 += w[wo + j + 3]! * x[o + j + 3]!;
  }
  for (; j < d; j++) s0 += w[wo + j]! * x[o + j]!;
  return s0 + s1 + s2 + s3;
}

/** g[go..go+d) += r · x[o..o+d). */
function axpyRow(g: Float64Array, go: number, r: number, x: Float32Array, o: number, d: number): void {
  let j = 0;
  for (; j + 3 < d; j += 4) {
    g[go + j]! += r * x[o + j]!;
    g[go + j + 1]! += r * x[o + j + 1]!;
    g[go + j + 2]! += r * x[o + j + 2]!;
    g[go + j + 3]! += r * x[o + j + 3]!;
  }
  for (; j < d; j++) g[go + j]! += r * x[o + j]!;
}

/** Objective and gradient at w (gradient written into g). */
function objective(
  x: Matrix,
  y: Int32Array,
  k: number,
  l2: number,
  w: Float64Array,
  g: Float64Array,
  z: Float64Array,
): number {
  const { data, n, d } = x;
  const stride = d + 1;
  g.fill(0);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const wo = c * stride;
      const s = w[wo + d]! + dotRow(w, wo, data, o, d);
      z[c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[c]! - max);
      z[c] = e;
      sum += e;
    }
    const yi = y[i]!;
    loss += Math.log(sum) - Math.log(Math.max(z[yi]!, 1e-300));
    for (let c = 0; c < k; c++) {
      const r = z[c]! / sum - (c === yi ? 1 : 0);
      if (r === 0) continue;
      const wo = c * stride;
      axpyRow(g, wo, r, data, o, d);
      g[wo + d]! += r;
    }
  }
  const inv = 1 / Math.max(1, n);
  let reg = 0;
  for (let c = 0; c < k; c++) {
    const wo = c * stride;
    for (let j = 0; j <= d; j++) {
      g[wo + j]! *= inv;
      if (j < d) {
        g[wo + j]! += l2 * w[wo + j]!;
        reg += w[wo + j]! * w[wo + j]!;
      }
    }
  }
  return loss * inv + 0.5 * l2 * reg;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Fits the model on x (`n × d`) with labels y in [0, k). Deterministic (starts from zero weights). */
export function fitLogReg(x: Matrix, y: Int32Array, k: number, options: LogRegOptions = {}): LogRegModel {
  const l2 = options.l2 ?? LOGREG_DEFAULTS.l2;
  const maxIter = options.maxIter ?? LOGREG_DEFAULTS.maxIter;
  const size = k * (x.d + 1);
  const m = 10;
  let w = new Float64Array(size);
  let g = new Float64Array(size);
  const z = new Float64Array(k);
  let f = objective(x, y, k, l2, w, g, z);
  const s: Float64Array[] = [];
  const yv: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const dir = new Float64Array(size);
  let wNew = new Float64Array(size);
  let gNew = new Float64Array(size);
  for (let iter = 0; iter < maxIter; iter++) {
    // Two-loop recursion: dir = −H·g.
    for (let i = 0; i < size; i++) dir[i] = -g[i]!;
    for (let h = s.length - 1; h >= 0; h--) {
      const a = rho[h]! * dot(s[h]!, dir);
      alpha[h] = a;
      const yh = yv[h]!;
      for (let i = 0; i < size; i++) dir[i]! -= a * yh[i]!;
    }
    if (s.length > 0) {
      const last = s.length - 1;
      const gamma = dot(s[last]!, yv[last]!) / dot(yv[last]!, yv[last]!);
      for (let i = 0; i < size; i++) dir[i]! *= gamma;
    } else {
      const norm = Math.sqrt(dot(g, g));
      if (norm < 1e-12) break;
      for (let i = 0; i < size; i++) dir[i]! /= Math.max(1, norm);
    }
    for (let h = 0; h < s.length; h++) {
      const b = rho[h]! * dot(yv[h]!, dir);
      const sh = s[h]!;
      for (let i = 0; i < size; i++) dir[i]! += (alpha[h]! - b) * sh[i]!;
    }
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      // Not a descent direction: restart from steepest descent.
      s.length = 0;
      yv.length = 0;
      rho.length = 0;
      for (let i = 0; i < size; i++) dir[i] = -g[i]!;
      slope = dot(g, dir);
    }
    let step = 1;
    let fNew = f;
    let accepted = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < size; i++) wNew[i] = w[i]! + step * dir[i]!;
      fNew = objective(x, y, k, l2, wNew, gNew, z);
      if (fNew <= f + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const sk = new Float64Array(size);
    const yk = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      sk[i] = wNew[i]! - w[i]!;
      yk[i] = gNew[i]! - g[i]!;
    }
    const sy = dot(sk, yk);
    if (sy > 1e-12) {
      if (s.length === m) {
        s.shift();
        yv.shift();
        rho.shift();
      }
      s.push(sk);
      yv.push(yk);
      rho.push(1 / sy);
    }
    [w, wNew] = [wNew, w];
    [g, gNew] = [gNew, g];
    const decrease = f - fNew;
    f = fNew;
    if (decrease <= 1e-10 * Math.max(1, Math.abs(f))) break;
    let gmax = 0;
    for (let i = 0; i < size; i++) gmax = Math.max(gmax, Math.abs(g[i]!));
    if (gmax < 1e-6) break;
  }
  return { w, k, d: x.d };
}

/** Class probabilities `[n, k]` for the rows of x. */
export function predictProba(model: LogRegModel, x: Matrix): Float64Array {
  const { w, k, d } = model;
  const stride = d + 1;
  const out = new Float64Array(x.n * k);
  for (let i = 0; i < x.n; i++) {
    const o = i * d;
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      const wo = c * stride;
      const s = w[wo + d]! + dotRow(w, wo, x.data, o, d);
      out[i * k + c] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let c = 0; c < k; c++) {
      const e = Math.exp(out[i * k + c]! - max);
      out[i * k + c] = e;
      sum += e;
    }
    for (let c = 0; c < k; c++) out[i * k + c]! /= sum;
  }
  return out;
}
