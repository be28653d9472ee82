import { A } from '../../../src/ml/onnx/attrs.js';
import { type Attr, emptyGraph, encodeModel, type OnnxModel } from '../../../src/ml/onnx/model.js';
import { DT, makeTensor } from '../../../src/ml/onnx/tensor.js';

export { A };

/** A tiny model spec: inputs with dims (strings = symbolic), initializers, nodes, outputs. */
export interface TinySpec {
  elem?: number;
  opset?: number;
  inputs: { name: string; dims: (number | string)[]; elem?: number }[];
  inits?: { name: string; dims: number[]; values: readonly (number | bigint)[]; elem?: number }[];
  nodes: {
    op: string;
    inputs: string[];
    outputs: string[];
    attrs?: Attr[];
    name?: string;
    domain?: string;
  }[];
  outputs: (string | { name: string; elem: number })[];
}

/** Encodes a model with our own encoder (elem defaults to DOUBLE). */
export function tinyModel(spec: TinySpec): Uint8Array {
  const elem = spec.elem ?? DT.DOUBLE;
  const g = emptyGraph();
  for (const i of spec.inputs) g.inputs.push({ name: i.name, elemType: i.elem ?? elem, dims: i.dims });
  for (const t of spec.inits ?? []) {
    const e = t.elem ?? elem;
    g.initializers.push({
      name: t.name,
      dataType: e,
      dims: t.dims,
      raw: makeTensor(t.name, e, t.dims, t.values),
    });
  }
  for (const [k, n] of spec.nodes.entries())
    g.nodes.push({
      name: n.name ?? `${n.op}_${k}`,
      opType: n.op,
      domain: n.domain ?? '',
      input: n.inputs,
      output: n.outputs,
      attrs: n.attrs ?? [],
      extra: [],
    });
  for (const o of spec.outputs) {
    const name = typeof o === 'string' ? o : o.name;
    g.outputs.push({ name, elemType: typeof o === 'string' ? elem : o.elem, dims: null });
  }
  const m: OnnxModel = {
    irVersion: 8,
    opsets: [{ domain: '', version: spec.opset ?? 17 }],
    graph: g,
    extra: [],
  };
  return encodeModel(m);
}

/** Seeded uniform values in [lo, hi) (mulberry32). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0;
  return (lo = -1, hi = 1) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return lo + (hi - lo) * u;
  };
}

export function randn(n: number, rand: (lo?: number, hi?: number) => number, lo = -1, hi = 1): number[] {
  return Array.from({ length: n }, () => rand(lo, hi));
}

type Ort = typeof import('onnxruntime-node');
let ortP: Promise<Ort> | undefined;
export function ort(): Promise<Ort> {
  ortP ??= import('onnxruntime-node').then((m) => ((m as unknown as { default?: Ort }).default ?? m) as Ort);
  return ortP;
}

export type Feed = Record<
  string,
  { data: Float64Array | Float32Array | BigInt64Array | Uint8Array; dims: number[] }
>;

function tensorOf(o: Ort, d: Feed[string]['data'], dims: number[]): InstanceType<Ort['Tensor']> {
  if (d instanceof Float64Array) return new o.Tensor('float64', d, dims);
  if (d instanceof Float32Array) return new o.Tensor('float32', d, dims);
  if (d instanceof BigInt64Array) return new o.Tensor('int64', d, dims);
  return new o.Tensor('bool', d, dims);
}

/** Runs a model once; returns every output as numbers. */
export async function runModel(
  bytes: Uint8Array,
  feed: Feed,
  level: 'disabled' | 'all' = 'disabled',
): Promise<Record<string, { data: number[]; dims: number[] }>> {
  const o = await ort();
  const s = await o.InferenceSession.create(bytes, {
    graphOptimizationLevel: level,
    intraOpNumThreads: 1,
  });
  try {
    const f: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [k, v] of Object.entries(feed)) {
      f[k] = tensorOf(o, v.data, v.dims);
    }
    const out = await s.run(f);
    const r: Record<string, { data: number[]; dims: number[] }> = {};
    for (const [k, t] of Object.entries(out))
      r[k] = { data: Array.from(t.data as ArrayLike<number>, Number), dims: t.dims.slice() };
    return r;
  } finally {
    await s.release();
  }
}

