/**
 * Robustness evaluation of a classifier on a dataset: clean accuracy, then for every ε every chosen attack
 * (or the AutoAttack preset) on the clean-correct points, per-attack numbers, the worst case per sample
 * and the sanity-check warnings. Robust accuracy is counted over all points; clean errors are not robust.
 */
import type { Classifier, Dataset, Tensor } from '../ml/types.js';
import { runAutoAttack, runSequence, type SequenceStep } from './autoattack.js';
import { type CheckWarning, checkAttackSummaries, checkModel } from './checks.js';
import { predictClasses } from './context.js';
import { AttackError } from './errors.js';
import { attackByName } from './registry.js';
import { DEFAULT_BATCH_SIZE, validate } from './run.js';
import { type AttackSummary, summarise } from './summary.js';
import type { Attack, AttackName, AttackOptions, AttackResult, Norm } from './types.js';

export type AttackChoice = AttackName | 'autoattack';

/** Where evaluate is in its work: `run` counts the attack runs (ε × attack), `runs` is how many there are. */
export interface EvaluateProgress {
  readonly attack: AttackName;
  readonly eps: number;
  readonly done: number;
  readonly total: number;
  /** Index of this run among all ε × attack runs (an AutoAttack choice counts as one). */
  readonly run: number;
  readonly runs: number;
}

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
  /**
   * Each listed attack sees only the points still robust after the ones before it at the same ε (the
   * AutoAttack protocol, for a sequence of your own); default false: each sees every clean-correct point.
   * Either way an attack with nothing left to attack gets an empty run and a row.
   */
  readonly sequential?: boolean;
  /** Where the attacks come from (default: the registry); one it does not know is an UNKNOWN_ATTACK error. */
  readonly attackOf?: (name: AttackName) => Attack | undefined;
  readonly onProgress?: (event: EvaluateProgress) => void;
  /** After every run (ε × attack; an AutoAttack choice is one run), also one that had nothing to attack. */
  readonly onRunEnd?: (event: { attack: AttackChoice; eps: number; run: number; runs: number }) => void;
}

/** One attack at one ε over the whole dataset (the AutoAttack choice gives one per stage). */
export interface EvaluatedRun {
  readonly name: AttackName;
  readonly eps: number;
  readonly preset?: 'autoattack';
  /** The points it was asked to attack. */
  readonly attacked: Uint8Array;
  /** Per sample: attacked and fooled within ε. */
  readonly fooled: Uint8Array;
  readonly result: Pick<AttackResult, 'perturbation' | 'queries' | 'seconds'>;
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
  /** Per sample: the attack that produced `adversarial` (null: none did, or a clean error). */
  readonly firstFooledBy: (AttackName | null)[];
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
  /** Every run in order (per ε, per attack), with its per-sample numbers. */
  readonly runs: EvaluatedRun[];
  readonly warnings: CheckWarning[];
  readonly seconds: number;
}

