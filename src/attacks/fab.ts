/**
 * FAB-T (Croce & Hein 2020), targeted, after fra31/auto-attack `fab_pt.py`/`fab_base.py` as AutoAttack runs
 * it (robustness.md §B.3): for each target t (2nd…(T+1)-th largest clean logit, T = min(9, K−1)) on the
 * samples not yet fooled, 100 iterations of: linearise g = z_t − z_y at the iterate x₁, project both x₁
 * and the original x₀ on the hyperplane g = 0 inside the box (projections of `fab-projection.ts`), mix
 * the two steps with α = min(max(‖d₁‖/(‖d₁‖+‖d₂‖), 0), α_max), extrapolate by η; whenever x₁ is
 * adversarial keep it if it is the closest so far and pull it back towards x₀ by β. One restart, no random
 * start. FAB is minimal-norm: a sample counts as fooled when its closest adversarial point is within ε.
 * Gradients of z_t − z_y come from the `logit-diff` loss (one gradient query per sample per iteration) plus
 * one forward query for the prediction.
 */
import { type AttackContext, forward, gatherRows, gradient } from './context.js';
import { AttackError } from './errors.js';
import { projectOnHyperplane } from './fab-projection.js';
import { runAttack, withinEps } from './run.js';
import type { Attack } from './types.js';
import { argmaxRows, diffNorm } from './vec.js';

export const FAB_DEFAULT_STEPS = 100;
export const FAB_ALPHA_MAX = 0.1;
export const FAB_ETA = 1.05;
export const FAB_BETA = 0.9;
export const FAB_TARGETS = 9;

/** z_t − z_y and its input gradient for packed samples `rows` of ctx (targets per sample): one `logit-diff` query. */
async function logitDifference(
  ctx: AttackContext,
  data: Float32Array,
  rows: readonly number[],
  targets: Int32Array,
): Promise<{ f: Float64Array; g: Float64Array }> {
  const r = await gradient(ctx, data, rows, { kind: 'logit-diff' }, targets);
  return { f: Float64Array.from(r.loss), g: Float64Array.from(r.grad) };
}

async function fabRun(
  ctx: AttackContext,
  rows: number[],
  targets: Int32Array,
): Promise<{ adv: Float32Array; found: Float64Array }> {
  const { d, opts } = ctx;
  const { norm } = opts;
  const steps = opts.steps ?? FAB_DEFAULT_STEPS;
  const m = rows.length;
  const x0 = gatherRows(ctx.x, rows, d);
  const x1 = Float32Array.from(x0);
  const adv = Float32Array.from(x0);
  const found = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const d1 = new Float64Array(d);
  const d2 = new Float64Array(d);
  const vecNorm = (v: Float64Array) => {
    let a = 0;
    for (const u of v) a = norm === 'linf' ? Math.max(a, Math.abs(u)) : a + u * u;
    return norm === 'linf' ? a : Math.sqrt(a);
  };
  for (let it = 0; it < steps; it++) {
    const { f, g } = await logitDifference(ctx, x1, rows, targets);
    for (let i = 0; i < m; i++) {
      const o = i * d;
      const w = g.subarray(o, o + d);
      // Hyperplane w·z = b with b = −f + w·x₁ (the linearisation of z_t − z_y around x₁ set to 0).
      let b = -f[i]!;
      for (let j = 0; j < d; j++) b += w[j]! * x1[o + j]!;
      projectOnHyperplane(x1.subarray(o, o + d), w, b, norm, ctx.clipMin, ctx.clipMax, d1);
      projectOnHyperplane(x0.subarray(o, o + d), w, b, norm, ctx.clipMin, ctx.clipMax, d2);
      const a1 = Math.max(vecNorm(d1), 1e-8);
      const a2 = Math.max(vecNorm(d2), 1e-8);
      const alpha = Math.min(Math.max(a1 / (a1 + a2), 0), FAB_ALPHA_MAX);
      for (let j = 0; j < d; j++) {
        const v = (x1[o + j]! + FAB_ETA * d1[j]!) * (1 - alpha) + (x0[o + j]! + FAB_ETA * d2[j]!) * alpha;
        x1[o + j] = Math.min(Math.max(v, ctx.clipMin), ctx.clipMax);
      }
    }
    const pred = argmaxRows(await forward(ctx, x1, rows), m, ctx.k);
    for (let i = 0; i < m; i++) {
      if (pred[i] === ctx.y[rows[i]!]) continue;
      const o = i * d;
      const t = diffNorm(x1, x0, i, d, norm);
      if (t < found[i]!) {
        found[i] = t;
        adv.set(x1.subarray(o, o + d), o);
      }
      for (let j = 0; j < d; j++) x1[o + j] = x0[o + j]! + (x1[o + j]! - x0[o + j]!) * FAB_BETA;
    }
  }
  return { adv, found };
}

async function fabTCore(ctx: AttackContext): Promise<Float32Array> {
  const { n, k, d } = ctx;
  if (k < 2) throw new AttackError('INVALID_OPTIONS', `fab-t needs at least 2 classes, the model has ${k}`);
  const targetsCount = Math.min(FAB_TARGETS, k - 1);
  const order = Array.from({ length: n }, (_, i) =>
    Array.from({ length: k }, (_, j) => j).sort(
      (a, b) => ctx.cleanLogits[i * k + b]! - ctx.cleanLogits[i * k + a]! || a - b,
    ),
  );
  const best = Float32Array.from(ctx.x);
  const bestNorm = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let t = 0; t < targetsCount; t++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (!withinEps(bestNorm[i]!, ctx.opts.eps)) rows.push(i);
    if (rows.length === 0) break;
    const targets = Int32Array.from(rows, (i) => order[i]![t + 1]!);
    const r = await fabRun(ctx, rows, targets);
    rows.forEach((row, i) => {
      if (r.found[i]! < bestNorm[row]!) {
        bestNorm[row] = r.found[i]!;
        best.set(r.adv.subarray(i * d, (i + 1) * d), row * d);
      }
    });
  }
  return best;
}

export const fabT: Attack = {
  name: 'fab-t',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack(
      { name: 'fab-t', needsGradients: true, keepUnsuccessful: true },
      fabTCore,
      model,
      x,
      y,
      opts,
      active,
    ),
};