/** Per-sample losses computed directly from logits [N, K] (robustness.md §B.3 definitions). */
export function lossFromLogits(
  kind: string,
  z: number[],
  k: number,
  labels: number[],
  targets?: number[],
): number[] {
  const n = z.length / k;
  const out: number[] = [];
  for (let s = 0; s < n; s++) {
    const row = z.slice(s * k, (s + 1) * k);
    const y = labels[s] as number;
    const zy = row[y] as number;
    const others = row.filter((_, j) => j !== y);
    const sorted = row.slice().sort((a, b) => b - a);
    const [p1, , p3, p4] = sorted as [number, number, number, number];
    if (kind === 'ce') {
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0));
      out.push(lse - zy);
    } else if (kind === 'logit') out.push(zy);
    else if (kind === 'margin') out.push(Math.max(...others) - zy);
    else if (kind === 'dlr') out.push(-(zy - Math.max(...others)) / (p1 - p3 + 1e-12));
    else if (kind === 'dlr-targeted') {
      const zt = row[targets?.[s] as number] as number;
      out.push(-(zy - zt) / (p1 - (p3 + p4) / 2 + 1e-12));
    } else if (kind === 'logit-diff') out.push((row[targets?.[s] as number] as number) - zy);
    else throw new Error(kind);
  }
  return out;
}

export interface FdCase {
  elem?: number;
  opset?: number;
  /** The first input is the one differentiated; others are fed random values too. */
  inputs: {
    name: string;
    dims: number[];
    /** Dims declared in the model (strings: symbolic) when not the fed ones. */
    declared?: (number | string)[];
    lo?: number;
    hi?: number;
    elem?: number;
    values?: number[];
  }[];
  inits?: TinySpec['inits'];
  nodes: TinySpec['nodes'];
  /** The op subgraph's output tensor (a head Flatten→Gemm makes logits [P, 5] from it). */
  output: string;
  flattenAxis?: number;
  loss?: string;
  h?: number;
  seed?: number;
  /** How many input elements to check by finite differences (all when fewer). */
  samples?: number;
  /** Use this model as is (its output already [N, K] logits). */
  noHead?: boolean;
}

export interface FdResult {
  /** max |analytic − numeric| / max |numeric| over the checked elements. */
  relErr: number;
  maxAbsGrad: number;
  checked: number;
  removedSoftmax: boolean;
  nodes: number;
}

type Built = {
  bytes: Uint8Array;
  input: string;
  labels: string;
  targets?: string;
  loss: string;
  grad: string;
  removedSoftmax: boolean;
};

