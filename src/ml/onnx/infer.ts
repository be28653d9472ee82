import { attrInt, attrInts, attrTensorInts, hasAttr } from './attrs.js';
import type { OnnxGraph, OnnxNode } from './model.js';
import { tensorMeta } from './model.js';
import { DT, tensorInts } from './tensor.js';

/** A dimension: a number when known statically, null otherwise (symbolic batch, data-dependent). */
export type Dim = number | null;
/** What is known of a tensor: element type (0 unknown) and dims (null when even the rank is unknown). */
export interface TensorInfo {
  elem: number;
  dims: Dim[] | null;
}

/**
 * Static type and shape propagation over the main graph (forward order), plus the values of small integer
 * constants (initializers, Constant nodes) that shape-like inputs (axes, shapes, pads) are read from.
 * Unknown operators give unknown shapes; rules that need a rank fail clearly when it is unknown.
 */
export class GraphInfo {
  readonly info = new Map<string, TensorInfo>();
  readonly consts = new Map<string, number[]>();
  readonly initializers = new Set<string>();

  constructor(
    graph: OnnxGraph,
    readonly opset: number,
  ) {
    for (const t of graph.initializers) {
      this.initializers.add(t.name);
      this.info.set(t.name, { elem: t.dataType, dims: t.dims.slice() });
      if ((t.dataType === DT.INT64 || t.dataType === DT.INT32) && t.dims.length <= 1) {
        const v = tensorInts(t.raw);
        if (v) this.consts.set(t.name, v);
      }
    }
    for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) {
      if (this.info.has(v.name)) continue;
      this.info.set(v.name, {
        elem: v.elemType,
        dims: v.dims ? v.dims.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : null,
      });
    }
    for (const n of graph.nodes) this.infer(n);
  }

  get(name: string): TensorInfo {
    return this.info.get(name) ?? { elem: 0, dims: null };
  }

  rank(name: string): number | undefined {
    return this.get(name).dims?.length;
  }

  /** Constant integer values of a tensor, when known. */
  ints(name: string | undefined): number[] | undefined {
    return name ? this.consts.get(name) : undefined;
  }

  private set(name: string | undefined, elem: number, dims: Dim[] | null): void {
    if (!name) return;
    const old = this.info.get(name);
    // value_info from the exporter may know more than our propagation; keep whichever has a rank.
    if (old?.dims && (!dims || dims.every((d) => d === null))) {
      this.info.set(name, { elem: elem || old.elem, dims: old.dims });
      return;
    }
    this.info.set(name, { elem: elem || (old?.elem ?? 0), dims });
  }

  /** Folds small integer shape arithmetic (torch exports compute slice bounds and shapes this way). */
  private fold(n: OnnxNode): void {
    const out = n.output[0];
    if (!out || n.input.length === 0) return;
    const vals = n.input.filter(Boolean).map((i) => this.consts.get(i));
    if (vals.some((v) => v === undefined)) return;
    const v = vals as number[][];
    const a = v[0] as number[];
    const zip = (f: (p: number, q: number) => number): number[] | undefined => {
      const b = v[1] as number[];
      const len = Math.max(a.length, b.length);
      if ((a.length !== len && a.length !== 1) || (b.length !== len && b.length !== 1)) return undefined;
      return Array.from({ length: len }, (_, i) =>
        f(a[a.length === 1 ? 0 : i] as number, b[b.length === 1 ? 0 : i] as number),
      );
    };
    let r: number[] | undefined;
    switch (n.opType) {
      case 'Add':
        r = zip((p, q) => p + q);
        break;
      case 'Sub':
        r = zip((p, q) => p - q);
        break;
      case 'Mul':
        r = zip((p, q) => p * q);
        break;
      case 'Div':
        r = zip((p, q) => (q === 0 ? Number.NaN : Math.trunc(p / q)));
        break;
      case 'Neg':
        r = a.map((p) => -p);
        break;
      case 'Unsqueeze':
      case 'Squeeze':
      case 'Identity':
      case 'Reshape':
        r = a.slice();
        break;
      case 'Cast':
        r = [DT.INT64, DT.INT32].includes(attrInt(n, 'to', 0) as 7) ? a.slice() : undefined;
        break;
      case 'Concat':
        r = v.flat();
        break;
    }
    if (r?.every((x) => Number.isFinite(x)) && r.length <= 64) this.consts.set(out, r);
  }

  private infer(n: OnnxNode): void {
    if (n.domain === '' || n.domain === 'ai.onnx') this.fold(n);
    const x = this.get(n.input[0] ?? '');
    const out = n.output[0];
    const xd = x.dims;
    const same = () => this.set(out, x.elem, xd ? xd.slice() : null);
    if (n.domain !== '' && n.domain !== 'ai.onnx') return;
    switch (n.opType) {
      case 'Relu':
      case 'LeakyRelu':
      case 'PRelu':
      case 'Sigmoid':
      case 'Tanh':
      case 'Softmax':
      case 'LogSoftmax':
      case 'Erf':
      case 'Gelu':
      case 'Clip':
      case 'Identity':
      case 'Neg':
      case 'Exp':
      case 'Log':
      case 'Sqrt':
      case 'Abs':
      case 'Reciprocal':
      case 'Elu':
      case 'Selu':
      case 'Softplus':
      case 'HardSigmoid':
      case 'HardSwish':
      case 'Sin':
      case 'Cos':
      case 'LayerNormalization':
      case 'BatchNormalization':
      case 'InstanceNormalization':
      case 'LRN':
      case 'Dropout':
      case 'Slice':
      case 'Tile':
      case 'CumSum':
        same();
        if (n.opType === 'Slice' || n.opType === 'Tile')
          this.set(out, x.elem, xd ? xd.map(() => null) : null);
        if (n.opType === 'Dropout') this.set(n.output[1], DT.BOOL, xd ? xd.slice() : null);
        return;
      case 'Cast':
        this.set(out, attrInt(n, 'to', 0), xd ? xd.slice() : null);
        return;
      case 'Add':
      case 'Sub':
      case 'Mul':
      case 'Div':
      case 'Pow':
      case 'Max':
      case 'Min':
      case 'Sum':
      case 'Mean':
      case 'Equal':
      case 'Greater':
      case 'Less':
      case 'GreaterOrEqual':
      case 'LessOrEqual':
      case 'And':
      case 'Or':
      case 'Where': {
        const ins = n.opType === 'Where' ? n.input.slice(1) : n.input;
        const dims = broadcast(ins.map((i) => this.get(i).dims));
        const cmp = ['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'And', 'Or'].includes(
          n.opType,
        );
        const elem = cmp ? DT.BOOL : this.get(ins[0] ?? '').elem;
        this.set(out, elem, n.opType === 'Where' ? broadcast([dims, x.dims]) : dims);
        return;
      }
      case 'Conv':
      case 'ConvTranspose':
      case 'MaxPool':
      case 'AveragePool':
      case 'LpPool': {
        if (!xd) {
          this.set(out, x.elem, null);
          return;
        }
        const w = this.get(n.input[1] ?? '').dims;
        let c: Dim = xd[1] ?? null;
        if (n.opType === 'Conv') c = w?.[0] ?? null;
        if (n.opType === 'ConvTranspose') c = w?.[1] != null ? w[1] * attrInt(n, 'group', 1) : null;
        const sp = n.opType === 'ConvTranspose' ? xd.slice(2).map(() => null) : this.poolDims(n, xd, w);
        this.set(out, x.elem, [xd[0] ?? null, c, ...sp]);
        if (n.output[1]) this.set(n.output[1], DT.INT64, [xd[0] ?? null, c, ...sp]);
        return;
      }
      case 'GlobalAveragePool':
      case 'GlobalMaxPool':
        this.set(out, x.elem, xd ? [xd[0] ?? null, xd[1] ?? null, ...xd.slice(2).map(() => 1)] : null);
        return;
      case 'Gemm': {
        const b = this.get(n.input[1] ?? '').dims;
        const m = xd ? (xd[attrInt(n, 'transA', 0) ? 1 : 0] ?? null) : null;
        const k = b ? (b[attrInt(n, 'transB', 0) ? 0 : 1] ?? null) : null;
        this.set(out, x.elem, [m, k]);
        return;
      }
      case 'MatMul':
        this.set(out, x.elem, matmulDims(xd, this.get(n.input[1] ?? '').dims));
        return;
      case 'Flatten': {
        if (!xd) {
          this.set(out, x.elem, [null, null]);
          return;
        }
        let axis = attrInt(n, 'axis', 1);
        if (axis < 0) axis += xd.length;
        this.set(out, x.elem, [prod(xd.slice(0, axis)), prod(xd.slice(axis))]);
        return;
      }
      case 'Reshape': {
        const s = this.ints(n.input[1]);
        if (!s) {
          const len = this.get(n.input[1] ?? '').dims?.[0];
          this.set(out, x.elem, typeof len === 'number' ? Array(len).fill(null) : null);
          return;
        }
        const dims: Dim[] = s.map((v, i) => (v === 0 && !attrInt(n, 'allowzero', 0) ? (xd?.[i] ?? null) : v));
        const known = xd ? prod(xd) : null;
        const neg = dims.indexOf(-1);
        if (neg >= 0) {
          const rest = prod(dims.filter((_, i) => i !== neg));
          dims[neg] = known !== null && rest !== null && rest > 0 ? known / rest : null;
        }
        this.set(out, x.elem, dims);
        return;
      }
      case 'Transpose': {
        if (!xd) {
          this.set(out, x.elem, null);
          return;
        }
        const perm = attrInts(n, 'perm') ?? xd.map((_, i) => xd.length - 1 - i);
        this.set(
          out,
          x.elem,
          perm.map((p) => xd[p] ?? null),
        );
        return;
      }
      case 'Squeeze': {
        if (!xd) {
          this.set(out, x.elem, null);
          return;
        }
        const axes = (this.axesOf(n, 1) ?? xd.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) =>
          norm(a, xd.length),
        );
        this.set(
          out,
          x.elem,
          xd.filter((_, i) => !axes.includes(i)),
        );
        return;
      }
      case 'Unsqueeze': {
        const axes = this.axesOf(n, 1);
        if (!xd || !axes) {
          this.set(out, x.elem, null);
          return;
        }
        const r = xd.length + axes.length;
        const a = axes.map((v) => norm(v, r));
        const dims: Dim[] = [];
        let j = 0;
        for (let i = 0; i < r; i++) dims.push(a.includes(i) ? 1 : (xd[j++] ?? null));
        this.set(out, x.elem, dims);
        return;
      }
      case 'Concat': {
        const all = n.input.map((i) => this.get(i).dims);
        const first = all.find((d) => d !== null);
        if (!first) {
          this.set(out, x.elem, null);
          return;
        }
        const axis = norm(attrInt(n, 'axis', 0), first.length);
        const dims = first.slice();
        dims[axis] = all.every((d) => d !== null)
          ? all.reduce<Dim>((s, d) => (s === null || d?.[axis] == null ? null : s + (d[axis] as number)), 0)
          : null;
        this.set(out, x.elem, dims);
        return;
      }
      case 'Split': {
        if (!xd) return;
        const axis = norm(attrInt(n, 'axis', 0), xd.length);
        const sizes = this.ints(n.input[1]) ?? attrInts(n, 'split');
        n.output.forEach((o, k) => {
          const dims = xd.slice();
          const whole = xd[axis];
          dims[axis] = sizes ? (sizes[k] ?? null) : whole != null ? whole / n.output.length : null;
          this.set(o, x.elem, dims);
        });
        return;
      }
      case 'Gather': {
        const idx = this.get(n.input[1] ?? '').dims;
        if (!xd || !idx) {
          this.set(out, x.elem, null);
          return;
        }
        const axis = norm(attrInt(n, 'axis', 0), xd.length);
        this.set(out, x.elem, [...xd.slice(0, axis), ...idx, ...xd.slice(axis + 1)]);
        if (x.elem === DT.INT64 && idx.length <= 1) {
          const v = this.ints(n.input[0]);
          const i = this.ints(n.input[1]);
          if (v && i && axis === 0) {
            const got = i.map((k) => v[k < 0 ? k + v.length : k]);
            if (got.every((g) => g !== undefined) && out) this.consts.set(out, got as number[]);
          }
        }
        return;
      }
      case 'Pad': {
        if (!xd) {
          this.set(out, x.elem, null);
          return;
        }
        const pads = this.ints(n.input[1]) ?? attrInts(n, 'pads');
        this.set(
          out,
          x.elem,
          xd.map((d, i) => (pads && d !== null ? d + (pads[i] ?? 0) + (pads[i + xd.length] ?? 0) : null)),
        );
        return;
      }
      case 'ReduceMean':
      case 'ReduceSum':
      case 'ReduceMax':
      case 'ReduceMin':
      case 'ReduceProd':
      case 'ReduceL2':
      case 'ReduceLogSumExp':
      case 'ArgMax':
      case 'ArgMin': {
        if (!xd) {
          this.set(out, x.elem, null);
          return;
        }
        const arg = n.opType.startsWith('Arg');
        const axes = arg
          ? [attrInt(n, 'axis', 0)]
          : (this.axesOf(n, n.opType === 'ReduceSum' || this.opset >= 18 ? 1 : -1) ?? []);
        const a = axes.length ? axes.map((v) => norm(v, xd.length)) : xd.map((_, i) => i);
        const empty = axes.length === 0 && attrInt(n, 'noop_with_empty_axes', 0) === 1;
        const keep = attrInt(n, 'keepdims', 1) === 1;
        const dims = empty
          ? xd.slice()
          : keep
            ? xd.map((d, i) => (a.includes(i) ? 1 : d))
            : xd.filter((_, i) => !a.includes(i));
        this.set(out, arg ? DT.INT64 : x.elem, dims);
        return;
      }
      case 'Shape': {
        const r = xd?.length;
        if (r === undefined) {
          this.set(out, DT.INT64, [null]);
          return;
        }
        let s = norm(attrInt(n, 'start', 0), r);
        let e = hasAttr(n, 'end') ? norm(attrInt(n, 'end', r), r) : r;
        s = Math.max(0, Math.min(s, r));
        e = Math.max(s, Math.min(e, r));
        this.set(out, DT.INT64, [e - s]);
        const known = xd?.slice(s, e);
        if (out && known?.every((d) => d !== null)) this.consts.set(out, known as number[]);
        return;
      }
      case 'Size': {
        this.set(out, DT.INT64, []);
        return;
      }
      case 'Constant': {
        const t = n.attrs.find((a) => a.name === 'value')?.t;
        if (!t) return;
        const meta = tensorMeta(t);
        this.set(out, meta.dataType, meta.dims);
        const v = attrTensorInts(n, 'value');
        if (v && out && meta.dims.length <= 1) this.consts.set(out, v);
        return;
      }
      case 'ConstantOfShape': {
        const s = this.ints(n.input[0]);
        const t = n.attrs.find((a) => a.name === 'value')?.t;
        const elem = t ? tensorMeta(t).dataType : DT.FLOAT;
        const len = this.get(n.input[0] ?? '').dims?.[0];
        this.set(out, elem, s ?? (typeof len === 'number' ? Array(len).fill(null) : null));
        return;
      }
      case 'Expand': {
        const s = this.ints(n.input[1]);
        const len = this.get(n.input[1] ?? '').dims?.[0];
        const target = s ?? (typeof len === 'number' ? Array(len).fill(null) : null);
        this.set(out, x.elem, target ? broadcast([xd, target.map((d) => (d === 1 ? null : d))]) : null);
        return;
      }
      case 'TopK':
        same();
        this.set(n.output[1], DT.INT64, xd ? xd.map(() => null) : null);
        this.set(out, x.elem, xd ? xd.map(() => null) : null);
        return;
      case 'Range': {
        this.set(out, x.elem, [null]);
        return;
      }
      default:
        return;
    }
  }

  /** Axes from input `i` (opset ≥ 13 style) or the `axes` attribute; undefined when absent or not constant. */
  axesOf(n: OnnxNode, i: number): number[] | undefined {
    if (i >= 0 && n.input[i]) return this.ints(n.input[i]);
    return attrInts(n, 'axes');
  }

  private poolDims(n: OnnxNode, xd: Dim[], w: Dim[] | null): Dim[] {
    const sp = xd.slice(2);
    const k = attrInts(n, 'kernel_shape') ?? (w ? (w.slice(2) as Dim[]) : []);
    const s = attrInts(n, 'strides') ?? sp.map(() => 1);
    const d = attrInts(n, 'dilations') ?? sp.map(() => 1);
    const p = attrInts(n, 'pads') ?? sp.flatMap(() => [0, 0]);
    const autoPad = n.attrs.find((a) => a.name === 'auto_pad')?.s;
    const ap = autoPad ? new TextDecoder().decode(autoPad) : 'NOTSET';
    const ceil = attrInt(n, 'ceil_mode', 0) === 1;
    return sp.map((x, i) => {
      const ki = k[i];
      const si = s[i] ?? 1;
      if (x === null || ki == null) return null;
      if (ap === 'SAME_UPPER' || ap === 'SAME_LOWER') return Math.ceil(x / si);
      const eff = (ki - 1) * (d[i] ?? 1) + 1;
      const padded = x + (ap === 'VALID' ? 0 : (p[i] ?? 0) + (p[i + sp.length] ?? 0));
      const q = (padded - eff) / si;
      return (ceil ? Math.ceil(q) : Math.floor(q)) + 1;
    });
  }
}

