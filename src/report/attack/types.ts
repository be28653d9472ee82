import type { AttackSummary } from '../../attacks/summary.js';
import type { AttackName, Norm } from '../../attacks/types.js';

/** One sanity-check or fallback warning (AutoAttack-style checks, gradients unavailable, input range). */
export interface AttackWarning {
  /** Stable identifier, e.g. `gradients-unavailable`, `zero-gradients`, `softmax-output`. */
  readonly code: string;
  readonly message: string;
}

/** What was attacked. */
export interface AttackModelInfo {
  readonly path: string;
  readonly sha256: string;
  readonly format: 'onnx' | 'tfjs';
  /** One sample in attack space, without the batch dimension. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly layout: 'NCHW' | 'NHWC' | 'flat';
  /** The model ends in a Softmax (its outputs are probabilities). */
  readonly softmaxOutput: boolean;
  /** That trailing Softmax was removed so attacks see logits. */
  readonly removedSoftmax: boolean;
  /** White-box attacks could use input gradients. */
  readonly gradients: boolean;
  /** Why not, when they could not (e.g. the unsupported operator and node). */
  readonly gradientUnavailable?: string;
}

/** One attack at one ε: the library's per-attack summary (attacks/summary.ts), without the preset tag. */
export type AttackEntry = Omit<AttackSummary, 'preset'>;

/** Robust accuracy against ε: one value per ε in `eps` order. */
export interface AttackCurve {
  readonly eps: readonly number[];
  readonly clean: number;
  /** Worst case per sample over every attack run at that ε. */
  readonly worstCase: readonly number[];
  readonly attacks: readonly { readonly name: AttackName; readonly robustAccuracy: readonly number[] }[];
}

/** A preset (`--preset autoattack`): exactly what it ran, and what it did not and why. */
export interface AttackPreset {
  readonly name: 'autoattack';
  readonly version: 'standard';
  readonly ran: readonly AttackName[];
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
}

/** The settings every attack was given (defaults resolved where the command knows them). */
export interface AttackSettings {
  readonly steps?: number;
  readonly stepSize?: number;
  readonly randomStart?: boolean;
  readonly restarts?: number;
  readonly queries?: number;
  readonly batchSize: number;
}

/** The result of `modelguard attack`: what the JSON output holds (schemas/attack.schema.json). */
export interface AttackReport {
  readonly tool: { readonly name: 'modelguard'; readonly version: string };
  readonly model: AttackModelInfo;
  readonly data: {
    readonly path: string;
    readonly samples: number;
    readonly classNames?: readonly string[];
  };
  readonly seed: number;
  readonly norm: Norm;
  readonly eps: readonly number[];
  readonly preset: AttackPreset | null;
  readonly settings: AttackSettings;
  readonly cleanAccuracy: number;
  /** Worst case per sample over every attack and ε run, over all points; clean errors are not robust. */
  readonly robustAccuracy: number;
  readonly attacks: readonly AttackEntry[];
  readonly curve: AttackCurve;
  readonly warnings: readonly AttackWarning[];
  /** Where `--save-adversarial` wrote the adversarial examples, or null. */
  readonly adversarialFile: string | null;
  readonly failUnder: number | null;
  readonly durationMs: number;
}

/** One example image for the HTML report: an original, its adversarial twin and the predictions. */
export interface AttackExample {
  readonly index: number;
  readonly label: number;
  readonly cleanPrediction: number;
  readonly adversarialPrediction: number;
  readonly attack: AttackName;
  readonly eps: number;
  /** One sample each, in attack space (`model.inputShape`), values in [clipMin, clipMax]. */
  readonly original: Float32Array;
  readonly adversarial: Float32Array;
}
