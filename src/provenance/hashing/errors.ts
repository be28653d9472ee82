/** Typed errors of the hashing engine. */

export type ModelPathErrorCode =
  | 'SYMLINK' // a symlink where none is allowed, or one that dangles or leaves the model root
  | 'NOT_UTF8' // a file name that is not valid UTF-8 (OMS names are UTF-8 only)
  | 'SPECIAL_FILE' // a socket, FIFO or device: not a regular file, cannot be hashed
  | 'NOT_FOUND' // the model path does not exist
  | 'EMPTY' // the model path is the empty string
  | 'LIMIT' // a named limit of HASHING_LIMITS was exceeded
  | 'IO'; // the operating system refused a read, or a file changed while it was hashed

/** A model path that cannot be enumerated or hashed; `path` is the file concerned. */
export class ModelPathError extends Error {
  readonly code: ModelPathErrorCode;
  readonly path: string;
  constructor(code: ModelPathErrorCode, path: string, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ModelPathError';
    this.code = code;
    this.path = path;
  }
}

/** The `code` of a Node system error (`ENOENT`, `EACCES`…), if it has one. */
export function sysCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
}
