/**
 * What an attack's core sees: the clean-correct samples of one batch, packed, with query counting and
 * batched model calls. The runner (run.ts) builds it; cores only compute.
 */
import type { Classifier, GradientStepOptions, LossGradient, LossKind, Tensor } from '../ml/types.js';
import type { Rng } from './rng.js';
import type { AttackOptions } from './types.js';
import { argmaxRows } from './vec.js';

export interface AttackContext {
  readonly model: Classifier;
  /** Originals `[n·d]`. */
  readonly x: Float32Array;
  readonly y: Int32Array;
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly sampleShape: readonly number[];
  /** Clean logits `[n·k]` (already paid for). */
  readonly cleanLogits: Float32Array;
  readonly opts: AttackOptions;
  readonly rng: Rng;
  /** Queries per sample so far (the clean prediction counts as one). */
  readonly queries: Float32Array;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly batchSize: number;
}

/** Logits of `m = owners.length` packed samples; each owner (a sample index of ctx) pays one query. */
export async function forward(
  ctx: AttackContext,
  data: Float32Array,
  owners: ArrayLike<number>,
): Promise<Float32Array> {
  const m = owners.length;
  const out = new Float32Array(m * ctx.k);
  for (let s = 0; s < m; s += ctx.batchSize) {
    const e = Math.min(m, s + ctx.batchSize);
    const logits = await ctx.model.predict({
      data: data.subarray(s * ctx.d, e * ctx.d),
      shape: [e - s, ...ctx.sampleShape],
    });
    out.set(logits.subarray(0, (e - s) * ctx.k), s * ctx.k);
  }
  for (let i = 0; i < m; i++) ctx.queries[owners[i]!]! += 1;
  return out;
}

/** Per-sample loss, input gradient and (when the backend gives them) logits of `m = owners.length` packed samples (one query each). */
export async function gradient(
  ctx: AttackContext,
  data: Float32Array,
  owners: ArrayLike<number>,
  loss: LossKind,
  targets?: Int32Array,
): Promise<LossGradient> {
  const m = owners.length;
  const lossOut = new Float32Array(m);
  const gradOut = new Float32Array(m * ctx.d);
  let logitsOut: Float32Array | undefined = new Float32Array(m * ctx.k);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) labels[i] = ctx.y[owners[i]!]!;
  for (let s = 0; s < m; s += ctx.batchSize) {
    const e = Math.min(m, s + ctx.batchSize);
    const r = await ctx.model.lossGradient(
      { data: data.subarray(s * ctx.d, e * ctx.d), shape: [e - s, ...ctx.sampleShape] },
      labels.subarray(s, e),
      loss,
      targets?.subarray(s, e),
    );
    lossOut.set(r.loss.subarray(0, e - s), s);
    gradOut.set(r.grad.subarray(0, (e - s) * ctx.d), s * ctx.d);
    if (r.logits && r.logits.length >= (e - s) * ctx.k)
      logitsOut?.set(r.logits.subarray(0, (e - s) * ctx.k), s * ctx.k);
    else logitsOut = undefined;
  }
  for (let i = 0; i < m; i++) ctx.queries[owners[i]!]! += 1;
  return logitsOut ? { loss: lossOut, grad: gradOut, logits: logitsOut } : { loss: lossOut, grad: gradOut };
}

/**
 * `o.steps` PGD steps from `data` around `orig` (packed, `m = owners.length` samples) in the model's own
 * step loop (Classifier.gradientSteps); each owner pays one gradient query per step.
 */
export async function gradientSteps(
  ctx: AttackContext,
  data: Float32Array,
  orig: Float32Array,
  owners: ArrayLike<number>,
  o: GradientStepOptions,
): Promise<Float32Array> {
  const steps = ctx.model.gradientSteps;
  if (!steps) throw new Error('the model has no step loop');
  const m = owners.length;
  const out = new Float32Array(m * ctx.d);
  const labels = new Int32Array(m);
  for (let i = 0; i < m; i++) labels[i] = ctx.y[owners[i]!]!;
  for (let s = 0; s < m; s += ctx.batchSize) {
    const e = Math.min(m, s + ctx.batchSize);
    const shape = [e - s, ...ctx.sampleShape];
    const r = await steps.call(
      ctx.model,
      { data: data.subarray(s * ctx.d, e * ctx.d), shape },
      { data: orig.subarray(s * ctx.d, e * ctx.d), shape },
      labels.subarray(s, e),
      o,
    );
    out.set(r.subarray(0, (e - s) * ctx.d), s * ctx.d);
  }
  for (let i = 0; i < m; i++) ctx.queries[owners[i]!]! += o.steps;
  return out;
}

/** Copy samples `rows` of a packed batch into a new packed array. */
export function gatherRows(src: Float32Array, rows: ArrayLike<number>, d: number): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let i = 0; i < rows.length; i++) out.set(src.subarray(rows[i]! * d, (rows[i]! + 1) * d), i * d);
  return out;
}

/** Write packed row i of `src` into sample `row` of `dst`. */
export function putRow(dst: Float32Array, row: number, src: Float32Array, i: number, d: number): void {
  dst.set(src.subarray(i * d, (i + 1) * d), row * d);
}

/** The predicted class of every sample of `x`, `batchSize` samples per model call. */
export async function predictClasses(model: Classifier, x: Tensor, batchSize: number): Promise<Int32Array> {
  const n = x.shape[0] ?? 0;
  const d = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const k = model.profile.numClasses;
  const predictions = new Int32Array(n);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const logits = await model.predict({
      data: x.data.subarray(s * d, e * d),
      shape: [e - s, ...x.shape.slice(1)],
    });
    predictions.set(argmaxRows(logits, e - s, k), s);
  }
  return predictions;
}