/** The per-point numbers of a result, without its adversarial examples (kept once per ε, not per run). */
function numbersOf(r: AttackResult): EvaluatedRun['result'] {
  return { perturbation: r.perturbation, queries: r.queries, seconds: r.seconds };
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
  const attackOf = (name: AttackName): Attack => {
    if (opts.attackOf === undefined) return attackByName(name);
    const a = opts.attackOf(name);
    if (a === undefined) throw new AttackError('UNKNOWN_ATTACK', `attack ${name} is not available`);
    return a;
  };
  for (const a of attacks) if (a !== 'autoattack') attackOf(a);
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
  const predictions = await predictClasses(model, x, batchSize);
  const cleanCorrect = Uint8Array.from(predictions, (p, i) => (p === y[i] ? 1 : 0));
  const cleanCount = cleanCorrect.reduce((a, v) => a + v, 0);
  const summaries: AttackSummary[] = [];
  const perEps: EpsEvaluation[] = [];
  const runs: EvaluatedRun[] = [];
  const runCount = eps.length * attacks.length;
  let runIndex = 0;

  for (const epsilon of eps) {
    const robust = Uint8Array.from(cleanCorrect);
    const adversarial = Float32Array.from(x.data);
    const firstFooledBy = new Array<AttackName | null>(n).fill(null);
    const ran: AttackName[] = [];
    const skipped: { name: AttackName; reason: string }[] = [];
    const markFooled = (fooled: Uint8Array, by: ArrayLike<AttackName | null>, adv: Float32Array) => {
      for (let i = 0; i < n; i++) {
        if (robust[i] && fooled[i]) {
          robust[i] = 0;
          firstFooledBy[i] = by[i] ?? null;
          adversarial.set(adv.subarray(i * d, (i + 1) * d), i * d);
        }
      }
    };
    const progressOf = (attack: AttackName, run: number) =>
      opts.onProgress
        ? {
            onProgress: (done: number, total: number) =>
              opts.onProgress?.({ attack, eps: epsilon, done, total, run, runs: runCount }),
          }
        : {};
    // The listed attacks in one sequence per ε; an AutoAttack choice runs its own sequence where it stands.
    let pending: AttackName[] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const first = runIndex;
      const steps: SequenceStep[] = pending.map((name, j) => ({
        attack: attackOf(name),
        opts: {
          norm: opts.norm,
          eps: epsilon,
          seed: opts.seed,
          batchSize,
          ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
          ...(opts.stepSize !== undefined ? { stepSize: opts.stepSize } : {}),
          ...(opts.randomStart !== undefined ? { randomStart: opts.randomStart } : {}),
          ...(opts.restarts !== undefined ? { restarts: opts.restarts } : {}),
          ...(opts.queries !== undefined ? { queries: opts.queries } : {}),
          ...progressOf(name, first + j),
        } satisfies AttackOptions,
      }));
      pending = [];
      // Non-sequential: every attack on the clean-correct points; sequential: on what is still robust here.
      const start = opts.sequential ? Uint8Array.from(robust) : cleanCorrect;
      const out = await runSequence(model, x, y, start, steps, {
        sequential: opts.sequential === true,
        dropAdversarial: true,
        onRunEnd: (r, j) => opts.onRunEnd?.({ attack: r.name, eps: epsilon, run: first + j, runs: runCount }),
      });
      runIndex += steps.length;
      const before = Uint8Array.from(robust);
      for (const r of out.runs) {
        const robustAfter = Uint8Array.from(opts.sequential ? before : cleanCorrect, (c, i) =>
          c && !r.fooled[i] ? 1 : 0,
        );
        if (opts.sequential) before.set(robustAfter);
        summaries.push(summarise(r.result, r.attacked, robustAfter));
        runs.push({
          name: r.name,
          eps: epsilon,
          attacked: r.attacked,
          fooled: r.fooled,
          result: numbersOf(r.result),
        });
        ran.push(r.name);
      }
      const names = out.runs.map((r) => r.name);
      markFooled(
        Uint8Array.from(out.fooledBy, (j) => (j >= 0 ? 1 : 0)),
        Array.from(out.fooledBy, (j) => names[j] ?? null),
        out.adversarial,
      );
    };
    for (const choice of attacks) {
      if (choice !== 'autoattack') {
        pending.push(choice);
        continue;
      }
      await flush();
      const run = runIndex++;
      const aa = await runAutoAttack(model, x, y, {
        norm: opts.norm,
        eps: epsilon,
        seed: opts.seed,
        ...(opts.steps ? { steps: opts.steps } : {}),
        ...(opts.queries ? { queries: opts.queries } : {}),
        batchSize,
        ...(opts.onProgress
          ? {
              onProgress: (attack, done, total) =>
                opts.onProgress?.({ attack, eps: epsilon, done, total, run, runs: runCount }),
            }
          : {}),
      });
      const stillRobust = Uint8Array.from(aa.cleanCorrect);
      aa.results.forEach((r, idx) => {
        const attacked = Uint8Array.from(stillRobust);
        for (let i = 0; i < n; i++) if (aa.fooledBy[i] === idx) stillRobust[i] = 0;
        summaries.push(summarise(r, attacked, Uint8Array.from(stillRobust), 'autoattack'));
        const fooled = Uint8Array.from(attacked, (a, i) => (a && r.fooled[i] ? 1 : 0));
        runs.push({
          name: r.name,
          eps: epsilon,
          preset: 'autoattack',
          attacked,
          fooled,
          result: numbersOf(r),
        });
      });
      ran.push(...aa.ran);
      skipped.push(...aa.skipped);
      markFooled(
        Uint8Array.from(aa.robust, (v, i) => (aa.cleanCorrect[i] && !v ? 1 : 0)),
        Array.from(aa.fooledBy, (j) => aa.ran[j] ?? null),
        aa.adversarial.data,
      );
      opts.onRunEnd?.({ attack: 'autoattack', eps: epsilon, run, runs: runCount });
    }
    await flush();
    perEps.push({
      eps: epsilon,
      robustAccuracy: n === 0 ? 0 : robust.reduce((a, v) => a + v, 0) / n,
      ran,
      skipped,
      robust,
      adversarial: { data: adversarial, shape: [...x.shape] },
      firstFooledBy,
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
    runs,
    warnings,
    seconds: (performance.now() - started) / 1000,
  };
}

export { predictClasses };
