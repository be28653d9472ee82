/**
 * Out-of-sample class probabilities by stratified k-fold cross-validation: each class's samples are
 * shuffled (seeded) and dealt round-robin to the folds; a logistic regression trained on the other folds
 * predicts each fold.
 */
import { Rng } from '../../attacks/rng.js';
import { fitLogReg, type LogRegOptions, predictProba } from './logreg.js';
import { type Matrix, takeRows } from './matrix.js';

/** Fold index of each sample; every class is spread evenly over the folds. */
export function stratifiedFolds(y: Int32Array, k: number, folds: number, seed: number): Int32Array {
  const rng = new Rng(seed);
  const fold = new Int32Array(y.length);
  const byClass: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < y.length; i++) byClass[y[i]!]!.push(i);
  let offset = 0;
  for (const members of byClass) {
    for (let i = members.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [members[i], members[j]] = [members[j]!, members[i]!];
    }
    // Continue the deal where the previous class stopped, so small classes do not all land in fold 0.
    members.forEach((idx, r) => {
      fold[idx] = (offset + r) % folds;
    });
    offset = (offset + members.length) % folds;
  }
  return fold;
}

/** `[n, k]` probabilities, each row predicted by a model that did not see that sample. */
export function outOfSampleProbabilities(
  x: Matrix,
  y: Int32Array,
  k: number,
  folds: number,
  seed: number,
  options: LogRegOptions = {},
): Float64Array {
  const fold = stratifiedFolds(y, k, folds, seed);
  const probs = new Float64Array(x.n * k);
  for (let f = 0; f < folds; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < x.n; i++) (fold[i] === f ? test : train).push(i);
    if (test.length === 0) continue;
    const model = fitLogReg(
      takeRows(x, train),
      Int32Array.from(train, (i) => y[i]!),
      k,
      options,
    );
    const p = predictProba(model, takeRows(x, test));
    test.forEach((i, r) => {
      probs.set(p.subarray(r * k, (r + 1) * k), i * k);
    });
  }
  return probs;
}
