/** Typed errors of the core layer. Each carries a literal `code`; messages say what was expected and found. */
export type CoreErrorCode =
  | 'TRUNCATED' // a read past the end of the available bytes
  | 'LIMIT_EXCEEDED' // a named limit was exceeded
  | 'MALFORMED' // structurally invalid input
  | 'UNSUPPORTED' // valid input we cannot analyse
  | 'IO'; // the operating system refused a read

export class ModelguardError extends Error {
  readonly code: CoreErrorCode;
  /** Byte offset where the problem was seen, when known. */
  readonly offset: number | undefined;
  constructor(code: CoreErrorCode, message: string, options: { offset?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelguardError';
    this.code = code;
    this.offset = options.offset;
  }
}

export class TruncatedError extends ModelguardError {
  constructor(message: string, offset?: number) {
    super('TRUNCATED', message, offset === undefined ? {} : { offset });
    this.name = 'TruncatedError';
  }
}

export class LimitError extends ModelguardError {
  /** The name of the limit, as in the format's LIMITS object. */
  readonly limit: string;
  constructor(limit: string, message: string, offset?: number) {
    super('LIMIT_EXCEEDED', message, offset === undefined ? {} : { offset });
    this.name = 'LimitError';
    this.limit = limit;
  }
}

export class MalformedError extends ModelguardError {
  constructor(message: string, offset?: number) {
    super('MALFORMED', message, offset === undefined ? {} : { offset });
    this.name = 'MalformedError';
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
