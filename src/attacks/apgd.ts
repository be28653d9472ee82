/**
 * APGD-CE and APGD-T (Croce & Hein 2020), after fra31/auto-attack `autopgd_base.py` (robustness.md §B.3):
 * random start on the ε-sphere, step size 2ε, momentum 0.75 (1.0 on the first step), checkpoints
 * p₀ = ⌊0.22N⌋ shrinking by ⌊0.03N⌋ to at least ⌊0.06N⌋; at a checkpoint the step is halved and the
 * iterate restarts from x_best when the loss rose in ≤ ρ·k of the last k steps (ρ = 0.75) or when the step
 * was not halved at the previous checkpoint and the best loss did not improve since. APGD-T runs targeted
 * DLR once per target class (the 2nd…(T+1)-th largest clean logits, T = min(9, K−1)) on samples still robust.
 */
import type { LossKind } from '../ml/types.js';
import { type AttackContext, gatherRows, gradient, putRow } from './context.js';
import { AttackError } from './errors.js';
import { runAttack } from './run.js';
import type { Attack } from './types.js';
import { argmaxRows, ascentDirection, projectSample } from './vec.js';

export const APGD_DEFAULT_STEPS = 100;
export const APGD_RHO = 0.75;
export const APGD_TARGETS = 9;

/** Checkpoint intervals of APGD for N iterations. */
export function apgdSchedule(steps: number): { first: number; decrease: number; min: number } {
  return {
    first: Math.max(Math.floor(0.22 * steps), 1),
    decrease: Math.max(Math.floor(0.03 * steps), 1),
    min: Math.max(Math.floor(0.06 * steps), 1),
  };
}

/** One APGD run on ctx samples `rows`; returns which were fooled and the adversarial points. */
async function apgdRun(
  ctx: AttackContext,
  rows: number[],
  loss: LossKind,
  targets: Int32Array | undefined,
): Promise<{ adv: Float32Array; fooled: Uint8Array }> {
  const { d, opts, k } = ctx;
  const { eps, norm } = opts;
  const steps = opts.steps ?? APGD_DEFAULT_STEPS;
  const m = rows.length;
  const orig = gatherRows(ctx.x, rows, d);
  const x = Float32Array.from(orig);
  const t = new Float32Array(d);
  for (let i = 0; i < m; i++) {
    if (norm === 'linf') {
      let mx = 0;
      for (let j = 0; j < d; j++) {
        t[j] = 2 * ctx.rng.uniform() - 1;
        mx = Math.max(mx, Math.abs(t[j]!));
      }
      for (let j = 0; j < d; j++) x[i * d + j] = x[i * d + j]! + (mx > 0 ? (eps * t[j]!) / mx : 0);
    } else {
      let nn = 0;
      for (let j = 0; j < d; j++) {
        t[j] = ctx.rng.normal();
        nn += t[j]! * t[j]!;
      }
      const s = nn > 0 ? eps / Math.sqrt(nn) : 0;
      for (let j = 0; j < d; j++) x[i * d + j] = x[i * d + j]! + s * t[j]!;
    }
    projectSample(x, orig, i, d, eps, norm, ctx.clipMin, ctx.clipMax);
  }
  // "Misclassified?" at the same point: from the gradient pass's logits when the backend returns them,
  // else from one extra predict, not counted as a query (an autodiff backend has it from the same pass).
  const evalAt = async (data: Float32Array) => {
    const g = await gradient(ctx, data, rows, loss, targets);
    const logits = g.logits ?? (await ctx.model.predict({ data, shape: [m, ...ctx.sampleShape] }));
    return { loss: g.loss, grad: g.grad, pred: argmaxRows(logits, m, k) };
  };

  let { loss: lossCur, grad, pred } = await evalAt(x);
  const fooled = new Uint8Array(m);
  const xBestAdv = Float32Array.from(x);
  for (let i = 0; i < m; i++) if (pred[i] !== ctx.y[rows[i]!]) fooled[i] = 1;
  const xBest = Float32Array.from(x);
  const gradBest = Float32Array.from(grad);
  const lossBest = Float64Array.from(lossCur);
  const lossSteps: Float64Array[] = Array.from({ length: steps }, () => new Float64Array(m));
  const stepSize = new Float64Array(m).fill(2 * eps);
  let xOld = Float32Array.from(x);
  const sched = apgdSchedule(steps);
  let checkpoint = sched.first;
  let sinceCheck = 0;
  let lossBestLastCheck = Float64Array.from(lossBest);
  let reducedLastCheck = new Uint8Array(m).fill(1);
  const dir = new Float32Array(d);
  const z = new Float32Array(m * d);

  for (let it = 0; it < steps; it++) {
    const a = it > 0 ? 0.75 : 1.0;
    for (let i = 0; i < m; i++) {
      ascentDirection(grad, i, d, norm, dir);
      const o = i * d;
      for (let j = 0; j < d; j++) z[o + j] = x[o + j]! + stepSize[i]! * dir[j]!;
      projectSample(z, orig, i, d, eps, norm, ctx.clipMin, ctx.clipMax);
      for (let j = 0; j < d; j++) {
        z[o + j] = x[o + j]! + (z[o + j]! - x[o + j]!) * a + (x[o + j]! - xOld[o + j]!) * (1 - a);
      }
      projectSample(z, orig, i, d, eps, norm, ctx.clipMin, ctx.clipMax);
    }
    xOld = Float32Array.from(x);
    x.set(z);
    ({ loss: lossCur, grad, pred } = await evalAt(x));
    for (let i = 0; i < m; i++) {
      if (pred[i] !== ctx.y[rows[i]!]) {
        fooled[i] = 1;
        putRow(xBestAdv, i, x, i, d);
      }
      lossSteps[it]![i] = lossCur[i]!;
      if (lossCur[i]! > lossBest[i]!) {
        putRow(xBest, i, x, i, d);
        putRow(gradBest, i, grad, i, d);
        lossBest[i] = lossCur[i]!;
      }
    }
    sinceCheck++;
    if (sinceCheck === checkpoint) {
      const reduced = new Uint8Array(m);
      for (let i = 0; i < m; i++) {
        let increased = 0;
        for (let c = 0; c < checkpoint; c++) {
          const a1 = lossSteps[it - c]![i]!;
          const prevIndex = it - c - 1;
          const a0 = (prevIndex >= 0 ? lossSteps[prevIndex] : lossSteps[steps + prevIndex])![i]!;
          if (a1 > a0) increased++;
        }
        const oscillation = increased <= checkpoint * APGD_RHO;
        const noImprovement = !reducedLastCheck[i] && lossBestLastCheck[i]! >= lossBest[i]!;
        if (oscillation || noImprovement) {
          reduced[i] = 1;
          stepSize[i] = stepSize[i]! / 2;
          putRow(x, i, xBest, i, d);
          putRow(grad, i, gradBest, i, d);
        }
      }
      reducedLastCheck = reduced;
      lossBestLastCheck = Float64Array.from(lossBest);
      checkpoint = Math.max(checkpoint - sched.decrease, sched.min);
      sinceCheck = 0;
    }
  }
  // Not fooled: keep the best-loss point (the runner reverts it to the original anyway).
  for (let i = 0; i < m; i++) if (!fooled[i]) putRow(xBestAdv, i, xBest, i, d);
  return { adv: xBestAdv, fooled };
}

