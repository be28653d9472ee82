import { ModelguardError } from '../../core/errors.js';

/** A policy file or policy option that cannot be used; the message names the source and the field. */
export class PolicyError extends ModelguardError {
  /** Where the policy came from (a file path, or `options`). */
  readonly source: string;
  /** Dotted path of the offending field (`deny[2].family`), or '' for the document itself. */
  readonly field: string;
  constructor(source: string, field: string, message: string, cause?: unknown) {
    super(
      'MALFORMED',
      `${source}: ${field === '' ? '' : `${field}: `}${message}`,
      cause === undefined ? {} : { cause },
    );
    this.name = 'PolicyError';
    this.source = source;
    this.field = field;
  }
}
