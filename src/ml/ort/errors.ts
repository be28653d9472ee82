/** Typed errors of the onnxruntime-node backend; each has a literal `code`. */

/** The model has no gradient graph (the builder refused it); `reason` is the builder's message. */
export class GradientUnavailableError extends Error {
  readonly code = 'GRADIENT_UNAVAILABLE' as const;
  constructor(readonly reason: string) {
    super(`input gradients are not available for this model: ${reason}`);
    this.name = 'GradientUnavailableError';
  }
}

/** onnxruntime could not load or run the model, or the inputs do not fit it. */
export class OrtBackendError extends Error {
  readonly code = 'ORT_BACKEND' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OrtBackendError';
  }
}
