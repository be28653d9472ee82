/**
 * Neural Cleanse (Wang et al., S&P 2019; robustness.md §B.7) on any Classifier with input gradients: for each
 * candidate target class, the smallest mask and pattern that send clean inputs to that class; a class whose
 * mask is an outlier on the small side (MAD anomaly index above 2) is flagged as a backdoor target.
 */
import { Rng } from '../../attacks/rng.js';
import type { Classifier, Dataset } from '../../ml/types.js';
import { anomalyIndices } from './anomaly.js';
import { BackdoorError } from './errors.js';
import { BACKDOOR_LIMITS, NC_DEFAULTS } from './limits.js';
import { type Reversed, reverseTrigger } from './reverse.js';
import { argmax, geometryOf, pixelMap, stamp, TriggerVars } from './trigger.js';
import type { ClassTrigger, NeuralCleanseOptions, NeuralCleanseResult } from './types.js';

export { type AnomalyResult, anomalyIndices } from './anomaly.js';
export { BackdoorError, type BackdoorErrorCode } from './errors.js';
export { BACKDOOR_LIMITS, NC_DEFAULTS } from './limits.js';
export { Adam, batchStep, chainRule, geometryOf, pixelMap, stamp, TriggerVars } from './trigger.js';
export type * from './types.js';

function intOption(name: string, v: number | undefined, dflt: number, max: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 1)
    throw new BackdoorError('BACKDOOR_INPUT', `${name} must be a positive integer, got ${x}`);
  if (x > max)
    throw new BackdoorError('BACKDOOR_LIMIT', `${name} ${x} is over the limit ${max} (BACKDOOR_LIMITS)`);
  return x;
}

function checkClasses(classes: readonly number[], k: number): number[] {
  if (classes.length === 0) throw new BackdoorError('BACKDOOR_INPUT', 'no classes to examine');
  if (classes.length > BACKDOOR_LIMITS.maxClasses)
    throw new BackdoorError(
      'BACKDOOR_LIMIT',
      `${classes.length} classes is over BACKDOOR_LIMITS.maxClasses (${BACKDOOR_LIMITS.maxClasses})`,
    );
  for (const c of classes)
    if (!Number.isInteger(c) || c < 0 || c >= k)
      throw new BackdoorError('BACKDOOR_INPUT', `class ${c} is outside the model's ${k} classes`);
  if (new Set(classes).size !== classes.length)
    throw new BackdoorError('BACKDOOR_INPUT', 'a class is listed twice');
  return [...classes];
}

