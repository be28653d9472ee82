import { ModelguardError } from '../../core/errors.js';

/** An ONNX model the gradient builder cannot decode or work with (structure, limits, missing pieces). */
export class OnnxGraphError extends Error {
  readonly code = 'ONNX_GRAPH' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OnnxGraphError';
  }
}

/** The gradient path crosses operators without a gradient rule; `ops` lists every such op type found. */
export class UnsupportedOpError extends Error {
  readonly code = 'UNSUPPORTED_OP' as const;
  constructor(
    readonly op: string,
    readonly node: string,
    readonly ops: string[],
    detail?: string,
  ) {
    super(
      detail ??
        `no gradient rule for operator ${op} (node ${JSON.stringify(node)})` +
          (ops.length > 1 ? `; unsupported operators on the gradient path: ${ops.join(', ')}` : ''),
    );
    this.name = 'UnsupportedOpError';
  }
}

/** Wraps wire-level errors (truncation, malformed, limits) of the ONNX decoder. */
export function asGraphError(e: unknown, what: string): Error {
  if (e instanceof OnnxGraphError || e instanceof UnsupportedOpError) return e;
  if (e instanceof ModelguardError) return new OnnxGraphError(`${what}: ${e.message}`, { cause: e });
  return e instanceof Error ? e : new OnnxGraphError(String(e));
}
