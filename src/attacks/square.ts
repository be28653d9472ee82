/**
 * Square Attack (Andriushchenko et al. 2020), score-based, after fra31/auto-attack `square.py`
 * (robustness.md §B.4): margin loss z_y − max_{j≠y} z_j, random square windows whose size follows the
 * p schedule (p_init 0.8, halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000 iterations),
 * a candidate is kept when it lowers the loss. One query per iteration per sample; a sample stops when
 * fooled or when its `queries` budget (default 5000, the clean prediction included) is spent.
 * Windows are drawn per sample. L∞ starts from vertical stripes; L2 from pseudo-Gaussian tiles.
 */
import { type AttackContext, forward } from './context.js';
import { type Geometry, geometryOf, windowFor } from './geometry.js';
import type { Rng } from './rng.js';
import { runAttack } from './run.js';
import type { Attack } from './types.js';
import { marginOf } from './vec.js';

export const SQUARE_DEFAULT_QUERIES = 5000;
export const SQUARE_P_INIT = 0.8;

/** The p schedule of fra31's `p_selection` with `resc_schedule=False`. */
export function squareP(it: number, pInit = SQUARE_P_INIT): number {
  const edges = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
  let halvings = 0;
  for (const e of edges) if (it > e) halvings++;
  return pInit / 2 ** halvings;
}

/** fra31's `eta_rectangles`: nested rectangles weighted 1/(k+1)², unit L2 norm. */
function etaRectangles(x: number, y: number): Float64Array {
  const delta = new Float64Array(x * y);
  let c0 = Math.floor(x / 2);
  let c1 = Math.floor(y / 2);
  const rounds = Math.max(Math.floor(x / 2) + 1, Math.floor(y / 2) + 1);
  for (let k = 0; k < rounds; k++) {
    for (let r = Math.max(c0, 0); r < Math.min(c0 + 2 * k + 1, x); r++) {
      for (let c = Math.max(c1, 0); c < Math.min(c1 + 2 * k + 1, y); c++)
        delta[r * y + c]! += 1 / (k + 1) ** 2;
    }
    c0--;
    c1--;
  }
  return normalise(delta);
}

function normalise(v: Float64Array): Float64Array {
  let n = 0;
  for (const a of v) n += a * a;
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] = v[i]! / n;
  return v;
}

/** fra31's `meta_pseudo_gaussian_pert` on an sh×sw window: +η on one half, −η on the other, unit norm. */
function pseudoGaussian(sh: number, sw: number, rng: Rng): Float64Array {
  const out = new Float64Array(sh * sw);
  const transpose = sh === sw && rng.uniform() > 0.5;
  const alongRows = sh >= 2;
  const len = alongRows ? sh : sw;
  const other = alongRows ? sw : sh;
  const half = Math.floor(len / 2);
  const top = half > 0 ? etaRectangles(half, other) : new Float64Array(0);
  const bottom = etaRectangles(len - half, other);
  for (let a = 0; a < len; a++) {
    for (let b = 0; b < other; b++) {
      const v = a < half ? top[a * other + b]! : -bottom[(a - half) * other + b]!;
      let r = alongRows ? a : b;
      let c = alongRows ? b : a;
      if (transpose) [r, c] = [c, r];
      out[r * sw + c] = v;
    }
  }
  return normalise(out);
}

function clip(v: number, lo: number, hi: number): number {
  return v < lo ? lo : Math.min(v, hi);
}

/** Initial L∞ point: vertical stripes of ±ε (one sign per channel and column). */
function initLinf(
  x: Float32Array,
  o: number,
  g: Geometry,
  eps: number,
  rng: Rng,
  lo: number,
  hi: number,
  out: Float32Array,
) {
  for (let ch = 0; ch < g.c; ch++) {
    for (let col = 0; col < g.w; col++) {
      const s = eps * rng.sign();
      for (let r = 0; r < g.h; r++) {
        const j = g.index(ch, r, col);
        out[o + j] = clip(x[o + j]! + s, lo, hi);
      }
    }
  }
}

