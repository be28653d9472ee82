import type { LossKind } from '../types.js';
import { A, hasAttr } from './attrs.js';
import { Emitter } from './emit.js';
import { OnnxGraphError, UnsupportedOpError } from './errors.js';
import { GRAD_RULES, NON_DIFFERENTIABLE } from './grad/registry.js';
import type { RuleCtx } from './grad/rule.js';
import { GraphInfo } from './infer.js';
import { lossHead } from './loss.js';
import { ATTR, decodeModel, encodeModel, type OnnxModel, type OnnxNode } from './model.js';
import { DT, isFloatType } from './tensor.js';
import { upgradeTo13 } from './upgrade.js';

/** The gradient model: the original graph plus a loss head and the input gradient (see index.ts). */
export interface GradientModel {
  bytes: Uint8Array;
  input: string;
  labels: string;
  targets?: string;
  logits: string;
  loss: string;
  grad: string;
  removedSoftmax: boolean;
}

/** Opsets below MIN_OPSET are upgraded first (upgrade.ts); the gradient graph is written for GRAD_OPSET or later. */
export const MIN_OPSET = 13;
export const GRAD_OPSET = 17;

export function defaultOpset(m: OnnxModel): number {
  return m.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}

/** The first graph input that is not an initializer and has a float type. */
export function pickInput(m: OnnxModel): string {
  const inits = new Set(m.graph.initializers.map((t) => t.name));
  const v = m.graph.inputs.find((i) => !inits.has(i.name) && isFloatType(i.elemType));
  if (!v) throw new OnnxGraphError('the model has no float input to take a gradient with respect to');
  return v.name;
}

function isDefault(n: OnnxNode): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

