/** Named limits and defaults of Neural Cleanse (robustness.md §B.7). */

export const BACKDOOR_LIMITS = {
  /** Optimisation steps (mini-epochs) per class; each step is `samples / batch` gradient calls (CWE-400). */
  maxSteps: 10_000,
  /** Samples per gradient call. */
  maxBatch: 1024,
  /** Clean samples drawn per step (the paper's mini-epoch); more are ignored. */
  maxSamples: 100_000,
  /** Candidate target classes examined in one run (CWE-400: each costs a full optimisation). */
  maxClasses: 1000,
  /** Values in one input sample; the mask and pattern are kept in Float64 of this size (CWE-789). */
  maxInputValues: 4 * 1024 * 1024,
} as const;

/**
 * The paper's hyperparameters (bolunwang/backdoor visualizer.py and gtsrb_visualize_example.py) except
 * `steps`: the paper allows 1000 mini-epochs and relies on early stopping; 200 is the default here because
 * on the 8×8 digits fixtures every class stops early (or settles) well before it, and a run of 10 classes then
 * takes seconds instead of minutes. `--steps 1000` restores the paper's bound.
 */
export const NC_DEFAULTS = {
  steps: 200,
  batch: 32,
  /** Samples per mini-epoch (NB_SAMPLE). */
  samples: 1000,
  lr: 0.1,
  beta1: 0.5,
  beta2: 0.9,
  adamEpsilon: 1e-8,
  initCost: 1e-3,
  costMultiplierUp: 2,
  costMultiplierDown: 2 ** 1.5,
  patience: 5,
  earlyStopPatience: 25,
  earlyStopThreshold: 1.0,
  attackSuccessThreshold: 0.99,
  /** MAD consistency constant (normal data) and the anomaly-index cut. */
  consistency: 1.4826,
  anomalyThreshold: 2,
  seed: 0,
} as const;
