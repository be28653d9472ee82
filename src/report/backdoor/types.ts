/** The report of `modelguard backdoor`: Neural Cleanse's per-class trigger norms and anomaly indices. */

export interface BackdoorReportClass {
  readonly class: number;
  /** L1 norm of the reversed trigger's mask (pixels, in [0, H·W]). */
  readonly maskL1: number;
  readonly anomalyIndex: number;
  readonly flagged: boolean;
  /** Attack success of the kept trigger during the optimisation. */
  readonly success: number;
  /** The trigger reached the 0.99 success threshold. */
  readonly reached: boolean;
  readonly steps: number;
  readonly earlyStopped: boolean;
  /** Success rate of the stamped trigger on clean inputs of other classes (flagged classes, --check-asr). */
  readonly asr?: number;
}

export interface BackdoorReport {
  readonly tool: { readonly name: 'modelguard'; readonly version: string };
  readonly model: {
    readonly path: string;
    readonly sha256: string;
    readonly format: 'onnx' | 'tfjs';
    readonly classes: number;
    readonly inputShape: readonly number[];
  };
  readonly data: {
    readonly path: string;
    readonly format: 'npz' | 'image-folder' | 'csv' | 'jsonl';
    readonly samples: number;
  };
  readonly settings: {
    readonly steps: number;
    readonly batch: number;
    /** Samples per mini-epoch. */
    readonly samples: number;
    readonly seed: number;
    readonly checkAsr: boolean;
  };
  /** The mask's grid and the pattern's channels. */
  readonly geometry: {
    readonly height: number;
    readonly width: number;
    readonly channels: number;
    readonly layout: 'NCHW' | 'NHWC';
  };
  readonly classes: readonly BackdoorReportClass[];
  readonly flagged: readonly number[];
  readonly median: number;
  readonly mad: number;
  readonly threshold: number;
  readonly warnings: readonly string[];
  readonly seconds: number;
}

/** The reversed triggers drawn in the HTML report (not part of the JSON). */
export interface BackdoorTriggerImages {
  /** One sample's shape and layout, for drawing the pattern. */
  readonly sampleShape: readonly number[];
  readonly layout: 'NCHW' | 'NHWC';
  readonly clipMin: number;
  readonly clipMax: number;
  readonly triggers: readonly {
    readonly class: number;
    readonly mask: Float32Array;
    readonly pattern: Float32Array;
  }[];
}
