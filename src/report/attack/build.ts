import { runStats } from '../../attacks/summary.js';
import type { AttackName, AttackResult, Norm } from '../../attacks/types.js';
import type { AttackCurve, AttackEntry } from './types.js';

/** One attack run at one ε over the whole dataset, as the command collected it. */
export interface AttackRun {
  readonly name: AttackName;
  readonly norm: Norm;
  readonly eps: number;
  /** The points it was asked to attack (correct, and in a preset still robust). */
  readonly active: Uint8Array;
  readonly result: Pick<AttackResult, 'fooled' | 'perturbation' | 'queries' | 'seconds'>;
}

/** Per point: robust before this run (by default: correct on clean data) and not fooled by it. */
export function robustMask(run: AttackRun, before: Uint8Array): Uint8Array {
  const out = new Uint8Array(before.length);
  for (let i = 0; i < out.length; i++) out[i] = before[i] === 1 && run.result.fooled[i] !== 1 ? 1 : 0;
  return out;
}

function fraction(mask: Uint8Array): number {
  if (mask.length === 0) return 0;
  let n = 0;
  for (const v of mask) n += v;
  return n / mask.length;
}

/**
 * The report row of one run: robust accuracy over all points, success rate over the attacked ones.
 * `before` is what was robust when it started (a preset's earlier attacks); by default `correct`.
 */
export function entryOf(run: AttackRun, correct: Uint8Array, before: Uint8Array = correct): AttackEntry {
  const robust = robustMask(run, before);
  const st = runStats(run.result, run.active);
  return {
    name: run.name,
    norm: run.norm,
    eps: run.eps,
    robustAccuracy: fraction(robust),
    successRate: st.attacked === 0 ? 0 : st.fooled / st.attacked,
    meanPerturbation: st.meanPerturbation,
    medianPerturbation: st.medianPerturbation,
    queries: st.queries,
    attacked: st.attacked,
    fooled: st.fooled,
    seconds: run.result.seconds,
  };
}

/** Rows of every run; in a sequence (preset) robust accuracy accumulates over the runs at one ε. */
export function entriesOf(
  runs: readonly AttackRun[],
  correct: Uint8Array,
  sequential: boolean,
): AttackEntry[] {
  const before = new Map<number, Uint8Array>();
  return runs.map((run) => {
    const start = sequential ? (before.get(run.eps) ?? correct) : correct;
    before.set(run.eps, robustMask(run, start));
    return entryOf(run, correct, start);
  });
}

/** Per ε, per point: robust against every run at that ε (worst case per sample). */
export function worstCaseMasks(
  eps: readonly number[],
  runs: readonly AttackRun[],
  correct: Uint8Array,
): Uint8Array[] {
  return eps.map((e) => {
    const mask = Uint8Array.from(correct);
    for (const run of runs) {
      if (run.eps !== e) continue;
      for (let i = 0; i < mask.length; i++) if (run.result.fooled[i] === 1) mask[i] = 0;
    }
    return mask;
  });
}

/** Robust accuracy worst case over every run and every ε: a point counts only if nothing fooled it. */
export function overallRobustAccuracy(masks: readonly Uint8Array[], correct: Uint8Array): number {
  const all = Uint8Array.from(correct);
  for (const m of masks) for (let i = 0; i < all.length; i++) if (m[i] !== 1) all[i] = 0;
  return fraction(all);
}

/** The accuracy-versus-ε curve: clean, worst case, and one line per attack name. */
export function curveOf(
  eps: readonly number[],
  entries: readonly AttackEntry[],
  masks: readonly Uint8Array[],
  cleanAccuracy: number,
): AttackCurve {
  const names = [...new Set(entries.map((e) => e.name))];
  return {
    eps,
    clean: cleanAccuracy,
    worstCase: masks.map(fraction),
    attacks: names.map((name) => ({
      name,
      // In a preset an attack may not run at some ε (nothing left robust): it changes nothing there.
      robustAccuracy: eps.map((e, k) => {
        const row = entries.find((x) => x.name === name && x.eps === e);
        return row ? row.robustAccuracy : fraction(masks[k] ?? new Uint8Array());
      }),
    })),
  };
}

export { fraction as maskFraction };
