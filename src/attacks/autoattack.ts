/**
 * AutoAttack, standard version (robustness.md §B.3): APGD-CE, APGD-T (9 targets), FAB-T (when it is in
 * the registry), Square (5000 queries), each on the samples still robust after the previous ones. A
 * sample is robust when the model classifies it correctly and no attack fooled it. `ran` lists exactly
 * the attacks that ran.
 */
import type { Classifier, Tensor } from '../ml/types.js';
import { ATTACKS } from './registry.js';
import { validate } from './run.js';
import { SQUARE_DEFAULT_QUERIES } from './square.js';
import type { Attack, AttackName, AttackOptions, AttackResult, Norm } from './types.js';
import { argmaxRows } from './vec.js';

export interface AutoAttackOptions {
  readonly norm: Norm;
  readonly eps: number;
  readonly seed: number;
  /** APGD iterations (default 100). */
  readonly steps?: number;
  /** Square's query budget (default 5000). */
  readonly queries?: number;
  readonly batchSize?: number;
  /** Progress: which attack, samples done of that attack's total. */
  readonly onProgress?: (attack: AttackName, done: number, total: number) => void;
}

export interface AutoAttackResult {
  readonly norm: Norm;
  readonly eps: number;
  /** Attacks that ran, in order. */
  readonly ran: AttackName[];
  /** Attacks of the standard sequence left out, and why (no gradients, too few classes). */
  readonly skipped: { name: AttackName; reason: string }[];
  /** Per attack, on the samples still robust when it started (the others: not attacked, 0 queries). */
  readonly results: AttackResult[];
  /** Per sample: the model was right on the clean input. */
  readonly cleanCorrect: Uint8Array;
  /** Per sample: clean-correct and no attack fooled it. */
  readonly robust: Uint8Array;
  /** Which attack fooled each sample first (−1: none, or a clean error). */
  readonly fooledBy: Int8Array;
  /** Worst case per sample: the first successful adversarial example, or the original. */
  readonly adversarial: Tensor;
  readonly seconds: number;
}

/** The standard sequence, limited to what the registry implements. */
export function autoAttackSequence(): AttackName[] {
  const wanted: AttackName[] = ['apgd-ce', 'apgd-t', 'fab-t', 'square'];
  return wanted.filter((n) => Object.hasOwn(ATTACKS, n));
}

export async function runAutoAttack(
  model: Classifier,
  x: Tensor,
  y: Int32Array,
  opts: AutoAttackOptions,
): Promise<AutoAttackResult> {
  const started = performance.now();
  const base: AttackOptions = { norm: opts.norm, eps: opts.eps, seed: opts.seed };
  const d = validate(
    model,
    x,
    y,
    { ...base, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) },
    {
      name: 'apgd-ce',
      needsGradients: false,
    },
  );
  const n = y.length;
  const k = model.profile.numClasses;
  const batchSize = opts.batchSize ?? 256;
  const cleanCorrect = new Uint8Array(n);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const logits = await model.predict({
      data: x.data.subarray(s * d, e * d),
      shape: [e - s, ...x.shape.slice(1)],
    });
    const pred = argmaxRows(logits, e - s, k);
    for (let i = s; i < e; i++) cleanCorrect[i] = pred[i - s] === y[i] ? 1 : 0;
  }
  const robust = Uint8Array.from(cleanCorrect);
  const fooledBy = new Int8Array(n).fill(-1);
  const adversarial = Float32Array.from(x.data);
  const ran: AttackName[] = [];
  const results: AttackResult[] = [];
  const skipped: { name: AttackName; reason: string }[] = [];
  const sequence = autoAttackSequence().filter((name) => {
    if (isWhiteBox(name) && !model.capabilities.lossGradient) {
      skipped.push({ name, reason: 'the model provides no input gradients' });
      return false;
    }
    if (name === 'apgd-t' && k < 4) {
      skipped.push({ name, reason: `targeted DLR needs at least 4 classes, the model has ${k}` });
      return false;
    }
    return true;
  });
  for (const name of sequence) {
    if (!robust.some((v) => v === 1)) break;
    const attack = (ATTACKS as Partial<Record<AttackName, Attack>>)[name]!;
    const attackOpts: AttackOptions = {
      ...base,
      restarts: 1,
      ...(name === 'square'
        ? { queries: opts.queries ?? SQUARE_DEFAULT_QUERIES }
        : opts.steps
          ? { steps: opts.steps }
          : {}),
      ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
      ...(opts.onProgress
        ? { onProgress: (done: number, total: number) => opts.onProgress?.(name, done, total) }
        : {}),
    };
    const result = await attack.run(model, x, y, attackOpts, Uint8Array.from(robust));
    ran.push(name);
    results.push(result);
    for (let i = 0; i < n; i++) {
      if (robust[i] && result.fooled[i]) {
        robust[i] = 0;
        fooledBy[i] = ran.length - 1;
        adversarial.set(result.adversarial.data.subarray(i * d, (i + 1) * d), i * d);
      }
    }
  }
  return {
    norm: opts.norm,
    eps: opts.eps,
    ran,
    skipped,
    results,
    cleanCorrect,
    robust,
    fooledBy,
    adversarial: { data: adversarial, shape: [...x.shape] },
    seconds: (performance.now() - started) / 1000,
  };
}

function isWhiteBox(name: AttackName): boolean {
  return name !== 'square' && name !== 'hsj';
}
