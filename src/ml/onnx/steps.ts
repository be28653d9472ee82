/**
 * The PGD/BIM inner loop as one ONNX graph: the gradient graph of the cross-entropy, wrapped in a Loop whose
 * body takes `steps` steps of x ← clip(x + α·dir(∇ₓCE)), δ ← P_ε(x − x₀), x ← clip(x₀ + δ) (ART's order,
 * robustness.md §B.2; dir = sign for L∞, g/‖g‖₂ for L2). One onnxruntime call then runs every step of a
 * batch, instead of one call per step and the step arithmetic in TypeScript: the same numbers, without a
 * round trip per step (bench/attack-bench.ts).
 *
 * Every input is batch-major, so a batch can be split across worker threads: the start point, the originals,
 * the labels, and α, ε and the clip range as [N, 1, …, 1] per sample. The step count is part of the graph.
 */
import { A } from './attrs.js';
import type { GradientModel } from './build.js';
import { OnnxGraphError } from './errors.js';
import { decodeModel, encodeModel, graphAttr, type OnnxGraph, type OnnxNode } from './model.js';
import { DT, makeTensor } from './tensor.js';

/** The threat model's norm (the attacks' Norm). */
export type StepNorm = 'linf' | 'l2';

export interface StepModel {
  bytes: Uint8Array;
  /** Start point, originals, labels ([N]), step size, ε, clip min and clip max ([N, 1, …, 1]). */
  start: string;
  orig: string;
  labels: string;
  alpha: string;
  eps: string;
  lo: string;
  hi: string;
  /** The point after the last step. */
  out: string;
}

/** Wraps a cross-entropy gradient model (buildGradientModel(…, 'ce')) in a Loop of `steps` steps. */
export function buildStepModel(grad: GradientModel, norm: StepNorm, steps: number): StepModel {
  if (!Number.isSafeInteger(steps) || steps < 1) throw new OnnxGraphError(`steps must be ≥ 1, got ${steps}`);
  const m = decodeModel(grad.bytes);
  const g = m.graph;
  const inputInfo = g.inputs.find((i) => i.name === grad.input);
  const rank = inputInfo?.dims?.length;
  if (inputInfo === undefined || rank === undefined || rank < 2)
    throw new OnnxGraphError(`the rank of input ${JSON.stringify(grad.input)} is not known`);
  const taken = new Set<string>();
  for (const n of g.nodes) for (const t of [...n.input, ...n.output]) taken.add(t);
  for (const v of [...g.inputs, ...g.outputs, ...g.initializers]) taken.add(v.name);
  const fresh = (base: string): string => {
    let s = `mgs_${base}`;
    for (let k = 1; taken.has(s); k++) s = `mgs_${base}_${k}`;
    taken.add(s);
    return s;
  };
  const body: OnnxNode[] = [];
  const op = (type: string, inputs: string[], attrs = [] as OnnxNode['attrs']): string => {
    const out = fresh(type.toLowerCase());
    body.push({ name: out, opType: type, domain: '', input: inputs, output: [out], attrs, extra: [] });
    return out;
  };
  const [start, orig, alpha, eps, lo, hi] = ['start', 'orig', 'alpha', 'eps', 'lo', 'hi'].map(fresh) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const iter = fresh('iter');
  const condIn = fresh('cond_in');
  const xIn = fresh('x_in');
  const axes = fresh('axes');
  const initAxes = {
    name: axes,
    dataType: DT.INT64,
    dims: [rank - 1],
    raw: makeTensor(
      axes,
      DT.INT64,
      [rank - 1],
      Array.from({ length: rank - 1 }, (_, i) => i + 1),
    ),
  };

  body.push(node('Identity', [xIn], [grad.input]));
  body.push(...g.nodes);
  const gr = grad.grad;
  const l2 = (t: string) => op('Sqrt', [op('ReduceSum', [op('Mul', [t, t]), axes], [A.int('keepdims', 1)])]);
  let dir: string;
  if (norm === 'linf') dir = op('Sign', [gr]);
  else {
    const n = l2(gr);
    dir = op('Where', [op('Greater', [n, zero()]), op('Div', [gr, n]), zero()]);
  }
  // Clip wants scalar bounds; these are per sample, so Max then Min.
  const clip = (t: string, min: string, max: string) => op('Min', [op('Max', [t, min]), max]);
  const stepped = clip(op('Add', [xIn, op('Mul', [dir, alpha])]), lo, hi);
  const delta = op('Sub', [stepped, orig]);
  let projected: string;
  if (norm === 'linf') projected = clip(delta, op('Neg', [eps]), eps);
  else {
    const n = l2(delta);
    const scale = op('Where', [op('Greater', [n, eps]), op('Div', [eps, n]), one()]);
    projected = op('Mul', [delta, scale]);
  }
  const xOut = fresh('x_out');
  body.push(node('Min', [op('Max', [op('Add', [orig, projected]), lo]), hi], [xOut]));
  const condOut = fresh('cond_out');
  body.push(node('Identity', [condIn], [condOut]));

  const bodyGraph: OnnxGraph = {
    nodes: body,
    // The weights live in the body: onnxruntime pre-packs and re-lays out (NCHWc) only a graph's own
    // constant initializers, not outer-scope values (measured: 2–3× slower steps with the weights outside).
    initializers: [...g.initializers, ...(norm === 'l2' ? [initAxes] : [])],
    inputs: [
      { name: iter, elemType: DT.INT64, dims: [] },
      { name: condIn, elemType: DT.BOOL, dims: [] },
      { name: xIn, elemType: inputInfo.elemType, dims: null },
    ],
    outputs: [
      { name: condOut, elemType: DT.BOOL, dims: [] },
      { name: xOut, elemType: inputInfo.elemType, dims: null },
    ],
    valueInfo: g.valueInfo,
    extra: [],
  };
  const trip = fresh('trip');
  const out = fresh('out');
  const perSample = (name: string) => ({
    name,
    elemType: inputInfo.elemType,
    dims: ['N', ...Array(rank - 1).fill(1)] as (number | string)[],
  });
  m.graph = {
    nodes: [node('Loop', [trip, '', start], [out], [graphAttr('body', bodyGraph, 'mgs_steps')])],
    initializers: [
      { name: trip, dataType: DT.INT64, dims: [], raw: makeTensor(trip, DT.INT64, [], [steps]) },
    ],
    inputs: [
      { name: start, elemType: inputInfo.elemType, dims: inputInfo.dims },
      { name: orig, elemType: inputInfo.elemType, dims: inputInfo.dims },
      ...g.inputs.filter((i) => i.name === grad.labels),
      ...[alpha, eps, lo, hi].map(perSample),
    ],
    outputs: [{ name: out, elemType: inputInfo.elemType, dims: null }],
    valueInfo: [],
    extra: g.extra,
  };
  return { bytes: encodeModel(m), start, orig, labels: grad.labels, alpha, eps, lo, hi, out };

  function zero(): string {
    return constant(0);
  }
  function one(): string {
    return constant(1);
  }
  function constant(v: number): string {
    const name = fresh(`c${v}`);
    const elem = inputInfo?.elemType ?? DT.FLOAT;
    body.push(node('Constant', [], [name], [A.tensor('value', makeTensor('', elem, [], [v]))]));
    return name;
  }
}

function node(opType: string, input: string[], output: string[], attrs: OnnxNode['attrs'] = []): OnnxNode {
  return { name: output[0] ?? opType, opType, domain: '', input, output, attrs, extra: [] };
}
