/** Helpers for the poisoning-detector tests and bench: fixture paths, ground truth, precision/recall. */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const POISON_FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'poison');

export interface PoisonSetMeta {
  readonly target: number;
  readonly train: string;
  readonly model: string;
  readonly poisonIndices: readonly number[];
  readonly epsClass: number;
  /** Trigger pixels [row, column] of the 8×8 image. */
  readonly pixels: readonly (readonly [number, number])[];
}

export function poisonMeta(): {
  sets: Partial<Record<string, PoisonSetMeta>> & Record<'badnets', PoisonSetMeta>;
  clean: { model: string };
} {
  return JSON.parse(readFileSync(join(POISON_FIXTURES, 'poison_indices.json'), 'utf8'));
}

/** Precision and recall of flagged indices against the ground truth, over the whole training set. */
export function precisionRecall(
  flagged: readonly number[],
  truth: readonly number[],
): { tp: number; fp: number; fn: number; precision: number; recall: number } {
  const t = new Set(truth);
  const tp = flagged.filter((i) => t.has(i)).length;
  const fp = flagged.length - tp;
  const fn = truth.length - tp;
  return {
    tp,
    fp,
    fn,
    precision: flagged.length ? tp / flagged.length : 0,
    recall: truth.length ? tp / truth.length : 0,
  };
}
