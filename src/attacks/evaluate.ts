/**
 * Robustness evaluation of a classifier on a dataset: clean accuracy, then for every ε every chosen attack
 * (or the AutoAttack preset) on the clean-correct points, per-attack numbers, the worst case per sample
 * and the sanity-check warnings. Robust accuracy is counted over all points; clean errors are not robust.
 */
import type { Classifier, Dataset, Tensor } from '../ml/types.js';
import { runAutoAttack } from './autoattack.js';
import { type CheckWarning, checkAttackSummaries, checkModel } from './checks.js';
import { AttackError } from './errors.js';
import { attackByName } from './registry.js';
import { DEFAULT_BATCH_SIZE, validate } from './run.js';
import { type AttackSummary, summarise } from './summary.js';
import type { AttackName, AttackOptions, Norm } from './types.js';
import { argmaxRows } from './vec.js';

export type AttackChoice = AttackName | 'autoattack';

export interface EvaluateOptions {
  readonly norm: Norm;
  readonly seed: number;
  readonly steps?: number;
  readonly stepSize?: number;
  readonly randomStart?: boolean;
  readonly restarts?: number;
  readonly queries?: number;
  readonly batchSize?: number;
  /** Run the sanity checks (default true). */
  readonly checks?: boolean;
  readonly onProgress?: (event: { attack: AttackName; eps: number; done: number; total: number }) => void;
}

export interface EpsEvaluation {
  readonly eps: number;
  /** Worst case over the attacks run, over all points. */
  readonly robustAccuracy: number;
  readonly ran: AttackName[];
  /** Attacks of a preset left out, and why (e.g. APGD-T on fewer than 4 classes). */
  readonly skipped: { name: AttackName; reason: string }[];
  /** Per sample: clean-correct and no attack fooled it at this ε. */
  readonly robust: Uint8Array;
  /** Per sample: the first successful adversarial example, or the original. */
  readonly adversarial: Tensor;
}

export interface Evaluation {
  readonly samples: number;
  readonly norm: Norm;
  readonly cleanAccuracy: number;
  readonly cleanCorrect: Uint8Array;
  readonly predictions: Int32Array;
  readonly attacks: AttackSummary[];
  /** Top-level worst-case robust accuracy, one entry per ε. */
  readonly robustAccuracy: { eps: number; robustAccuracy: number }[];
  readonly perEps: EpsEvaluation[];
  readonly warnings: CheckWarning[];
  readonly seconds: number;
}

export async function evaluate(
  model: Classifier,
  dataset: Dataset,
  attacks: readonly AttackChoice[],
  eps: readonly number[],
  opts: EvaluateOptions,
): Promise<Evaluation> {
  const started = performance.now();
  if (attacks.length === 0) throw new AttackError('INVALID_OPTIONS', 'no attack chosen');
  if (eps.length === 0) throw new AttackError('INVALID_OPTIONS', 'no ε given');
  for (const a of attacks) if (a !== 'autoattack') attackByName(a);
  const { x, y } = dataset;
  const n = y.length;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const d = validate(
    model,
    x,
    y,
    { norm: opts.norm, eps: 0, seed: opts.seed, batchSize },
    { name: 'fgsm', needsGradients: false },
  );
  for (const e of eps)
    validate(
      model,
      x,
      y,
      { norm: opts.norm, eps: e, seed: opts.seed },
      { name: 'fgsm', needsGradients: false },
    );
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
  const cleanCorrect = Uint8Array.from(predictions, (p, i) => (p === y[i] ? 1 : 0));
  const cleanCount = cleanCorrect.reduce((a, v) => a + v, 0);
  const summaries: AttackSummary[] = [];
  const perEps: EpsEvaluation[] = [];

  for (const epsilon of eps) {
    const robust = Uint8Array.from(cleanCorrect);
    const adversarial = Float32Array.from(x.data);
    const ran: AttackName[] = [];
    const skipped: { name: AttackName; reason: string }[] = [];
    const markFooled = (fooled: Uint8Array, adv: Float32Array) => {
      for (let i = 0; i < n; i++) {
        if (robust[i] && fooled[i]) {
          robust[i] = 0;
          adversarial.set(adv.subarray(i * d, (i + 1) * d), i * d);
        }
      }
    };
    for (const choice of attacks) {
      if (choice === 'autoattack') {
        const aa = await runAutoAttack(model, x, y, {
          norm: opts.norm,
          eps: epsilon,
          seed: opts.seed,
          ...(opts.steps ? { steps: opts.steps } : {}),
          ...(opts.queries ? { queries: opts.queries } : {}),
          batchSize,
          ...(opts.onProgress
            ? {
                onProgress: (attack, done, total) => opts.onProgress?.({ attack, eps: epsilon, done, total }),
              }
            : {}),
        });
        const stillRobust = Uint8Array.from(aa.cleanCorrect);
        aa.results.forEach((r, idx) => {
          const attacked = Uint8Array.from(stillRobust);
          for (let i = 0; i < n; i++) if (aa.fooledBy[i] === idx) stillRobust[i] = 0;
          summaries.push(summarise(r, attacked, Uint8Array.from(stillRobust), 'autoattack'));
        });
        ran.push(...aa.ran);
        skipped.push(...aa.skipped);
        markFooled(
          Uint8Array.from(aa.robust, (v, i) => (aa.cleanCorrect[i] && !v ? 1 : 0)),
          aa.adversarial.data,
        );
        continue;
      }
      const attackOpts: AttackOptions = {
        norm: opts.norm,
        eps: epsilon,
        seed: opts.seed,
        batchSize,
        ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
        ...(opts.stepSize !== undefined ? { stepSize: opts.stepSize } : {}),
        ...(opts.randomStart !== undefined ? { randomStart: opts.randomStart } : {}),
        ...(opts.restarts !== undefined ? { restarts: opts.restarts } : {}),
        ...(opts.queries !== undefined ? { queries: opts.queries } : {}),
        ...(opts.onProgress
          ? {
              onProgress: (done: number, total: number) =>
                opts.onProgress?.({ attack: choice, eps: epsilon, done, total }),
            }
          : {}),
      };
      const result = await attackByName(choice).run(model, x, y, attackOpts, cleanCorrect);
      const robustAfter = Uint8Array.from(cleanCorrect, (c, i) => (c && !result.fooled[i] ? 1 : 0));
      summaries.push(summarise(result, cleanCorrect, robustAfter));
      ran.push(choice);
      markFooled(result.fooled, result.adversarial.data);
    }
    perEps.push({
      eps: epsilon,
      robustAccuracy: n === 0 ? 0 : robust.reduce((a, v) => a + v, 0) / n,
      ran,
      skipped,
      robust,
      adversarial: { data: adversarial, shape: [...x.shape] },
    });
  }
  const warnings =
    opts.checks === false ? [] : [...(await checkModel(model, dataset)), ...checkAttackSummaries(summaries)];
  return {
    samples: n,
    norm: opts.norm,
    cleanAccuracy: n === 0 ? 0 : cleanCount / n,
    cleanCorrect,
    predictions,
    attacks: summaries,
    robustAccuracy: perEps.map((p) => ({ eps: p.eps, robustAccuracy: p.robustAccuracy })),
    perEps,
    warnings,
    seconds: (performance.now() - started) / 1000,
  };
}
