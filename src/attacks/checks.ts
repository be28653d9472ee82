/**
 * AutoAttack's sanity checks (fra31/auto-attack `checks.py`, robustness.md §B.3) as report warnings:
 * softmax outputs, zero gradients, randomised outputs, black-box attacks stronger than white-box ones
 * (gradient masking), inputs outside [clipMin, clipMax].
 */
import type { Classifier, Dataset } from '../ml/types.js';
import type { AttackSummary } from './summary.js';
import type { AttackName } from './types.js';

export type CheckCode =
  | 'softmax-output'
  | 'zero-gradients'
  | 'randomised-output'
  | 'black-box-stronger'
  | 'input-range';

export interface CheckWarning {
  readonly code: CheckCode;
  readonly message: string;
  /** The measured quantity (share of samples, largest difference, success rates …). */
  readonly value?: number;
}

export interface CheckOptions {
  /** Samples used for the model checks (the first ones of the dataset). */
  readonly samples?: number;
  /** Repeated predictions for the randomisation check. */
  readonly repeats?: number;
}

export const CHECK_DEFAULTS = { samples: 100, repeats: 5 } as const;

const WHITE_BOX: readonly AttackName[] = ['fgsm', 'bim', 'pgd', 'apgd-ce', 'apgd-t', 'fab-t'];
const BLACK_BOX: readonly AttackName[] = ['square', 'hsj'];

/** Checks that need the model and the data: softmax, zero gradients, randomness, input range. */
export async function checkModel(
  model: Classifier,
  data: Dataset,
  opts: CheckOptions = {},
): Promise<CheckWarning[]> {
  const warnings: CheckWarning[] = [];
  const n = data.y.length;
  const d = n === 0 ? 0 : data.x.data.length / n;
  const { clipMin, clipMax, numClasses: k } = model.profile;

  let outside = 0;
  for (const v of data.x.data) if (!(v >= clipMin && v <= clipMax)) outside++;
  if (outside > 0) {
    warnings.push({
      code: 'input-range',
      message: `${outside} input values lie outside the model's range [${clipMin}, ${clipMax}]; attacks clip to that range`,
      value: outside,
    });
  }
  const m = Math.min(n, opts.samples ?? CHECK_DEFAULTS.samples);
  if (m === 0) return warnings;
  const x = { data: data.x.data.slice(0, m * d), shape: [m, ...data.x.shape.slice(1)] };
  const labels = data.y.slice(0, m);

  const first = await model.predict(x);
  let probabilities = model.profile.softmaxOutput;
  if (!probabilities) {
    probabilities = true;
    for (let i = 0; i < m && probabilities; i++) {
      let sum = 0;
      for (let j = 0; j < k; j++) {
        const v = first[i * k + j]!;
        if (!(v >= 0 && v <= 1)) probabilities = false;
        sum += v;
      }
      if (Math.abs(sum - 1) > 1e-4) probabilities = false;
    }
  }
  if (probabilities) {
    warnings.push({
      code: 'softmax-output',
      message:
        'the model outputs probabilities (rows in [0,1] summing to 1), not logits; CE gradients vanish on saturated softmax, so white-box results may overstate robustness',
    });
  }

  let maxDiff = 0;
  let scale = 0;
  for (const v of first) scale = Math.max(scale, Math.abs(v));
  for (let r = 1; r < (opts.repeats ?? CHECK_DEFAULTS.repeats); r++) {
    const again = await model.predict(x);
    for (let j = 0; j < first.length; j++) maxDiff = Math.max(maxDiff, Math.abs(again[j]! - first[j]!));
  }
  if (maxDiff > 1e-6 * (1 + scale)) {
    warnings.push({
      code: 'randomised-output',
      message: `repeated predictions of the same inputs differ (max |Δlogit| ${maxDiff.toPrecision(3)}); the model looks randomised, so use EoT-style attacks (AutoAttack "rand") before trusting robust accuracy`,
      value: maxDiff,
    });
  }

  if (model.capabilities.lossGradient) {
    const { grad } = await model.lossGradient(x, labels, { kind: 'ce' });
    let zero = 0;
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Math.abs(grad[i * d + j]!);
      if (s === 0) zero++;
    }
    if (zero > 0) {
      warnings.push({
        code: 'zero-gradients',
        message: `${zero} of ${m} samples have an all-zero loss gradient; gradient-based attacks cannot move them (possible gradient masking)`,
        value: zero / m,
      });
    }
  }
  return warnings;
}

/** Black-box stronger than white-box at the same ε and norm: a sign of gradient masking. */
export function checkAttackSummaries(summaries: readonly AttackSummary[]): CheckWarning[] {
  const warnings: CheckWarning[] = [];
  const keys = new Set(summaries.map((s) => `${s.norm}|${s.eps}`));
  for (const key of keys) {
    const same = summaries.filter((s) => `${s.norm}|${s.eps}` === key && s.preset === undefined);
    const white = same.filter((s) => WHITE_BOX.includes(s.name));
    const black = same.filter((s) => BLACK_BOX.includes(s.name));
    const wb =
      white.length === 0 ? undefined : white.reduce((a, s) => (s.successRate > a.successRate ? s : a));
    const bb =
      black.length === 0 ? undefined : black.reduce((a, s) => (s.successRate > a.successRate ? s : a));
    if (wb && bb && bb.successRate > wb.successRate) {
      const [norm, eps] = key.split('|');
      warnings.push({
        code: 'black-box-stronger',
        message: `at ${norm} ε=${eps} the black-box ${bb.name} fools ${(100 * bb.successRate).toFixed(1)}% but the best white-box attack (${wb.name}) only ${(100 * wb.successRate).toFixed(1)}%: gradients are likely masked`,
        value: bb.successRate - wb.successRate,
      });
    }
    // In the AutoAttack preset (fra31's check_square_sr): Square lowers robust accuracy by more than 0.2
    // points after the white-box attacks had their go.
    const preset = summaries.filter((s) => `${s.norm}|${s.eps}` === key && s.preset === 'autoattack');
    const sq = preset.find((s) => s.name === 'square');
    const before = preset.filter((s) => WHITE_BOX.includes(s.name));
    if (sq && before.length > 0) {
      const acc = Math.min(...before.map((s) => s.robustAccuracy));
      if (sq.robustAccuracy < acc - 0.002) {
        warnings.push({
          code: 'black-box-stronger',
          message: `AutoAttack at ${sq.norm} ε=${sq.eps}: Square lowered robust accuracy from ${(100 * acc).toFixed(2)}% to ${(100 * sq.robustAccuracy).toFixed(2)}% after the white-box attacks: gradients are likely masked`,
          value: acc - sq.robustAccuracy,
        });
      }
    }
  }
  return warnings;
}
