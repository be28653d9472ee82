/** Result shape of `runDataChecks` (the model-free checks of `modelguard data`). */
import type { DuplicateGroup } from './duplicates.js';

export type DataCheckName = 'labels' | 'duplicates' | 'outliers' | 'balance';

export const DATA_CHECKS: readonly DataCheckName[] = ['labels', 'duplicates', 'outliers', 'balance'];

/** Why a sample is a suspect. The backdoor detectors add their own names. */
export type SuspectReason =
  | 'label-issue'
  | 'duplicate'
  | 'near-duplicate'
  | 'conflicting-duplicate'
  | 'outlier'
  | 'spectral-signature'
  | 'activation-clustering';

/** One flag raised by one check: the sample, why, and how sure (0–1, higher = more suspicious). */
export interface Flag {
  readonly index: number;
  readonly reason: SuspectReason;
  readonly score: number;
}

/** A sample flagged by one or more checks; `score` is the highest of its flags. */
export interface Suspect {
  readonly index: number;
  readonly label: number;
  readonly reasons: SuspectReason[];
  readonly score: number;
}

interface CheckSummary {
  /** Wall-clock seconds the check took. */
  readonly seconds: number;
  /** Samples this check flagged. */
  readonly flagged: number;
  /** Set when the check could not run on this dataset (and why). */
  readonly skipped?: string;
}

export interface LabelIssue {
  readonly index: number;
  readonly given: number;
  /** The out-of-sample prediction. */
  readonly suggested: number;
  readonly selfConfidence: number;
  readonly normalizedMargin: number;
}

export interface LabelSummary extends CheckSummary {
  readonly parameters: {
    readonly folds: number;
    readonly seed: number;
    readonly model: 'logistic-regression';
    readonly l2: number;
    readonly maxIter: number;
    readonly features: 'embeddings' | 'features' | 'hashed-text' | 'features+hashed-text';
    /** Dimensions the regression saw. */
    readonly dims: number;
    /** Input dimensions before the random projection, when there was one. */
    readonly projectedFrom?: number;
    readonly filter: 'prune_by_noise_rate';
  };
  /** Accuracy of the out-of-sample predictions against the given labels. */
  readonly crossValAccuracy: number;
  readonly thresholds: number[];
  /** Calibrated confident joint `[given][true]`. */
  readonly confidentJoint: number[][];
  /** Flagged samples, lowest self-confidence first. */
  readonly issues: LabelIssue[];
}

export interface DuplicateSummary extends CheckSummary {
  readonly parameters: {
    readonly mode: 'image' | 'text' | 'tabular';
    readonly hammingThreshold?: number;
    readonly jaccardThreshold?: number;
    readonly shingle?: number;
    readonly numPerm?: number;
    readonly roundStep?: number;
  };
  readonly exactGroups: number;
  readonly nearGroups: number;
  /** Groups whose members carry different labels (also in `groups`). */
  readonly conflictingGroups: number;
  /** Groups, at most `maxGroups` of them, conflicting groups first. */
  readonly groups: DuplicateGroup[];
  readonly groupsTruncated: boolean;
}

export interface OutlierSummary extends CheckSummary {
  readonly parameters: {
    readonly method: 'isolation-forest';
    readonly trees: number;
    readonly subsample: number;
    readonly seed: number;
    readonly threshold: number | null;
    readonly contamination: number | null;
    readonly features: 'embeddings' | 'features' | 'hashed-text' | 'features+hashed-text';
  };
  /** The score cut actually used (≥ it is flagged). */
  readonly cut: number;
  readonly meanScore: number;
  /** Highest-scoring samples, at most `maxListed`. */
  readonly top: { index: number; score: number }[];
}

export interface ClassStats {
  readonly index: number;
  readonly name: string;
  readonly count: number;
  readonly share: number;
  /** Mean L2 norm of the class's feature (or embedding) vectors. */
  readonly meanNorm: number;
  /** Suspects (any reason) with this label. */
  readonly suspects: number;
}

export interface BalanceSummary extends CheckSummary {
  readonly classes: ClassStats[];
  /** Largest class count over the smallest non-empty one. */
  readonly imbalanceRatio: number;
  readonly emptyClasses: number[];
}

export interface DataCheckResult {
  readonly samples: number;
  readonly classes: number;
  /** Every flagged sample once, highest score first. */
  readonly suspects: Suspect[];
  readonly checks: {
    labels?: LabelSummary;
    duplicates?: DuplicateSummary;
    outliers?: OutlierSummary;
    balance?: BalanceSummary;
  };
  readonly seconds: number;
}