export function norm(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

function prod(ds: readonly Dim[]): Dim {
  let p = 1;
  for (const d of ds) {
    if (d === null) return null;
    p *= d;
  }
  return p;
}

/** Numpy broadcasting of known ranks; unknown dims stay unknown unless another operand fixes them (>1). */
export function broadcast(all: readonly (Dim[] | null)[]): Dim[] | null {
  if (all.some((d) => d === null)) return null;
  const ds = all as Dim[][];
  const r = Math.max(0, ...ds.map((d) => d.length));
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    let v: Dim = 1;
    for (const d of ds) {
      const x = d[i - (r - d.length)];
      if (x === undefined || x === 1) continue;
      if (x === null) v = v === 1 ? null : v;
      else v = x;
    }
    out.push(v);
  }
  return out;
}

function matmulDims(a: Dim[] | null, b: Dim[] | null): Dim[] | null {
  if (!a || !b) return null;
  const a2 = a.length === 1 ? [1, a[0] ?? null] : a;
  const b2 = b.length === 1 ? [b[0] ?? null, 1] : b;
  const batch = broadcast([a2.slice(0, -2), b2.slice(0, -2)]) ?? [];
  const out = [...batch, a2[a2.length - 2] ?? null, b2[b2.length - 1] ?? null];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}
