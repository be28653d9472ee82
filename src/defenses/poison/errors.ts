/** Typed errors of the poisoning detectors; each has a literal `code`. */

export type PoisonErrorCode = 'POISON_INPUT' | 'POISON_LAYER';

/** The activations, labels or options cannot be used (shapes, lengths, label range, limits). */
export class PoisonDetectionError extends Error {
  constructor(
    readonly code: PoisonErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PoisonDetectionError';
  }
}
