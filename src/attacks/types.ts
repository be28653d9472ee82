import type { Classifier, Tensor } from '../ml/types.js';

export type Norm = 'linf' | 'l2';

export type AttackName = 'fgsm' | 'bim' | 'pgd' | 'apgd-ce' | 'apgd-t' | 'fab-t' | 'square' | 'hsj';

/** Options every attack understands; attacks ignore what does not apply to them. */
export interface AttackOptions {
  readonly norm: Norm;
  readonly eps: number;
  /** Iterations (PGD/BIM/APGD/FAB) or iterations of the outer loop (HSJ). */
  readonly steps?: number;
  /** Step size α (PGD/BIM); default from the attack's protocol (e.g. 2.5·ε/steps). */
  readonly stepSize?: number;
  readonly randomStart?: boolean;
  readonly restarts?: number;
  /** Query budget per sample (Square, HSJ). */
  readonly queries?: number;
  /** Seed of every random choice; the same seed gives the same result. */
  readonly seed: number;
  /** Batch size for model calls. */
  readonly batchSize?: number;
  /** Progress callback: samples done of total. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Result of one attack over a set of samples. */
export interface AttackResult {
  readonly name: AttackName;
  readonly norm: Norm;
  readonly eps: number;
  /** Adversarial examples `[N, ...]` (the original where the attack failed or did not run). */
  readonly adversarial: Tensor;
  /** Per sample: the model's prediction on the adversarial example is wrong (or was wrong already). */
  readonly fooled: Uint8Array;
  /** Per sample: the norm of the perturbation actually applied (0 where unchanged). */
  readonly perturbation: Float32Array;
  /** Model queries per sample spent by the attack (forward + gradient). */
  readonly queries: Float32Array;
  readonly seconds: number;
}

/** An attack: runs on a batch of samples with true labels; `active` marks the samples to attack. */
export interface Attack {
  readonly name: AttackName;
  /** Which classifier capabilities it needs (black-box attacks need none). */
  readonly needsGradients: boolean;
  run(
    model: Classifier,
    x: Tensor,
    y: Int32Array,
    opts: AttackOptions,
    active?: Uint8Array,
  ): Promise<AttackResult>;
}