/** Initial L2 point: pseudo-Gaussian tiles of random sign per channel, scaled to norm ε. */
function initL2(
  x: Float32Array,
  o: number,
  d: number,
  g: Geometry,
  eps: number,
  rng: Rng,
  lo: number,
  hi: number,
  out: Float32Array,
) {
  const delta = new Float64Array(d);
  const s = Math.max(Math.floor(Math.min(g.h, g.w) / 5), 1);
  const sh = g.h === 1 ? 1 : s;
  const sw = g.h === 1 ? Math.max(Math.floor(g.w / 5), 1) : s;
  const r0 = Math.floor((g.h - sh * Math.floor(g.h / sh)) / 2);
  const c0 = Math.floor((g.w - sw * Math.floor(g.w / sw)) / 2);
  for (let vh = r0; vh + sh <= g.h; vh += sh) {
    for (let vw = c0; vw + sw <= g.w; vw += sw) {
      const pert = pseudoGaussian(sh, sw, rng);
      for (let ch = 0; ch < g.c; ch++) {
        const sign = rng.sign();
        for (let r = 0; r < sh; r++)
          for (let c = 0; c < sw; c++) delta[g.index(ch, vh + r, vw + c)]! += sign * pert[r * sw + c]!;
      }
    }
  }
  normalise(delta);
  for (let j = 0; j < d; j++) out[o + j] = clip(x[o + j]! + eps * delta[j]!, lo, hi);
}

/** L∞ candidate: a window set to ±2ε per channel around the current best, projected. */
function proposeLinf(
  ctx: AttackContext,
  g: Geometry,
  i: number,
  p: number,
  best: Float32Array,
  out: Float32Array,
) {
  const { d, rng } = ctx;
  const eps = ctx.opts.eps;
  const o = i * d;
  out.set(best.subarray(o, o + d), o);
  const { sh, sw } = windowFor(g, p, 1);
  const vh = rng.int(g.h - sh + 1);
  const vw = rng.int(g.w - sw + 1);
  for (let ch = 0; ch < g.c; ch++) {
    const s = 2 * eps * rng.sign();
    for (let r = vh; r < vh + sh; r++) {
      for (let c = vw; c < vw + sw; c++) {
        const j = o + g.index(ch, r, c);
        const x0 = ctx.x[j]!;
        out[j] = clip(clip(best[j]! + s, x0 - eps, x0 + eps), ctx.clipMin, ctx.clipMax);
      }
    }
  }
}

