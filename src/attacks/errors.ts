/** Typed errors of the attacks layer. */
export type AttackErrorCode =
  | 'INVALID_OPTIONS' // an option outside its range (ε < 0, steps 0, …)
  | 'SHAPE_MISMATCH' // x, y and the model disagree on sizes
  | 'NEEDS_GRADIENTS' // a white-box attack on a model without lossGradient
  | 'UNKNOWN_ATTACK'; // a name not in the registry

export class AttackError extends Error {
  readonly code: AttackErrorCode;
  constructor(code: AttackErrorCode, message: string) {
    super(message);
    this.name = 'AttackError';
    this.code = code;
  }
}
