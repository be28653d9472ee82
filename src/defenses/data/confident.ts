/**
 * Confident learning (Northcutt, Jiang & Chuang, JAIR 2021), as cleanlab's defaults do it
 * (`find_label_issues(filter_by="prune_by_noise_rate", frac_noise=1, min_examples_per_class=1)`):
 * per-class thresholds, the calibrated confident joint, then for each off-diagonal cell (given i, true j)
 * the `C[i][j]` samples labelled i with the largest margin `P[x,j] − P[x,i]`; a sample the model predicts
 * as its given label (within 1e-6) is never an issue. Matches cleanlab 2.x (checked against its source on
 * our fixture's probabilities and on synthetic 3–11-class cases). Quality score: self-confidence `P[x, ỹ]`. See robustness.md §B.10.
 */

export interface LabelIssues {
  /** Per-sample flag. */
  readonly issue: Uint8Array;
  /** Self-confidence `P[x, ỹ]` of each sample (low = likely mislabelled). */
  readonly selfConfidence: Float64Array;
  /** Normalised margin `(P[x,ỹ] − max_{k≠ỹ} P[x,k] + 1) / 2`. */
  readonly normalizedMargin: Float64Array;
  /** argmax of P: the suggested label. */
  readonly predicted: Int32Array;
  /** Per-class thresholds t_j. */
  readonly thresholds: Float64Array;
  /** Calibrated confident joint `[given][true]`, rounded (row sums = label counts). */
  readonly confidentJoint: Int32Array;
}

/** numpy's `round`: halves go to the even neighbour. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Rounds each row to integers keeping its rounded total, as cleanlab's `round_preserving_sum`: round each
 * value, then move the ones furthest from their rounding by one until the total matches.
 */
export function roundPreservingRowTotals(m: Float64Array, k: number): Int32Array {
  const out = new Int32Array(k * k);
  for (let r = 0; r < k; r++) {
    const row = Array.from(m.subarray(r * k, (r + 1) * k));
    const ints = row.map(roundHalfEven);
    const diff = roundHalfEven(row.reduce((a, b) => a + b, 0)) - ints.reduce((a, b) => a + b, 0);
    if (diff !== 0) {
      const step = diff > 0 ? 1 : -1;
      // Ties as numpy's stable argsort then reversed for increments: the higher column first when adding.
      const order = row
        .map((_v, c) => c)
        .sort((a, b) => step * (row[b]! - ints[b]! - (row[a]! - ints[a]!)) || step * (b - a));
      for (const c of order.slice(0, Math.min(Math.abs(diff), k))) ints[c]! += step;
    }
    ints.forEach((v, c) => {
      out[r * k + c] = v;
    });
  }
  return out;
}

export function findLabelIssues(probs: Float64Array, y: Int32Array, k: number): LabelIssues {
  const n = y.length;
  const counts = new Float64Array(k);
  const thresholds = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    counts[y[i]!]!++;
    thresholds[y[i]!]! += probs[i * k + y[i]!]!;
  }
  // An empty class gets an unreachable threshold: no sample is confidently in it.
  for (let j = 0; j < k; j++) thresholds[j] = counts[j]! > 0 ? thresholds[j]! / counts[j]! : Infinity;

  const predicted = new Int32Array(n);
  const selfConfidence = new Float64Array(n);
  const normalizedMargin = new Float64Array(n);
  const joint = new Float64Array(k * k); // [given][true]
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let arg = 0;
    let confArg = -1;
    let confident = 0;
    let otherMax = -Infinity;
    for (let c = 0; c < k; c++) {
      const p = probs[o + c]!;
      if (p > probs[o + arg]!) arg = c;
      if (p >= thresholds[c]! - 1e-6) {
        confident++;
        if (confArg < 0 || p > probs[o + confArg]!) confArg = c;
      }
      if (c !== y[i] && p > otherMax) otherMax = p;
    }
    predicted[i] = arg;
    const py = probs[o + y[i]!]!;
    selfConfidence[i] = py;
    normalizedMargin[i] = (py - (k > 1 ? otherMax : 0) + 1) / 2;
    if (confident === 0) continue;
    const guess = confident > 1 ? arg : confArg; // as cleanlab: several confident classes → plain argmax
    joint[y[i]! * k + guess]!++;
  }
  // At least one correctly labelled example per class, then calibrate rows to the label counts.
  for (let j = 0; j < k; j++) joint[j * k + j] = Math.max(1, joint[j * k + j]!);
  let total = 0;
  for (let r = 0; r < k; r++) {
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += joint[r * k + c]!;
    for (let c = 0; c < k; c++) {
      joint[r * k + c] = rowSum > 0 ? (joint[r * k + c]! / rowSum) * counts[r]! : 0;
      total += joint[r * k + c]!;
    }
  }
  if (total > 0) for (let c = 0; c < k * k; c++) joint[c] = (joint[c]! / total) * n;
  const confidentJoint = roundPreservingRowTotals(joint, k);

  const issue = new Uint8Array(n);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) members[y[i]!]!.push(i);
  for (let given = 0; given < k; given++) {
    const idx = members[given]!;
    if (idx.length <= 1) continue; // min_examples_per_class = 1
    for (let truth = 0; truth < k; truth++) {
      if (truth === given) continue;
      const prune = confidentJoint[given * k + truth]!;
      if (prune <= 0) continue;
      const ranked = idx
        .map((i) => ({ i, m: probs[i * k + truth]! - probs[i * k + given]! }))
        .sort((a, b) => b.m - a.m || a.i - b.i);
      for (const { i } of ranked.slice(0, prune)) issue[i] = 1;
    }
  }
  // As cleanlab's `_reduce_issues`: a sample whose given label is the argmax (within 1e-6) is no issue.
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const boosted = probs[o + y[i]!]! + 1e-6;
    let first = true;
    for (let c = 0; c < k && first; c++) {
      const p = c === y[i] ? boosted : probs[o + c]!;
      if (c < y[i]! ? p >= boosted : p > boosted) first = false;
    }
    if (first) issue[i] = 0;
  }
  return { issue, selfConfidence, normalizedMargin, predicted, thresholds, confidentJoint };
}
