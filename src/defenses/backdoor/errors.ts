/** Typed errors of Neural Cleanse; each has a literal `code`. */

export type BackdoorErrorCode = 'BACKDOOR_INPUT' | 'BACKDOOR_MODEL' | 'BACKDOOR_LIMIT';

/** The model, data or options cannot be used (no gradients, shapes, classes, limits). */
export class BackdoorError extends Error {
  constructor(
    readonly code: BackdoorErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackdoorError';
  }
}
