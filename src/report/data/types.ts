/** The report of `modelguard data`: suspects from every check merged, and each check's own summary. */
import type {
  BalanceSummary,
  DuplicateSummary,
  LabelSummary,
  OutlierSummary,
  SuspectReason,
} from '../../defenses/data/index.js';
import type { PoisonClassSummary, PoisonDetectorName } from '../../defenses/poison/index.js';

/** The checks `--checks` accepts; `spectral` and `clustering` need `--model`. */
export type DataReportCheck = 'labels' | 'duplicates' | 'outliers' | 'balance' | 'spectral' | 'clustering';

export interface DataReportSuspect {
  readonly index: number;
  readonly label: number;
  readonly reasons: readonly SuspectReason[];
  /** The highest of its flags' scores, each in [0, 1]. */
  readonly score: number;
  /** Text datasets: the sample's text, cut to TEXT_EXCERPT characters (an ellipsis marks a cut). */
  readonly text?: string;
}

/** Characters of a suspect's text kept in the report. */
export const TEXT_EXCERPT = 200;

/** One backdoor detector's summary (its per-sample scores are folded into the suspects' scores). */
export interface PoisonCheckSummary {
  readonly seconds: number;
  readonly flagged: number;
  readonly detector: PoisonDetectorName;
  readonly layer: string;
  readonly features: number;
  readonly settings: Readonly<Record<string, number | string | boolean>>;
  readonly classes: readonly PoisonClassSummary[];
  /** Flagged indices, ascending (at most maxListed). */
  readonly indices: readonly number[];
  readonly skipped?: string;
}

export interface DataReport {
  readonly tool: { readonly name: 'modelguard'; readonly version: string };
  readonly dataset: {
    readonly path: string;
    readonly format: 'npz' | 'image-folder' | 'csv' | 'jsonl';
    readonly samples: number;
    readonly classes: number;
    /** Shape of one sample (`[]` for text-only tables). */
    readonly sampleShape: readonly number[];
    readonly classNames?: readonly string[];
  };
  readonly model: {
    readonly path: string;
    readonly sha256: string;
    /** The tensor whose activations embed each sample for the label and outlier checks. */
    readonly embeddingLayer: string;
    readonly embeddingDims: number;
  } | null;
  readonly seed: number;
  readonly folds: number;
  /** The checks that ran, in order. */
  readonly checks: readonly DataReportCheck[];
  /** Every flagged sample once, highest score first. */
  readonly suspects: readonly DataReportSuspect[];
  readonly summaries: {
    readonly labels?: LabelSummary;
    readonly duplicates?: DuplicateSummary;
    readonly outliers?: OutlierSummary;
    readonly balance?: BalanceSummary;
    readonly spectral?: PoisonCheckSummary;
    readonly clustering?: PoisonCheckSummary;
  };
  readonly exportClean: { readonly path: string; readonly kept: number; readonly removed: number } | null;
  readonly failOnSuspects: number | null;
  readonly durationMs: number;
}

/** Flagged samples drawn in the HTML report (image datasets only). */
export interface DataReportImages {
  /** Shape of one sample and its layout (NCHW/NHWC) for drawing. */
  readonly sampleShape: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
  /** Value range mapped to black…white. */
  readonly min: number;
  readonly max: number;
  readonly samples: readonly { readonly index: number; readonly data: Float32Array }[];
}