/** Finite-difference check of buildGradientModel on a tiny model (central differences, forward in ORT). */
export async function fdCheck(c: FdCase, build: (m: Uint8Array, loss: string) => Built): Promise<FdResult> {
  const rand = seeded(c.seed ?? 7);
  const elem = c.elem ?? DT.DOUBLE;
  const F = elem === DT.DOUBLE ? Float64Array : Float32Array;
  const feed: Feed = {};
  for (const i of c.inputs) {
    const n = i.dims.reduce((a, b) => a * b, 1);
    const ie = i.elem ?? elem;
    feed[i.name] =
      ie === DT.INT64
        ? { data: BigInt64Array.from(i.values ?? [], BigInt), dims: i.dims }
        : {
            data: (ie === DT.DOUBLE ? Float64Array : Float32Array).from(
              i.values ?? randn(n, rand, i.lo ?? -1, i.hi ?? 1),
            ),
            dims: i.dims,
          };
  }
  const inputs = c.inputs.map((i) => ({ name: i.name, dims: i.declared ?? i.dims, elem: i.elem ?? elem }));
  const base: TinySpec = {
    elem,
    opset: c.opset ?? 17,
    inputs,
    inits: c.inits ?? [],
    nodes: c.nodes,
    outputs: [c.output],
  };
  let spec = base;
  let k: number;
  if (c.noHead) {
    const probe = await runModel(tinyModel(base), feed);
    k = probe[c.output]?.dims[1] as number;
  } else {
    const probe = await runModel(tinyModel(base), feed);
    const dims = probe[c.output]?.dims as number[];
    const ax = c.flattenAxis ?? 1;
    const q = dims.slice(ax).reduce((a, b) => a * b, 1);
    k = 5;
    spec = {
      ...base,
      inits: [
        ...(base.inits ?? []),
        { name: 'head_w', dims: [q, k], values: randn(q * k, rand) },
        { name: 'head_b', dims: [k], values: randn(k, rand) },
      ],
      nodes: [
        ...base.nodes,
        { op: 'Flatten', inputs: [c.output], outputs: ['head_f'], attrs: [A.int('axis', ax)] },
        { op: 'Gemm', inputs: ['head_f', 'head_w', 'head_b'], outputs: ['logits'] },
      ],
      outputs: ['logits'],
    };
  }
  const fwd = tinyModel(spec);
  const logitsName = c.noHead ? c.output : 'logits';
  const z0 = (await runModel(fwd, feed))[logitsName] as { data: number[]; dims: number[] };
  const p = z0.dims[0] as number;
  const labels = Array.from({ length: p }, (_, s) => (s * 3 + 1) % k);
  const targets = Array.from({ length: p }, (_, s) => ((labels[s] as number) + 1 + (s % (k - 1))) % k);
  const loss = c.loss ?? 'ce';
  const gm = build(fwd, loss);
  const gfeed: Feed = { ...feed, [gm.labels]: { data: BigInt64Array.from(labels, BigInt), dims: [p] } };
  if (gm.targets) gfeed[gm.targets] = { data: BigInt64Array.from(targets, BigInt), dims: [p] };
  const out = await runModel(gm.bytes, gfeed);
  const grad = out[gm.grad]?.data as number[];
  const lossVals = out[gm.loss]?.data as number[];
  const direct = lossFromLogits(loss, z0.data, k, labels, targets);
  lossVals.forEach((v, i) => {
    if (
      Math.abs(v - (direct[i] as number)) >
      1e-6 * Math.max(1, Math.abs(v)) * (elem === DT.DOUBLE ? 1 : 100)
    )
      throw new Error(`loss ${i}: graph ${v} vs direct ${direct[i]}`);
  });
  const first = c.inputs[0] as FdCase['inputs'][number];
  const x = feed[first.name]?.data as Float64Array | Float32Array;
  const h = c.h ?? (elem === DT.DOUBLE ? 1e-5 : 1e-2);
  const idx = Array.from({ length: x.length }, (_, i) => i);
  const want = c.samples ?? 48;
  const chosen = idx.length <= want ? idx : idx.filter((_, i) => i % Math.ceil(idx.length / want) === 0);
  const o = await ort();
  const sess = await o.InferenceSession.create(fwd, {
    graphOptimizationLevel: 'disabled',
    intraOpNumThreads: 1,
  });
  const lossAt = async (xs: Float64Array | Float32Array): Promise<number> => {
    const f: Record<string, InstanceType<Ort['Tensor']>> = {};
    for (const [name, v] of Object.entries(feed)) {
      const d = name === first.name ? xs : v.data;
      f[name] = tensorOf(o, d, v.dims);
    }
    const r = await sess.run(f);
    const z = Array.from(r[logitsName]?.data as ArrayLike<number>, Number);
    return lossFromLogits(loss, z, k, labels, targets).reduce((a, b) => a + b, 0);
  };
  let maxErr = 0;
  let maxFd = 0;
  for (const i of chosen) {
    const xp = F.from(x);
    const xm = F.from(x);
    xp[i] = (x[i] as number) + h;
    xm[i] = (x[i] as number) - h;
    const fd = ((await lossAt(xp)) - (await lossAt(xm))) / (2 * h);
    maxErr = Math.max(maxErr, Math.abs(fd - (grad[i] as number)));
    maxFd = Math.max(maxFd, Math.abs(fd));
  }
  await sess.release();
  if (grad.length !== x.length) throw new Error(`gradient has ${grad.length} values, input ${x.length}`);
  return {
    relErr: maxErr / Math.max(maxFd, 1e-12),
    maxAbsGrad: Math.max(...grad.map(Math.abs)),
    checked: chosen.length,
    removedSoftmax: gm.removedSoftmax,
    nodes: 0,
  };
}
