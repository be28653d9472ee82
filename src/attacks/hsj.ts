/**
 * HopSkipJump (Chen, Jordan, Wainwright 2020), decision-based, untargeted, after ART's `hop_skip_jump.py`
 * (robustness.md §B.5): uniform-noise initialisation (100 trials), binary search to the boundary
 * (θ = 0.01/√d for L2, 0.01/d for L∞), gradient-direction estimate from `min(100·√(t+1), 10000)` random
 * probes, geometric step search from 2·dist/√(t+1), then binary search again (also after the
 * last iteration, which ART omits). A minimal-perturbation
 * attack: it keeps the adversarial point it found whatever its norm; a sample counts as fooled at ε only
 * when that norm is ≤ ε. Defaults: `steps` 50 iterations, `queries` 10000 per sample.
 */
import { type AttackContext, forward } from './context.js';
import { Rng } from './rng.js';
import { runAttack } from './run.js';
import type { Attack, Norm } from './types.js';
import { argmaxRows } from './vec.js';

export const HSJ_DEFAULT_STEPS = 50;
export const HSJ_DEFAULT_QUERIES = 10_000;
export const HSJ_INIT_TRIALS = 100;
export const HSJ_INIT_EVAL = 100;
export const HSJ_MAX_EVAL = 10_000;
const MAX_STEP_HALVINGS = 40;

class BudgetSpent extends Error {}

/** Decision oracle for one sample: "is each of these points misclassified?", charged to that sample. */
class Oracle {
  constructor(
    private readonly ctx: AttackContext,
    private readonly row: number,
    private readonly budget: number,
  ) {}
  left(): number {
    return this.budget - this.ctx.queries[this.row]!;
  }
  async adversarial(points: Float32Array, count: number): Promise<Uint8Array> {
    if (count > this.left()) throw new BudgetSpent();
    const logits = await forward(this.ctx, points, new Array<number>(count).fill(this.row));
    const pred = argmaxRows(logits, count, this.ctx.k);
    const y = this.ctx.y[this.row]!;
    return Uint8Array.from(pred, (p) => (p !== y ? 1 : 0));
  }
}

function dist(a: Float32Array, b: Float32Array, norm: Norm): number {
  let acc = 0;
  for (let j = 0; j < a.length; j++) {
    const v = Math.abs(a[j]! - b[j]!);
    acc = norm === 'linf' ? Math.max(acc, v) : acc + v * v;
  }
  return norm === 'linf' ? acc : Math.sqrt(acc);
}

function interpolate(cur: Float32Array, orig: Float32Array, alpha: number, norm: Norm): Float32Array {
  const out = new Float32Array(cur.length);
  for (let j = 0; j < cur.length; j++) {
    if (norm === 'l2') out[j] = (1 - alpha) * orig[j]! + alpha * cur[j]!;
    else out[j] = Math.min(Math.max(cur[j]!, orig[j]! - alpha), orig[j]! + alpha);
  }
  return out;
}

