/**
 * The ONNX gradient-graph builder: decodes a ModelProto, appends a loss head and the reverse-mode
 * gradient of the loss with respect to the input using standard ai.onnx operators only, so stock
 * onnxruntime runs it (robustness.md §E.2–E.4).
 */

import type { LossKind } from '../types.js';
import { buildGradientModel as build, defaultOpset, type GradientModel } from './build.js';
import { asGraphError, OnnxGraphError, UnsupportedOpError } from './errors.js';
import { GraphInfo } from './infer.js';
import { decodeModel, encodeModel } from './model.js';

export { GRAD_RULES } from './grad/registry.js';
export { ONNX_EDIT_LIMITS } from './limits.js';
export { decodeModel, encodeModel, type OnnxModel } from './model.js';
export { buildStepModel, type StepModel, type StepNorm } from './steps.js';
export { type GradientModel, OnnxGraphError, UnsupportedOpError };

/**
 * Appends the loss head and the input gradient. `opts.input` / `opts.output` name the graph input and
 * output (default: the first float input that is not an initializer, and the first output).
 */
export function buildGradientModel(
  model: Uint8Array,
  loss: LossKind['kind'],
  opts: { input?: string; output?: string } = {},
): GradientModel {
  try {
    return build(model, loss, opts);
  } catch (e) {
    throw asGraphError(e, 'cannot build the gradient graph');
  }
}

/**
 * Exposes intermediate tensors as extra graph outputs (for activations); their element types come from
 * value_info or static inference.
 */
export function addOutputs(model: Uint8Array, tensors: readonly string[]): Uint8Array {
  const m = decodeModel(model);
  const produced = new Set<string>();
  for (const n of m.graph.nodes) for (const o of n.output) if (o) produced.add(o);
  const gi = new GraphInfo(m.graph, defaultOpset(m));
  const have = new Set(m.graph.outputs.map((o) => o.name));
  for (const t of tensors) {
    if (!produced.has(t)) throw new OnnxGraphError(`no node produces a tensor named ${JSON.stringify(t)}`);
    if (have.has(t)) continue;
    have.add(t);
    const elem = gi.get(t).elem;
    if (!elem) throw new OnnxGraphError(`the element type of ${JSON.stringify(t)} is not known`);
    m.graph.outputs.push({ name: t, elemType: elem, dims: null });
  }
  return encodeModel(m);
}

export function listNodes(
  model: Uint8Array,
): { name: string; op: string; inputs: string[]; outputs: string[] }[] {
  return decodeModel(model).graph.nodes.map((n) => ({
    name: n.name,
    op: n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType,
    inputs: n.input.slice(),
    outputs: n.output.slice(),
  }));
}

export interface IoInfo {
  name: string;
  elemType: number;
  dims: (number | string)[];
}

/** Graph inputs (initializers excluded), outputs and the ai.onnx opset. Unknown dims are ''. */
export function modelIo(model: Uint8Array): { inputs: IoInfo[]; outputs: IoInfo[]; opset: number } {
  const m = decodeModel(model);
  const inits = new Set(m.graph.initializers.map((t) => t.name));
  const io = (v: { name: string; elemType: number; dims: (number | string | null)[] | null }): IoInfo => ({
    name: v.name,
    elemType: v.elemType,
    dims: (v.dims ?? []).map((d) => d ?? ''),
  });
  return {
    inputs: m.graph.inputs.filter((i) => !inits.has(i.name)).map(io),
    outputs: m.graph.outputs.map(io),
    opset: defaultOpset(m),
  };
}
