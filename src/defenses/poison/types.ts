/** Results and options of the backdoor-poisoning detectors (robustness.md §B.8–B.9). */

export type PoisonDetectorName = 'spectral' | 'spectral-whitened' | 'activation-clustering';

export const POISON_DETECTORS: readonly PoisonDetectorName[] = [
  'spectral',
  'spectral-whitened',
  'activation-clustering',
];

/** One flagged training sample. */
export interface PoisonSuspect {
  /** Index into the dataset. */
  readonly index: number;
  /** The detectors that flagged it. */
  readonly reasons: readonly PoisonDetectorName[];
  /** The highest score any detector gave it (each detector's own scale, ≥ 0; larger is more suspicious). */
  readonly score: number;
}

/** What one detector decided about one labelled class. */
export interface PoisonClassSummary {
  readonly label: number;
  readonly size: number;
  readonly flagged: number;
  /** The detector's class statistic: the trimmed gap (spectral-whitened), the silhouette (clustering). */
  readonly statistic?: number;
  /** The share of the class in the smaller part (spectral-whitened, clustering). */
  readonly smallerShare?: number;
  /** Why the class was not examined (too few samples, no variance). */
  readonly skipped?: string;
}

export interface PoisonDetectorSummary {
  readonly detector: PoisonDetectorName;
  readonly flagged: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  readonly classes: readonly PoisonClassSummary[];
  /** Per-sample scores for every sample of every examined class (0 where not examined). */
  readonly scores: Float64Array;
  /** Indices this detector flags, ascending. */
  readonly indices: readonly number[];
}

export interface PoisonReport {
  /** The layer whose activations were used, when they came from a classifier. */
  readonly layer?: string;
  readonly features: number;
  readonly suspects: readonly PoisonSuspect[];
  readonly detectors: readonly PoisonDetectorSummary[];
}

/** Settings of the detectors; every field has a documented default. */
export interface PoisonOptions {
  /** Tensor whose activations to use (default: found in `model` as `layerChoice` says). */
  readonly layer?: string;
  /** The ONNX model bytes, to find the layer when `layer` is not given. */
  readonly model?: Uint8Array;
  /**
   * Which layer to find (default 'head-input': the input of the classifier head's first linear layer when the
   * head has two or more, else the penultimate layer; 'penultimate': the input of the last linear layer).
   */
  readonly layerChoice?: 'head-input' | 'penultimate';
  /** Which detectors to run (default all three). */
  readonly detectors?: readonly PoisonDetectorName[];
  /** Spectral (paper form): assumed upper bound on the poisoned share of a class (default 0.33, ART's). */
  readonly eps?: number;
  /** Spectral (paper form): remove the top `epsMultiplier · eps · n` of each class (default 1.5). */
  readonly epsMultiplier?: number;
  /** Spectral-whitened: flag a class when its trimmed gap (in standard deviations) is at least this (0.5). */
  readonly gapThreshold?: number;
  /** Spectral-whitened: share of each side ignored next to the split when measuring the gap (0.02). */
  readonly gapTrim?: number;
  /** Spectral-whitened: ridge added to the pooled covariance, relative to its mean variance (0.01). */
  readonly ridge?: number;
  /** Activation clustering: dimensions kept by PCA (10), clusters (2). */
  readonly clusteringDims?: number;
  /** Activation clustering rule (default 'relative-size'; ART's default is 'smaller'). */
  readonly clusteringRule?: 'smaller' | 'relative-size' | 'silhouette';
  /** Activation clustering: a cluster is poison when its share of the class is below this (0.35). */
  readonly sizeThreshold?: number;
  /** Activation clustering 'silhouette' rule: and the class silhouette is above this (0.1). */
  readonly silhouetteThreshold?: number;
  /** Activation clustering: cluster the pooled-whitened activations instead of the raw ones (false). */
  readonly clusteringWhiten?: boolean;
  /** Seed of every random choice (k-means++ initialisation, silhouette subsampling). Default 0. */
  readonly seed?: number;
}
