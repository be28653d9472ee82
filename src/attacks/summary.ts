/** Per-attack numbers for the report and the CLI's JSON (what `evaluate` produces). */
import type { AttackName, AttackResult, Norm } from './types.js';

export interface AttackSummary {
  readonly name: AttackName;
  /** Set when the attack ran as part of a preset (then it saw only the points still robust). */
  readonly preset?: 'autoattack';
  readonly norm: Norm;
  readonly eps: number;
  /**
   * Share of all points classified correctly and not fooled by this attack (clean errors count as not
   * robust). In a preset the attacks run in sequence on the points still robust, so this is cumulative.
   */
  readonly robustAccuracy: number;
  /** Share of the attacked points (clean-correct, still robust in a preset) the attack fooled within ε. */
  readonly successRate: number;
  /** Mean perturbation norm (in `norm`) over the points it fooled; 0 when it fooled none. */
  readonly meanPerturbation: number;
  /** Median of the same (what HSJ is judged by, robustness.md §B.5). */
  readonly medianPerturbation: number;
  /** Mean model queries per attacked point (forward + gradient). */
  readonly queries: number;
  readonly seconds: number;
  /** Points attacked, and fooled within ε. */
  readonly attacked: number;
  readonly fooled: number;
}

/** Counts and perturbation statistics of one run over the points it attacked (means over the fooled ones). */
export interface RunStats {
  readonly attacked: number;
  readonly fooled: number;
  /** Mean model queries per attacked point. */
  readonly queries: number;
  readonly meanPerturbation: number;
  readonly medianPerturbation: number;
}

export function runStats(
  result: Pick<AttackResult, 'fooled' | 'perturbation' | 'queries'>,
  attacked: ArrayLike<number>,
): RunStats {
  let count = 0;
  let queries = 0;
  const norms: number[] = [];
  for (let i = 0; i < attacked.length; i++) {
    if (attacked[i] !== 1) continue;
    count++;
    queries += result.queries[i] ?? 0;
    if (result.fooled[i] === 1) norms.push(result.perturbation[i] ?? 0);
  }
  norms.sort((a, b) => a - b);
  const mid = norms.length >> 1;
  const median =
    norms.length === 0 ? 0 : norms.length % 2 ? norms[mid]! : (norms[mid - 1]! + norms[mid]!) / 2;
  return {
    attacked: count,
    fooled: norms.length,
    queries: count === 0 ? 0 : queries / count,
    meanPerturbation: norms.length === 0 ? 0 : norms.reduce((x, v) => x + v, 0) / norms.length,
    medianPerturbation: median,
  };
}

export function summarise(
  result: AttackResult,
  attacked: Uint8Array,
  robustAfter: Uint8Array,
  preset?: 'autoattack',
): AttackSummary {
  const n = attacked.length;
  const st = runStats(result, attacked);
  return {
    name: result.name,
    ...(preset ? { preset } : {}),
    norm: result.norm,
    eps: result.eps,
    robustAccuracy: n === 0 ? 0 : robustAfter.reduce((a, v) => a + v, 0) / n,
    successRate: st.attacked === 0 ? 0 : st.fooled / st.attacked,
    meanPerturbation: st.meanPerturbation,
    medianPerturbation: st.medianPerturbation,
    queries: st.queries,
    seconds: result.seconds,
    attacked: st.attacked,
    fooled: st.fooled,
  };
}