function sortedClasses(logits: Float32Array, i: number, k: number): number[] {
  return Array.from({ length: k }, (_, j) => j).sort(
    (a, b) => logits[i * k + b]! - logits[i * k + a]! || a - b,
  );
}

async function apgdCeCore(ctx: AttackContext): Promise<Float32Array> {
  const rows = Array.from({ length: ctx.n }, (_, i) => i);
  return (await apgdRun(ctx, rows, { kind: 'ce' }, undefined)).adv;
}

async function apgdTCore(ctx: AttackContext): Promise<Float32Array> {
  const { n, k, d } = ctx;
  if (k < 4) throw new AttackError('INVALID_OPTIONS', `apgd-t needs at least 4 classes, the model has ${k}`);
  const targetsCount = Math.min(APGD_TARGETS, k - 1);
  const order = Array.from({ length: n }, (_, i) => sortedClasses(ctx.cleanLogits, i, k));
  const best = Float32Array.from(ctx.x);
  const done = new Uint8Array(n);
  for (let t = 0; t < targetsCount; t++) {
    const rows: number[] = [];
    for (let i = 0; i < n; i++) if (!done[i]) rows.push(i);
    if (rows.length === 0) break;
    // The (t+2)-th largest clean logit; the true class is the largest for clean-correct samples.
    const targets = Int32Array.from(rows, (i) => order[i]![t + 1]!);
    const r = await apgdRun(ctx, rows, { kind: 'dlr-targeted' }, targets);
    rows.forEach((row, i) => {
      if (r.fooled[i]) done[row] = 1;
      if (r.fooled[i] || t === targetsCount - 1) putRow(best, row, r.adv, i, d);
    });
  }
  return best;
}

export const apgdCe: Attack = {
  name: 'apgd-ce',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack({ name: 'apgd-ce', needsGradients: true }, apgdCeCore, model, x, y, opts, active),
};

export const apgdT: Attack = {
  name: 'apgd-t',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack({ name: 'apgd-t', needsGradients: true }, apgdTCore, model, x, y, opts, active),
};
