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

/** Turns any error of decoding/building into OnnxGraphError (typed errors pass through). */
export function asGraphError(e: unknown, what: string): Error {
  if (e instanceof OnnxGraphError || e instanceof UnsupportedOpError) return e;
  // Wire-level errors (truncated, malformed, limits) and anything unexpected in a hostile model.
  const msg = e instanceof ModelguardError || e instanceof Error ? e.message : String(e);
  return new OnnxGraphError(`${what}: ${msg}`, { cause: e });
}