async function binarySearch(
  oracle: Oracle,
  cur: Float32Array,
  orig: Float32Array,
  norm: Norm,
  theta: number,
  threshold: number | undefined,
): Promise<Float32Array> {
  let hi = norm === 'l2' ? 1 : dist(cur, orig, 'linf');
  let lo = 0;
  const thr = threshold ?? (norm === 'l2' ? theta : Math.min(hi * theta, theta));
  let best = cur;
  try {
    while (hi - lo > thr) {
      const mid = (hi + lo) / 2;
      const p = interpolate(cur, orig, mid, norm);
      const [adv] = await oracle.adversarial(p, 1);
      if (adv) {
        hi = mid;
        best = p;
      } else lo = mid;
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
  }
  return best;
}

async function hsjSample(ctx: AttackContext, row: number, rng: Rng): Promise<Float32Array> {
  const { d, opts } = ctx;
  const norm = opts.norm;
  const lo = ctx.clipMin;
  const hi = ctx.clipMax;
  const budget = opts.queries ?? HSJ_DEFAULT_QUERIES;
  const steps = opts.steps ?? HSJ_DEFAULT_STEPS;
  const theta = norm === 'l2' ? 0.01 / Math.sqrt(d) : 0.01 / d;
  const oracle = new Oracle(ctx, row, budget);
  const orig = ctx.x.slice(row * d, (row + 1) * d);

  // Initialisation: uniform noise until misclassified, then binary search towards the original.
  let cur: Float32Array | undefined;
  try {
    for (let t = 0; t < HSJ_INIT_TRIALS && cur === undefined; t++) {
      const noise = new Float32Array(d);
      for (let j = 0; j < d; j++) noise[j] = lo + (hi - lo) * rng.uniform();
      if ((await oracle.adversarial(noise, 1))[0]) cur = noise;
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
  }
  if (cur === undefined) return orig;
  cur = await binarySearch(oracle, cur, orig, norm, theta, 0.001);

  try {
    for (let t = 0; t < steps; t++) {
      const dNow = dist(cur, orig, norm);
      const delta = t === 0 ? 0.1 * (hi - lo) : (norm === 'l2' ? Math.sqrt(d) : d) * theta * dNow;
      cur = await binarySearch(oracle, cur, orig, norm, theta, undefined);
      const numEval = Math.min(Math.floor(HSJ_INIT_EVAL * Math.sqrt(t + 1)), HSJ_MAX_EVAL);
      if (numEval > oracle.left()) break;
      // Gradient-direction estimate at the boundary, in chunks of batchSize probes (memory stays
      // batchSize·d): Σ f_q·u_q and Σ u_q are accumulated, then centred by the mean decision.
      const sumFU = new Float64Array(d);
      const sumU = new Float64Array(d);
      let sumF = 0;
      for (let q0 = 0; q0 < numEval; q0 += ctx.batchSize) {
        const count = Math.min(ctx.batchSize, numEval - q0);
        const probes = new Float32Array(count * d);
        const dirs = new Float64Array(count * d);
        for (let q = 0; q < count; q++) {
          let n2 = 0;
          for (let j = 0; j < d; j++) {
            const v = norm === 'l2' ? rng.normal() : 2 * rng.uniform() - 1;
            dirs[q * d + j] = v;
            n2 += v * v;
          }
          const s = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
          for (let j = 0; j < d; j++) {
            const p = Math.min(Math.max(cur[j]! + delta * dirs[q * d + j]! * s, lo), hi);
            probes[q * d + j] = p;
            dirs[q * d + j] = (p - cur[j]!) / delta;
          }
        }
        const sat = await oracle.adversarial(probes, count);
        for (let q = 0; q < count; q++) {
          const f = 2 * sat[q]! - 1;
          sumF += f;
          for (let j = 0; j < d; j++) {
            sumFU[j] = sumFU[j]! + f * dirs[q * d + j]!;
            sumU[j] = sumU[j]! + dirs[q * d + j]!;
          }
        }
      }
      const mean = sumF / numEval;
      const update = new Float64Array(d);
      for (let j = 0; j < d; j++) {
        update[j] = (Math.abs(mean) === 1 ? mean * sumU[j]! : sumFU[j]! - mean * sumU[j]!) / numEval;
      }
      if (norm === 'l2') {
        let n2 = 0;
        for (const v of update) n2 += v * v;
        const s = n2 > 0 ? 1 / Math.sqrt(n2) : 0;
        for (let j = 0; j < d; j++) update[j] = update[j]! * s;
      } else for (let j = 0; j < d; j++) update[j] = Math.sign(update[j]!);
      // Geometric step search.
      const dBoundary = dist(cur, orig, norm);
      let step = (2 * dBoundary) / Math.sqrt(t + 1);
      let next: Float32Array | undefined;
      for (let h = 0; h < MAX_STEP_HALVINGS && next === undefined; h++) {
        step /= 2;
        const p = new Float32Array(d);
        for (let j = 0; j < d; j++) p[j] = Math.min(Math.max(cur[j]! + step * update[j]!, lo), hi);
        if ((await oracle.adversarial(p, 1))[0]) next = p;
      }
      if (next !== undefined) cur = next;
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
  }
  // ART stops after the step search, a little inside the adversarial region; a last binary search brings
  // the point back to the boundary (it keeps the current point if the budget runs out).
  return binarySearch(oracle, cur, orig, norm, theta, undefined);
}

async function hsjCore(ctx: AttackContext): Promise<Float32Array> {
  const out = Float32Array.from(ctx.x);
  // One stream per sample, so a run with more iterations extends each sample's trajectory.
  const seeds = Array.from({ length: ctx.n }, () => ctx.rng.u32());
  for (let i = 0; i < ctx.n; i++) out.set(await hsjSample(ctx, i, new Rng(seeds[i]!)), i * ctx.d);
  return out;
}

export const hsj: Attack = {
  name: 'hsj',
  needsGradients: false,
  run: (model, x, y, opts, active) =>
    runAttack(
      { name: 'hsj', needsGradients: false, keepUnsuccessful: true },
      hsjCore,
      model,
      x,
      y,
      opts,
      active,
    ),
};
