/**
 * PGD (Madry et al. 2018) and BIM (Kurakin et al. 2016, PGD without random start), in ART's update order
 * (robustness.md §B.2): x ← clip(x + α·dir(∇CE)); δ ← P_ε(x − x₀); x ← x₀ + δ. Defaults: 40 steps,
 * α = 2.5·ε/steps, one random start (PGD). Further restarts run only on samples not fooled yet.
 */
import { type AttackContext, forward, gatherRows, gradient, gradientSteps, putRow } from './context.js';
import { runAttack } from './run.js';
import type { Attack } from './types.js';
import { argmaxRows, ascentDirection, clipSample, projectSample, randomInBall } from './vec.js';

export const PGD_DEFAULT_STEPS = 40;

function pgdCore(randomStart: boolean) {
  return async (ctx: AttackContext): Promise<Float32Array> => {
    const { d, opts } = ctx;
    const steps = opts.steps ?? PGD_DEFAULT_STEPS;
    const alpha = opts.stepSize ?? (2.5 * opts.eps) / steps;
    const restarts = randomStart ? (opts.restarts ?? 1) : 1;
    const best = Float32Array.from(ctx.x);
    const done = new Uint8Array(ctx.n);
    const dir = new Float32Array(d);
    const noise = new Float32Array(d);
    for (let r = 0; r < restarts; r++) {
      const rows: number[] = [];
      for (let i = 0; i < ctx.n; i++) if (!done[i]) rows.push(i);
      if (rows.length === 0) break;
      const m = rows.length;
      const orig = gatherRows(ctx.x, rows, d);
      const cur = Float32Array.from(orig);
      if (randomStart) {
        for (let i = 0; i < m; i++) {
          randomInBall(ctx.rng, d, opts.eps, opts.norm, noise);
          for (let j = 0; j < d; j++) cur[i * d + j] = cur[i * d + j]! + noise[j]!;
          clipSample(cur, i, d, ctx.clipMin, ctx.clipMax);
        }
      }
      if (ctx.model.gradientSteps) {
        // The backend runs the whole loop (same steps, no round trip per step).
        const o = {
          norm: opts.norm,
          steps,
          stepSize: alpha,
          eps: opts.eps,
          clipMin: ctx.clipMin,
          clipMax: ctx.clipMax,
        };
        cur.set(await gradientSteps(ctx, cur, orig, rows, o));
      } else
        for (let t = 0; t < steps; t++) {
          const { grad } = await gradient(ctx, cur, rows, { kind: 'ce' });
          for (let i = 0; i < m; i++) {
            ascentDirection(grad, i, d, opts.norm, dir);
            for (let j = 0; j < d; j++) cur[i * d + j] = cur[i * d + j]! + alpha * dir[j]!;
            clipSample(cur, i, d, ctx.clipMin, ctx.clipMax);
            projectSample(cur, orig, i, d, opts.eps, opts.norm, ctx.clipMin, ctx.clipMax);
          }
        }
      const last = r === restarts - 1;
      const pred = last ? undefined : argmaxRows(await forward(ctx, cur, rows), m, ctx.k);
      rows.forEach((row, i) => {
        if (pred === undefined || pred[i] !== ctx.y[row]) {
          putRow(best, row, cur, i, d);
          if (pred !== undefined) done[row] = 1;
        }
      });
    }
    return best;
  };
}

export const pgd: Attack = {
  name: 'pgd',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack(
      { name: 'pgd', needsGradients: true },
      pgdCore(opts.randomStart ?? true),
      model,
      x,
      y,
      opts,
      active,
    ),
};

export const bim: Attack = {
  name: 'bim',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack({ name: 'bim', needsGradients: true }, pgdCore(false), model, x, y, opts, active),
};
