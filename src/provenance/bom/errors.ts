/** Typed errors of the BOM builder: only a model path that cannot be read at all stops a BOM. */
export type BomErrorCode =
  | 'NOT_FOUND' // the model path does not exist
  | 'NOT_READABLE'; // the model path is neither a file nor a folder, or cannot be listed

export class BomError extends Error {
  readonly code: BomErrorCode;
  readonly path: string;
  constructor(code: BomErrorCode, path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BomError';
    this.code = code;
    this.path = path;
  }
}
