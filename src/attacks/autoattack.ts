/**
 * AutoAttack, standard version (robustness.md §B.3): APGD-CE, APGD-T (9 targets), FAB-T (when it is in
 * the registry), Square (5000 queries), each on the samples still robust after the previous ones. A
 * sample is robust when the model classifies it correctly and no attack fooled it. `ran` lists exactly
 * the attacks that ran.
 */
import type { Classifier, Tensor } from '../ml/types.js';
import { predictClasses } from './context.js';
import { ATTACKS } from './registry.js';
import { validate } from './run.js';
import { SQUARE_DEFAULT_QUERIES } from './square.js';
import type { Attack, AttackName, AttackOptions, AttackResult, Norm } from './types.js';

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

/** One attack of a sequence and the options it runs with. */
export interface SequenceStep {
  readonly attack: Attack;
  readonly opts: AttackOptions;
}

/** What one attack of a sequence did. */
export interface SequenceRun {
  readonly name: AttackName;
  /** The points it was asked to attack (clean-correct; in a sequential run also still robust). */
  readonly attacked: Uint8Array;
  /** Whether it ran: false when no point was left to attack (then `result` is empty: nothing fooled). */
  readonly ran: boolean;
  readonly result: AttackResult;
  /** Per sample: attacked and fooled. */
  readonly fooled: Uint8Array;
}

export interface SequenceOptions {
  /** Each attack sees only the points still robust after the ones before it (AutoAttack); else every clean-correct point. */
  readonly sequential: boolean;
  /** Stop as soon as no point is left robust (AutoAttack); else later attacks get an empty run each. */
  readonly stopWhenNoneRobust?: boolean;
  /**
   * Keep only the per-point numbers of each run: its `result.adversarial` becomes the originals once the
   * worst case has taken what it needs (bounds memory to one adversarial set per sequence).
   */
  readonly dropAdversarial?: boolean;
  /** Called after each attack, also one that had nothing to attack. */
  readonly onRunEnd?: (run: SequenceRun, index: number) => void;
}

export interface SequenceOutcome {
  readonly runs: SequenceRun[];
  /** Per sample: clean-correct and no attack fooled it. */
  readonly robust: Uint8Array;
  /** Which run fooled each sample first (−1: none, or a clean error). */
  readonly fooledBy: Int32Array;
  /** Worst case per sample: the first successful adversarial example, or the original. */
  readonly adversarial: Float32Array;
}

/** What an attack that had nothing to attack returns: the originals, nothing fooled, no queries. */
export function emptyAttackResult(name: AttackName, x: Tensor, opts: AttackOptions): AttackResult {
  const n = x.shape[0] ?? 0;
  return {
    name,
    norm: opts.norm,
    eps: opts.eps,
    adversarial: x,
    fooled: new Uint8Array(n),
    perturbation: new Float32Array(n),
    queries: new Float32Array(n),
    seconds: 0,
  };
}

/**
 * The one loop behind `runAutoAttack`, `evaluate` and the CLI: attacks one after another at one ε, the worst
 * case per sample (a point is robust only if no attack fooled it), and the first adversarial example found.
 */
export async function runSequence(
  model: Classifier,
  x: Tensor,
  y: Int32Array,
  cleanCorrect: Uint8Array,
  steps: readonly SequenceStep[],
  opts: SequenceOptions,
): Promise<SequenceOutcome> {
  const n = y.length;
  const d = n === 0 ? 0 : x.data.length / n;
  const robust = Uint8Array.from(cleanCorrect);
  const fooledBy = new Int32Array(n).fill(-1);
  const adversarial = Float32Array.from(x.data);
  const runs: SequenceRun[] = [];
  for (const { attack, opts: attackOpts } of steps) {
    const anyRobust = robust.some((v) => v === 1);
    if (opts.stopWhenNoneRobust && !anyRobust) break;
    const attacked = Uint8Array.from(opts.sequential ? robust : cleanCorrect);
    const ran = attacked.some((v) => v === 1);
    const result = ran
      ? await attack.run(model, x, y, attackOpts, Uint8Array.from(attacked))
      : emptyAttackResult(attack.name, x, attackOpts);
    const fooled = new Uint8Array(n);
    for (let i = 0; i < n; i++) fooled[i] = attacked[i] === 1 && result.fooled[i] === 1 ? 1 : 0;
    for (let i = 0; i < n; i++) {
      if (fooled[i] !== 1 || robust[i] !== 1) continue;
      robust[i] = 0;
      fooledBy[i] = runs.length;
      adversarial.set(result.adversarial.data.subarray(i * d, (i + 1) * d), i * d);
    }
    const kept = opts.dropAdversarial ? { ...result, adversarial: x } : result;
    const run: SequenceRun = { name: attack.name, attacked, ran, result: kept, fooled };
    runs.push(run);
    opts.onRunEnd?.(run, runs.length - 1);
  }
  return { runs, robust, fooledBy, adversarial };
}

export async function runAutoAttack(
  model: Classifier,
  x: Tensor,
  y: Int32Array,
  opts: AutoAttackOptions,
): Promise<AutoAttackResult> {
  const started = performance.now();
  const base: AttackOptions = { norm: opts.norm, eps: opts.eps, seed: opts.seed };
  const _d = validate(
    model,
    x,
    y,
    { ...base, ...(opts.batchSize ? { batchSize: opts.batchSize } : {}) },
    {
      name: 'apgd-ce',
      needsGradients: false,
    },
  );
  const _n = y.length;
  const k = model.profile.numClasses;
  const batchSize = opts.batchSize ?? 256;
  const clean = await predictClasses(model, x, batchSize);
  const cleanCorrect = Uint8Array.from(clean, (p, i) => (p === y[i] ? 1 : 0));
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
  const steps = sequence.map((name) => ({
    attack: (ATTACKS as Partial<Record<AttackName, Attack>>)[name]!,
    opts: {
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
    } satisfies AttackOptions,
  }));
  const out = await runSequence(model, x, y, cleanCorrect, steps, {
    sequential: true,
    stopWhenNoneRobust: true,
  });
  return {
    norm: opts.norm,
    eps: opts.eps,
    ran: out.runs.map((r) => r.name),
    skipped,
    results: out.runs.map((r) => r.result),
    cleanCorrect,
    robust: out.robust,
    fooledBy: Int8Array.from(out.fooledBy),
    adversarial: { data: out.adversarial, shape: [...x.shape] },
    seconds: (performance.now() - started) / 1000,
  };
}

function isWhiteBox(name: AttackName): boolean {
  return name !== 'square' && name !== 'hsj';
}