/** Runs Neural Cleanse on `data.x` (clean samples; labels are used only by the success-rate check). */
export async function neuralCleanse(
  clf: Classifier,
  data: Dataset,
  opts: NeuralCleanseOptions = {},
): Promise<NeuralCleanseResult> {
  const started = performance.now();
  if (!clf.capabilities.lossGradient)
    throw new BackdoorError('BACKDOOR_MODEL', 'Neural Cleanse needs input gradients, which this model lacks');
  const p = clf.profile;
  const k = p.numClasses;
  if (!Number.isInteger(k) || k < 2)
    throw new BackdoorError('BACKDOOR_MODEL', `the model has ${k} classes; at least 2 are needed`);
  if (!(p.clipMax > p.clipMin))
    throw new BackdoorError('BACKDOOR_MODEL', `the clip range [${p.clipMin}, ${p.clipMax}] is empty`);
  const geometry = geometryOf(p);
  const d = p.inputShape.reduce((a, b) => a * b, 1);
  const n = data.x.shape[0] ?? 0;
  const shape = data.x.shape.slice(1);
  if (shape.length !== p.inputShape.length || shape.some((v, i) => v !== p.inputShape[i]))
    throw new BackdoorError(
      'BACKDOOR_INPUT',
      `samples have shape [${shape.join(', ')}] but the model takes [${p.inputShape.join(', ')}]`,
    );
  if (n < 1 || data.x.data.length !== n * d)
    throw new BackdoorError('BACKDOOR_INPUT', `the data hold ${n} samples of ${d} values; need at least one`);
  for (let i = 0; i < data.x.data.length; i++)
    if (!Number.isFinite(data.x.data[i]!))
      throw new BackdoorError('BACKDOOR_INPUT', `input value ${i} is not finite`);

  if (opts.checkAsr && data.y.length !== n)
    throw new BackdoorError('BACKDOOR_INPUT', `${data.y.length} labels for ${n} samples`);
  const steps = intOption('steps', opts.steps, NC_DEFAULTS.steps, BACKDOOR_LIMITS.maxSteps);
  const batch = intOption('batch', opts.batch, NC_DEFAULTS.batch, BACKDOOR_LIMITS.maxBatch);
  const wanted = intOption('samples', opts.samples, NC_DEFAULTS.samples, BACKDOOR_LIMITS.maxSamples);
  const seed = opts.seed ?? NC_DEFAULTS.seed;
  if (!Number.isFinite(seed)) throw new BackdoorError('BACKDOOR_INPUT', 'seed must be a finite number');
  const classes = checkClasses(opts.classes ?? Array.from({ length: k }, (_, i) => i), k);
  const samples = Math.min(wanted, n);
  const warnings: string[] = [];

  const pixels = pixelMap(geometry);
  const hw = geometry.height * geometry.width;
  const reversed: Reversed[] = [];
  for (const [ci, target] of classes.entries()) {
    // One stream per class, so examining a subset of classes gives the same triggers for them.
    const rng = new Rng(seed * 1_000_003 + target);
    reversed.push(
      await reverseTrigger(clf, data.x.data, n, target, pixels, hw, { steps, batch, samples }, rng, (step) =>
        opts.onProgress?.({ classIndex: ci, classes: classes.length, target, step }),
      ),
    );
  }

  const a = anomalyIndices(reversed.map((r) => r.maskL1));
  const flaggedPos = new Set(a.flagged);
  if (classes.length < 3)
    warnings.push(`only ${classes.length} classes examined: the median and MAD of so few norms mean little`);
  if (a.mad === 0)
    warnings.push('all mask norms are (nearly) equal: MAD is 0, so no anomaly index can be measured');
  const unreached = classes.filter((_, i) => !reversed[i]!.reached);
  if (unreached.length)
    warnings.push(
      `no trigger reached ${NC_DEFAULTS.attackSuccessThreshold} success for class${unreached.length > 1 ? 'es' : ''} ${unreached.join(', ')} in ${steps} steps (their last mask is kept; more --steps may help)`,
    );

  const out: ClassTrigger[] = [];
  for (const [i, target] of classes.entries()) {
    const r = reversed[i]!;
    const flagged = flaggedPos.has(i);
    const asr =
      flagged && opts.checkAsr ? await successRate(clf, data, target, r, pixels, hw, batch) : undefined;
    out.push({
      class: target,
      maskL1: r.maskL1,
      anomalyIndex: a.indices[i]!,
      success: r.success,
      reached: r.reached,
      flagged,
      steps: r.steps,
      earlyStopped: r.earlyStopped,
      cost: r.cost,
      ...(asr === undefined ? {} : { asr }),
      trigger: { mask: r.mask, pattern: r.pattern },
    });
  }
  return {
    geometry,
    classes: out,
    flagged: out
      .filter((c) => c.flagged)
      .map((c) => c.class)
      .sort((x, y) => x - y),
    median: a.median,
    mad: a.mad,
    threshold: NC_DEFAULTS.anomalyThreshold,
    samples,
    settings: { steps, batch, seed },
    seconds: (performance.now() - started) / 1000,
    warnings,
  };
}

/** Share of the samples labelled other than `target` that the stamped trigger sends to `target`. */
async function successRate(
  clf: Classifier,
  data: Dataset,
  target: number,
  r: Reversed,
  pixels: Int32Array,
  hw: number,
  batch: number,
): Promise<number> {
  const d = pixels.length;
  const n = data.y.length;
  const k = clf.profile.numClasses;
  const v = new TriggerVars(pixels, clf.profile.clipMin, clf.profile.clipMax, hw);
  v.mask.set(r.mask);
  v.pattern.set(r.pattern);
  const others: number[] = [];
  for (let i = 0; i < n; i++) if (data.y[i] !== target) others.push(i);
  if (others.length === 0) return 0;
  let hits = 0;
  for (let s = 0; s < others.length; s += batch) {
    const idx = others.slice(s, s + batch);
    const xb = new Float32Array(idx.length * d);
    idx.forEach((i, j) => {
      xb.set(data.x.data.subarray(i * d, (i + 1) * d), j * d);
    });
    const logits = await clf.predict({
      data: stamp(xb, idx.length, v),
      shape: [idx.length, ...clf.profile.inputShape],
    });
    for (let j = 0; j < idx.length; j++) if (argmax(logits, j * k, k) === target) hits++;
  }
  return hits / others.length;
}
