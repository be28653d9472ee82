/**
 * Types shared by the ML layer (tensors, datasets, model backends, the ONNX gradient builder) and its users
 * (attacks/, defenses/, report/, cli/). Tensors are plain typed arrays in row-major order with a shape.
 */

/** A dense float tensor; `shape[0]` is the batch when the tensor is batched. */
export interface Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];
}

/** Loss heads the gradient builder appends (see ../shared/specs/robustness.md §B.3, §E.4). */
export type LossKind =
  | { readonly kind: 'ce' } // cross-entropy on logits, summed per sample (gradient of each sample's own loss)
  | { readonly kind: 'margin' } // C&W: max_{j≠y} z_j − z_y
  | { readonly kind: 'dlr' } // −(z_y − max_{i≠y} z_i) / (z_π1 − z_π3 + 1e−12)
  | { readonly kind: 'dlr-targeted' } // −(z_y − z_t) / (z_π1 − (z_π3 + z_π4)/2 + 1e−12); needs targets
  | { readonly kind: 'logit'; readonly classIndex: number } // z_k
  | { readonly kind: 'logit-diff' }; // z_t − z_y (FAB's decision function); needs targets

/** How raw inputs (pixels in [0,1], tabular features) are fed to the model. Part of a model profile. */
export interface Preprocessing {
  /** Layout of one sample as the model takes it. */
  readonly layout: 'NCHW' | 'NHWC' | 'flat';
  /** Multiply the [clipMin, clipMax] input by this before mean/std (e.g. 255 for 0–255 models). */
  readonly scale: number;
  /** Per-channel mean and std subtracted/divided after scaling (empty = none). */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Layout of the dataset when it differs from the model's (the backends transpose). */
  readonly inputLayout?: 'NCHW' | 'NHWC' | 'flat';
}

/** A model profile: what the attacks need to know about the model beyond its graph. */
export interface ModelProfile {
  /** Shape of one sample in attack space (without batch), e.g. [1, 8, 8] or [224, 224, 3]. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** The valid input range in attack space; attacks clip to it. ε is measured on this scale. */
  readonly clipMin: number;
  readonly clipMax: number;
  readonly preprocessing: Preprocessing;
  /** The model's outputs are probabilities (a trailing Softmax was found and removed, or could not be). */
  readonly softmaxOutput: boolean;
}

/** Per-sample loss `[N]`, input gradient (x's shape) and, when the backend has them from the same pass, logits `[N, K]`. */
export interface LossGradient {
  loss: Float32Array;
  grad: Float32Array;
  /** Argmax-equivalent to predict's output (pre-softmax where a trailing softmax was bypassed). */
  logits?: Float32Array;
}

export interface GradientStepOptions {
  readonly norm: 'linf' | 'l2';
  readonly steps: number;
  readonly stepSize: number;
  readonly eps: number;
  readonly clipMin: number;
  readonly clipMax: number;
}

/** What a classifier can do; attacks pick white-box or black-box paths from it. */
export interface Capabilities {
  readonly lossGradient: boolean;
  readonly classGradient: boolean;
  readonly activations: boolean;
}

/**
 * One classifier, whatever runs it (onnxruntime-node, TF.js). Inputs are batches in attack space
 * (`[N, ...profile.inputShape]`, values in [clipMin, clipMax]); preprocessing happens inside.
 */
export interface Classifier {
  readonly profile: ModelProfile;
  readonly capabilities: Capabilities;
  /** Logits `[N, K]` (row-major). */
  predict(x: Tensor): Promise<Float32Array>;
  /**
   * Per-sample loss values `[N]` and the gradient of each sample's loss with respect to its input
   * (same shape as x). `targets` are the target classes for `dlr-targeted` and `logit-diff`.
   */
  lossGradient(x: Tensor, labels: Int32Array, loss: LossKind, targets?: Int32Array): Promise<LossGradient>;
  /** Activations of a named layer/tensor (`[N, ...]`), for the poisoning and backdoor detectors. */
  activations?(x: Tensor, layer: string): Promise<Tensor>;
  /**
   * Optional fast path of the PGD/BIM inner loop: `steps` steps from `x` of x ← clip(x + α·dir(∇ₓCE)),
   * δ ← P_ε(x − x0), x ← clip(x0 + δ) (dir = sign for L∞, g/‖g‖₂ for L2; ART's order), run inside the
   * backend in one call. Returns the final points; counts `steps` gradient queries per sample. Attacks
   * use it when present and fall back to lossGradient per step otherwise; both give the same steps.
   */
  gradientSteps?(x: Tensor, x0: Tensor, labels: Int32Array, o: GradientStepOptions): Promise<Float32Array>;
  /** Number of forward (and gradient) evaluations so far, counted per sample. */
  readonly queries: { forward: number; gradient: number };
  dispose(): Promise<void>;
}

/** A labelled dataset in attack space. */
export interface Dataset {
  /** `[N, ...sampleShape]`. */
  readonly x: Tensor;
  /** Class indices `[N]`. */
  readonly y: Int32Array;
  /** Optional class names (image folders: the subfolder names). */
  readonly classNames?: readonly string[];
  /** Text of each sample, for text datasets (features are then hashed words). */
  readonly texts?: readonly string[];
}
