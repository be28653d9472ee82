/**
 * The one loop every attack shares: validate, walk the active samples in batches of `batchSize` (bounded
 * memory), skip samples the model already gets wrong (fooled, no perturbation), run the attack's core on
 * the rest, then verify each candidate with one uncounted prediction. A sample is fooled when the model
 * misclassifies its candidate and the candidate lies within ε (float tolerance) of the original.
 */
import type { Classifier, Tensor } from '../ml/types.js';
import type { AttackContext } from './context.js';
import { AttackError } from './errors.js';
import { Rng } from './rng.js';
import type { AttackName, AttackOptions, AttackResult } from './types.js';
import { argmaxRows, diffNorm } from './vec.js';

export const DEFAULT_BATCH_SIZE = 256;

export type AttackCore = (ctx: AttackContext) => Promise<Float32Array>;

export interface RunSpec {
  readonly name: AttackName;
  readonly needsGradients: boolean;
  /** Keep candidates beyond ε (minimal-perturbation attacks such as HSJ report their norm). */
  readonly keepUnsuccessful?: boolean;
}

/** Largest norm still counted as "within ε" (the projection is done in float32). */
export function withinEps(norm: number, eps: number): boolean {
  return norm <= eps * (1 + 1e-5) + 1e-6;
}

export function validate(
  model: Classifier,
  x: Tensor,
  y: Int32Array,
  opts: AttackOptions,
  spec: RunSpec,
): number {
  const n = x.shape[0] ?? 0;
  const d = x.shape.slice(1).reduce((a, b) => a * b, 1);
  if (x.shape.length < 2 || x.data.length !== n * d) {
    throw new AttackError(
      'SHAPE_MISMATCH',
      `x has shape [${x.shape.join(', ')}] but ${x.data.length} values`,
    );
  }
  if (y.length !== n)
    throw new AttackError('SHAPE_MISMATCH', `x has ${n} samples but y has ${y.length} labels`);
  const k = model.profile.numClasses;
  for (const label of y) {
    if (!Number.isInteger(label) || label < 0 || label >= k) {
      throw new AttackError('SHAPE_MISMATCH', `label ${label} outside the model's ${k} classes`);
    }
  }
  if (opts.norm !== 'linf' && opts.norm !== 'l2') {
    throw new AttackError('INVALID_OPTIONS', `norm must be linf or l2, got ${String(opts.norm)}`);
  }
  if (!(opts.eps >= 0) || !Number.isFinite(opts.eps)) {
    throw new AttackError('INVALID_OPTIONS', `eps must be a finite number ≥ 0, got ${opts.eps}`);
  }
  for (const [key, value] of [
    ['steps', opts.steps],
    ['restarts', opts.restarts],
    ['queries', opts.queries],
    ['batchSize', opts.batchSize],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new AttackError('INVALID_OPTIONS', `${key} must be an integer ≥ 1, got ${value}`);
    }
  }
  if (opts.stepSize !== undefined && !(opts.stepSize > 0 && Number.isFinite(opts.stepSize))) {
    throw new AttackError('INVALID_OPTIONS', `stepSize must be a finite number > 0, got ${opts.stepSize}`);
  }
  if (!Number.isFinite(opts.seed))
    throw new AttackError('INVALID_OPTIONS', `seed must be finite, got ${opts.seed}`);
  if (spec.needsGradients && !model.capabilities.lossGradient) {
    throw new AttackError(
      'NEEDS_GRADIENTS',
      `${spec.name} needs loss gradients, which this model does not provide`,
    );
  }
  return d;
}

export async function runAttack(
  spec: RunSpec,
  core: AttackCore,
  model: Classifier,
  x: Tensor,
  y: Int32Array,
  opts: AttackOptions,
  active?: Uint8Array,
): Promise<AttackResult> {
  const started = performance.now();
  const d = validate(model, x, y, opts, spec);
  const n = y.length;
  const k = model.profile.numClasses;
  const sampleShape = x.shape.slice(1);
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const adversarial = Float32Array.from(x.data);
  const fooled = new Uint8Array(n);
  const perturbation = new Float32Array(n);
  const queries = new Float32Array(n);
  const rng = new Rng(opts.seed);
  const todo: number[] = [];
  for (let i = 0; i < n; i++) if (active === undefined || active[i]) todo.push(i);

  for (let s = 0; s < todo.length; s += batchSize) {
    const rows = todo.slice(s, s + batchSize);
    const data = new Float32Array(rows.length * d);
    rows.forEach((r, i) => {
      data.set(x.data.subarray(r * d, (r + 1) * d), i * d);
    });
    const logits = await model.predict({ data, shape: [rows.length, ...sampleShape] });
    const pred = argmaxRows(logits, rows.length, k);
    const keep: number[] = [];
    rows.forEach((r, i) => {
      queries[r] = 1;
      if (pred[i] !== y[r]) fooled[r] = 1;
      else keep.push(i);
    });
    if (keep.length > 0) {
      const m = keep.length;
      const sub = new Float32Array(m * d);
      const subLogits = new Float32Array(m * k);
      const subY = new Int32Array(m);
      keep.forEach((i, j) => {
        sub.set(data.subarray(i * d, (i + 1) * d), j * d);
        subLogits.set(logits.subarray(i * k, (i + 1) * k), j * k);
        subY[j] = y[rows[i]!]!;
      });
      const ctx: AttackContext = {
        model,
        x: sub,
        y: subY,
        n: m,
        d,
        k,
        sampleShape,
        cleanLogits: subLogits,
        opts,
        rng,
        queries: new Float32Array(m).fill(1),
        clipMin: model.profile.clipMin,
        clipMax: model.profile.clipMax,
        batchSize,
      };
      const candidate = await core(ctx);
      const check = await model.predict({ data: candidate, shape: [m, ...sampleShape] });
      const advPred = argmaxRows(check, m, k);
      for (let j = 0; j < m; j++) {
        const r = rows[keep[j]!]!;
        queries[r] = ctx.queries[j]!;
        const dist = diffNorm(candidate, sub, j, d, opts.norm);
        const ok = advPred[j] !== subY[j] && withinEps(dist, opts.eps);
        if (ok || (spec.keepUnsuccessful && advPred[j] !== subY[j])) {
          adversarial.set(candidate.subarray(j * d, (j + 1) * d), r * d);
          perturbation[r] = dist;
        }
        fooled[r] = ok ? 1 : 0;
      }
    }
    opts.onProgress?.(Math.min(todo.length, s + batchSize), todo.length);
  }
  return {
    name: spec.name,
    norm: opts.norm,
    eps: opts.eps,
    adversarial: { data: adversarial, shape: [...x.shape] },
    fooled,
    perturbation,
    queries,
    seconds: (performance.now() - started) / 1000,
  };
}