export function buildGradientModel(
  bytes: Uint8Array,
  loss: LossKind['kind'],
  opts: { input?: string; output?: string } = {},
): GradientModel {
  const m = decodeModel(bytes);
  const g = m.graph;
  const opset = defaultOpset(m);
  const target = Math.max(opset, GRAD_OPSET);
  const input = opts.input ?? pickInput(m);
  if (!g.inputs.some((i) => i.name === input))
    throw new OnnxGraphError(`no graph input named ${JSON.stringify(input)}`);
  const output = opts.output ?? g.outputs[0]?.name;
  if (!output || !g.outputs.some((o) => o.name === output))
    throw new OnnxGraphError(`no graph output named ${JSON.stringify(output ?? '')}`);

  const producer = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.output) if (o) producer.set(o, n);
  let logits = output;
  let removedSoftmax = false;
  const last = producer.get(output);
  if (
    last &&
    isDefault(last) &&
    (last.opType === 'Softmax' || last.opType === 'LogSoftmax') &&
    last.input[0]
  ) {
    logits = last.input[0];
    removedSoftmax = true;
  }

  const gi = new GraphInfo(g, target);
  if (opset < MIN_OPSET) upgradeTo13(m, gi, opset);
  const ft = gi.get(input).elem;

  // Forward: tensors that depend on the input through float values.
  const active = new Set([input]);
  for (const n of g.nodes) {
    if (NON_DIFFERENTIABLE.has(n.opType) && isDefault(n)) continue;
    // Control flow (If/Loop/Scan) reads outer tensors from its subgraphs: assume it depends on the input.
    const captures = n.attrs.some((a) => a.type === ATTR.GRAPH || a.type === ATTR.GRAPHS);
    if (!captures && !n.input.some((i) => active.has(i))) continue;
    for (const o of n.output) {
      const t = gi.get(o).elem;
      if (o && (t === 0 || isFloatType(t))) active.add(o);
    }
  }
  if (!active.has(logits))
    throw new OnnxGraphError(
      `output ${JSON.stringify(logits)} does not depend on input ${JSON.stringify(input)}`,
    );

  // Backward: nodes on a path from the input to the logits.
  const needed = new Set([logits]);
  const path: OnnxNode[] = [];
  const order = g.nodes.slice();
  for (let k = order.length - 1; k >= 0; k--) {
    const n = order[k] as OnnxNode;
    if (!n.output.some((o) => needed.has(o))) continue;
    if (
      !n.input.some((i) => active.has(i)) &&
      !n.attrs.some((a) => a.type === ATTR.GRAPH || a.type === ATTR.GRAPHS)
    )
      continue;
    path.push(n);
    for (const i of n.input) if (active.has(i)) needed.add(i);
  }
  const missing = path.filter((n) => !isDefault(n) || !GRAD_RULES.has(n.opType));
  if (missing.length > 0) {
    const first = missing[missing.length - 1] as OnnxNode;
    const ops = [...new Set(missing.map((n) => (isDefault(n) ? n.opType : `${n.domain}.${n.opType}`)))];
    const op = isDefault(first) ? first.opType : `${first.domain}.${first.opType}`;
    throw new UnsupportedOpError(op, first.name, ops);
  }

  const need = { dlr: 3, 'dlr-targeted': 4, margin: 2, 'logit-diff': 2 }[loss as string];
  const zd = gi.get(logits).dims;
  if (zd && zd.length !== 2)
    throw new OnnxGraphError(`logits ${JSON.stringify(logits)} have rank ${zd.length}, expected [N, K]`);
  const k = zd?.[1];
  if (need !== undefined && typeof k === 'number' && k < need)
    throw new OnnxGraphError(`the ${loss} loss needs at least ${need} classes; the model has ${k}`);
  const e = new Emitter(g, gi, ft, target);
  const names = new Set([...g.inputs, ...g.outputs].map((v) => v.name));
  const unique = (base: string) => {
    let s = base;
    for (let k = 1; names.has(s) || producer.has(s); k++) s = `${base}_${k}`;
    names.add(s);
    return s;
  };
  const labels = unique('mg_labels');
  const targets = loss === 'dlr-targeted' || loss === 'logit-diff' ? unique('mg_targets') : undefined;
  g.inputs.push({ name: labels, elemType: DT.INT64, dims: ['N'] });
  if (targets) g.inputs.push({ name: targets, elemType: DT.INT64, dims: ['N'] });
  const head = lossHead(e, loss, logits, labels, targets);

  const pending = new Map<string, string[]>([[logits, [head.dLogits]]]);
  const take = (t: string): string | undefined => {
    const gs = pending.get(t);
    if (!gs || gs.length === 0) return undefined;
    pending.delete(t);
    const s = gs.length === 1 ? (gs[0] as string) : e.op('Sum', gs);
    pending.set(t, [s]);
    return s;
  };
  for (const n of path) {
    const dys = n.output.map((o) => (o ? take(o) : undefined));
    if (dys.every((d) => d === undefined)) continue;
    const ctx: RuleCtx = {
      node: n,
      e,
      gi,
      x: (i) => n.input[i] ?? '',
      y: (i) => n.output[i] ?? '',
      dy: (i) => dys[i],
      dyOrZero: (i) => dys[i] ?? e.zerosLike(n.output[i] as string),
      needs: (i) => {
        const x = n.input[i];
        return x !== undefined && x !== '' && active.has(x) && needed.has(x);
      },
      producer: (name) => producer.get(name),
      unsupported: (detail) => {
        throw new UnsupportedOpError(
          n.opType,
          n.name,
          [n.opType],
          `${n.opType} (node ${JSON.stringify(n.name)}): ${detail}`,
        );
      },
    };
    const rule = GRAD_RULES.get(n.opType);
    const grads = rule ? rule(ctx) : [];
    grads.forEach((d, i) => {
      const x = n.input[i];
      if (d === undefined || !ctx.needs(i) || x === undefined) return;
      const list = pending.get(x) ?? [];
      list.push(d);
      pending.set(x, list);
    });
  }
  const dx = take(input) ?? e.zerosLike(input);

  const lossOut = unique('mg_loss');
  const gradOut = unique('mg_grad');
  g.nodes.push({
    name: e.fresh('loss_out'),
    opType: 'Identity',
    domain: '',
    input: [head.loss],
    output: [lossOut],
    attrs: [],
    extra: [],
  });
  g.nodes.push({
    name: e.fresh('grad_out'),
    opType: 'Identity',
    domain: '',
    input: [dx],
    output: [gradOut],
    attrs: [],
    extra: [],
  });
  if (!g.outputs.some((o) => o.name === logits)) g.outputs.push({ name: logits, elemType: ft, dims: null });
  g.outputs.push({ name: lossOut, elemType: ft, dims: null });
  g.outputs.push({ name: gradOut, elemType: ft, dims: null });
  setOpset(m, target);
  return {
    bytes: encodeModel(m),
    input,
    labels,
    ...(targets ? { targets } : {}),
    logits,
    loss: lossOut,
    grad: gradOut,
    removedSoftmax,
  };
}

/** Sets the ai.onnx opset (and the IR version it needs). */
export function setOpset(m: OnnxModel, version: number): void {
  const o = m.opsets.find((x) => x.domain === '' || x.domain === 'ai.onnx');
  // RoiAlign's default coordinate_transformation_mode changed in opset 16: pin the old one.
  if ((o?.version ?? 0) < 16 && version >= 16)
    for (const n of m.graph.nodes)
      if (
        n.opType === 'RoiAlign' &&
        (n.domain === '' || n.domain === 'ai.onnx') &&
        !hasAttr(n, 'coordinate_transformation_mode')
      )
        n.attrs.push(A.string('coordinate_transformation_mode', 'output_half_pixel'));
  if (o) o.version = version;
  else m.opsets.push({ domain: '', version });
  if (version >= 17 && m.irVersion < 8) m.irVersion = 8;
}