/** L2 candidate: move mass from a second window into a fresh pseudo-Gaussian one (fra31's L2 step). */
function proposeL2(
  ctx: AttackContext,
  g: Geometry,
  i: number,
  p: number,
  best: Float32Array,
  out: Float32Array,
) {
  const { d, rng } = ctx;
  const eps = ctx.opts.eps;
  const o = i * d;
  let { sh, sw } = windowFor(g, p, 3);
  if (sh > 1 && sh % 2 === 0 && sh < g.h) sh++;
  if (sw > 1 && sw % 2 === 0 && sw < g.w) sw++;
  const delta = new Float64Array(d);
  for (let j = 0; j < d; j++) delta[j] = best[o + j]! - ctx.x[o + j]!;
  const vh = rng.int(g.h - sh + 1);
  const vw = rng.int(g.w - sw + 1);
  const vh2 = rng.int(g.h - sh + 1);
  const vw2 = rng.int(g.w - sw + 1);
  const inW = (r: number, c: number, a: number, b: number) => r >= a && r < a + sh && c >= b && c < b + sw;
  let normImage = 0;
  let normWindows = 0;
  for (let ch = 0; ch < g.c; ch++) {
    for (let r = 0; r < g.h; r++) {
      for (let c = 0; c < g.w; c++) {
        const v = delta[g.index(ch, r, c)]!;
        normImage += v * v;
        if (inW(r, c, vh, vw) || inW(r, c, vh2, vw2)) normWindows += v * v;
      }
    }
  }
  const budget = Math.sqrt(Math.max(eps * eps - normImage, 0) / g.c + normWindows);
  const pert = pseudoGaussian(sh, sw, rng);
  const fresh: Float64Array[] = [];
  for (let ch = 0; ch < g.c; ch++) {
    let n1 = 0;
    for (let r = 0; r < sh; r++) for (let c = 0; c < sw; c++) n1 += delta[g.index(ch, vh + r, vw + c)]! ** 2;
    n1 = Math.sqrt(n1);
    const sign = rng.sign();
    const win = new Float64Array(sh * sw);
    for (let r = 0; r < sh; r++) {
      for (let c = 0; c < sw; c++)
        win[r * sw + c] = sign * pert[r * sw + c]! + delta[g.index(ch, vh + r, vw + c)]! / (1e-12 + n1);
    }
    normalise(win);
    for (let q = 0; q < win.length; q++) win[q] = win[q]! * budget;
    fresh.push(win);
  }
  for (let ch = 0; ch < g.c; ch++) {
    for (let r = 0; r < sh; r++) for (let c = 0; c < sw; c++) delta[g.index(ch, vh2 + r, vw2 + c)] = 0;
  }
  for (let ch = 0; ch < g.c; ch++) {
    for (let r = 0; r < sh; r++)
      for (let c = 0; c < sw; c++) delta[g.index(ch, vh + r, vw + c)] = fresh[ch]![r * sw + c]!;
  }
  normalise(delta);
  for (let j = 0; j < d; j++) out[o + j] = clip(ctx.x[o + j]! + eps * delta[j]!, ctx.clipMin, ctx.clipMax);
}

async function squareCore(ctx: AttackContext): Promise<Float32Array> {
  const { n, d, k, opts } = ctx;
  const budget = opts.queries ?? SQUARE_DEFAULT_QUERIES;
  const g = geometryOf(ctx.sampleShape, ctx.model.profile.preprocessing.layout);
  const best = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    if (opts.norm === 'linf') initLinf(ctx.x, i * d, g, opts.eps, ctx.rng, ctx.clipMin, ctx.clipMax, best);
    else initL2(ctx.x, i * d, d, g, opts.eps, ctx.rng, ctx.clipMin, ctx.clipMax, best);
  }
  const margin = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const all = Array.from({ length: n }, (_, i) => i);
  // The initial point costs one query; without budget for it, the attack returns the original.
  const first = all.filter((i) => ctx.queries[i]! < budget);
  if (first.length < n) return Float32Array.from(ctx.x);
  const logits0 = await forward(ctx, best, all);
  for (let i = 0; i < n; i++) margin[i] = marginOf(logits0, i, k, ctx.y[i]!);
  const cand = new Float32Array(n * d);
  for (let it = 0; ; it++) {
    const rows = all.filter((i) => margin[i]! > 0 && ctx.queries[i]! < budget);
    if (rows.length === 0) break;
    const p = squareP(it);
    for (const i of rows) {
      if (opts.norm === 'linf') proposeLinf(ctx, g, i, p, best, cand);
      else proposeL2(ctx, g, i, p, best, cand);
    }
    const packed = new Float32Array(rows.length * d);
    rows.forEach((i, q) => {
      packed.set(cand.subarray(i * d, (i + 1) * d), q * d);
    });
    const logits = await forward(ctx, packed, rows);
    rows.forEach((i, q) => {
      const mNew = marginOf(logits, q, k, ctx.y[i]!);
      if (mNew < margin[i]!) {
        margin[i] = mNew;
        best.set(packed.subarray(q * d, (q + 1) * d), i * d);
      }
    });
  }
  return best;
}

export const square: Attack = {
  name: 'square',
  needsGradients: false,
  run: (model, x, y, opts, active) =>
    runAttack({ name: 'square', needsGradients: false }, squareCore, model, x, y, opts, active),
};
