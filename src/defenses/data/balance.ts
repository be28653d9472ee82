/** Class balance and per-class statistics. */
import type { Matrix } from './matrix.js';
import type { ClassStats } from './types.js';

export function classStats(
  y: Int32Array,
  k: number,
  names: readonly string[] | undefined,
  features: Matrix | undefined,
  suspectLabels: Iterable<number>,
): { classes: ClassStats[]; imbalanceRatio: number; emptyClasses: number[] } {
  const count = new Float64Array(k);
  const normSum = new Float64Array(k);
  for (let i = 0; i < y.length; i++) {
    count[y[i]!]!++;
    if (features === undefined) continue;
    let s = 0;
    const o = i * features.d;
    for (let j = 0; j < features.d; j++) s += features.data[o + j]! * features.data[o + j]!;
    normSum[y[i]!]! += Math.sqrt(s);
  }
  const suspects = new Float64Array(k);
  for (const l of suspectLabels) suspects[l]!++;
  const classes = Array.from(count, (c, j) => ({
    index: j,
    name: names?.[j] ?? String(j),
    count: c,
    share: y.length > 0 ? c / y.length : 0,
    meanNorm: c > 0 ? normSum[j]! / c : 0,
    suspects: suspects[j]!,
  }));
  const nonEmpty = classes.filter((c) => c.count > 0).map((c) => c.count);
  return {
    classes,
    imbalanceRatio: nonEmpty.length > 0 ? Math.max(...nonEmpty) / Math.min(...nonEmpty) : 0,
    emptyClasses: classes.filter((c) => c.count === 0).map((c) => c.index),
  };
}
