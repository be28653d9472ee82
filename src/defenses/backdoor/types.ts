/** Options and results of Neural Cleanse (robustness.md §B.7). */

/** How the mask (H×W, shared over channels) and the pattern (C×H×W) sit in one sample. */
export interface TriggerGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Layout of one sample in attack space: NCHW = [C,H,W], NHWC = [H,W,C]; flat samples are one channel. */
  readonly layout: 'NCHW' | 'NHWC';
}

/** A reversed trigger: `x' = (1 − mask) ⊙ x + mask ⊙ pattern`. */
export interface Trigger {
  /** `[H·W]` in [0, 1], row-major. */
  readonly mask: Float32Array;
  /** One sample in attack space (the layout of `geometry`), values in the clip range. */
  readonly pattern: Float32Array;
}

export interface NeuralCleanseOptions {
  /** Candidate target classes (default: every class of the model). */
  readonly classes?: readonly number[];
  /** Mini-epochs per class (default NC_DEFAULTS.steps). */
  readonly steps?: number;
  /** Samples per gradient call (default 32). */
  readonly batch?: number;
  /** Samples per mini-epoch (default 1000, at most the dataset). */
  readonly samples?: number;
  /** Seed of the initial mask and pattern and of the batch order (default 0). */
  readonly seed?: number;
  /** Stamp each flagged class's trigger on clean inputs of the other classes and measure the success rate. */
  readonly checkAsr?: boolean;
  /** Called after each mini-epoch. */
  readonly onProgress?: (p: { classIndex: number; classes: number; target: number; step: number }) => void;
}

/** What the optimisation found for one candidate target class. */
export interface ClassTrigger {
  readonly class: number;
  /** L1 norm of the kept mask (the smallest one reaching the success threshold, else the last one). */
  readonly maskL1: number;
  /** |maskL1 − median| / MAD. */
  readonly anomalyIndex: number;
  /** Attack success (share classified as the class) of the kept trigger on its mini-epoch. */
  readonly success: number;
  /** The kept trigger reached the success threshold (0.99). */
  readonly reached: boolean;
  readonly flagged: boolean;
  /** Mini-epochs run (fewer than the limit when early stopping ended it). */
  readonly steps: number;
  readonly earlyStopped: boolean;
  /** λ when the optimisation ended. */
  readonly cost: number;
  /** Share of clean inputs of other classes sent to this class by its stamped trigger (checkAsr, flagged). */
  readonly asr?: number;
  readonly trigger: Trigger;
}

export interface NeuralCleanseResult {
  readonly geometry: TriggerGeometry;
  readonly classes: readonly ClassTrigger[];
  /** Flagged classes, ascending. */
  readonly flagged: readonly number[];
  readonly median: number;
  /** 1.4826 · median |L1 − median|. */
  readonly mad: number;
  readonly threshold: number;
  /** Samples per mini-epoch actually used. */
  readonly samples: number;
  readonly settings: {
    readonly steps: number;
    readonly batch: number;
    readonly seed: number;
  };
  readonly seconds: number;
  /** Things the reader should know (MAD of zero, too few classes, a class never reached). */
  readonly warnings: readonly string[];
}
