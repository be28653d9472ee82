import { A } from './attrs.js';
import { OnnxGraphError } from './errors.js';
import type { GraphInfo } from './infer.js';
import type { Attr, OnnxGraph, OnnxNode } from './model.js';
import { DT, makeTensor } from './tensor.js';

/** Largest int64, the "to the end" bound of Slice. */
export const INT64_MAX = 9223372036854775807n;

/**
 * Appends nodes and constants to a graph under fresh names (prefix `mg/`), with helpers for the
 * small subgraphs gradient rules share (shapes, zeros, broadcast reduction). `ft` is the float type
 * gradients are computed in (the input's).
 */
export class Emitter {
  private k = 0;
  private readonly used = new Set<string>();
  private readonly shapes = new Map<string, string>();
  private readonly consts = new Map<string, string>();

  constructor(
    readonly graph: OnnxGraph,
    readonly gi: GraphInfo,
    readonly ft: number,
    readonly opset: number,
  ) {
    for (const n of graph.nodes) {
      this.used.add(n.name);
      for (const o of n.output) this.used.add(o);
    }
    for (const t of graph.initializers) this.used.add(t.name);
    for (const v of graph.inputs) this.used.add(v.name);
  }

  fresh(base: string): string {
    let name: string;
    do name = `mg/${base}_${this.k++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  /** Appends a node; returns its output names. */
  node(op: string, inputs: readonly string[], attrs: Attr[] = [], nOut = 1): string[] {
    const outputs = Array.from({ length: nOut }, () => this.fresh(op));
    const n: OnnxNode = {
      name: this.fresh(`${op}_node`),
      opType: op,
      domain: '',
      input: inputs.slice(),
      output: outputs,
      attrs,
      extra: [],
    };
    this.graph.nodes.push(n);
    return outputs;
  }

  op(op: string, inputs: readonly string[], attrs: Attr[] = []): string {
    return this.node(op, inputs, attrs)[0] as string;
  }

  private constant(
    key: string,
    dataType: number,
    dims: number[],
    values: readonly (number | bigint)[],
  ): string {
    const hit = this.consts.get(key);
    if (hit) return hit;
    const name = this.fresh('const');
    this.graph.initializers.push({ name, dataType, dims, raw: makeTensor(name, dataType, dims, values) });
    this.gi.info.set(name, { elem: dataType, dims });
    if (dataType === DT.INT64) this.gi.consts.set(name, values.map(Number));
    this.consts.set(key, name);
    return name;
  }

  /** A float constant of the gradient type; `dims` defaults to a scalar. */
  f(values: number | readonly number[], dims?: number[]): string {
    const v = typeof values === 'number' ? [values] : values;
    const d = dims ?? (typeof values === 'number' ? [] : [v.length]);
    return this.constant(`f${this.ft}:${d.join(',')}:${v.join(',')}`, this.ft, d, v);
  }

  /** An int64 constant (1-D unless `dims` says otherwise). */
  i(values: readonly (number | bigint)[], dims?: number[]): string {
    const d = dims ?? [values.length];
    return this.constant(`i:${d.join(',')}:${values.join(',')}`, DT.INT64, d, values);
  }

  shape(x: string): string {
    let s = this.shapes.get(x);
    if (!s) {
      s = this.op('Shape', [x]);
      this.shapes.set(x, s);
    }
    return s;
  }

  /** Zeros of a shape given as a 1-D int64 tensor, in the gradient type. */
  zeros(shape: string): string {
    return this.op('ConstantOfShape', [shape], [A.tensor('value', makeTensor('', this.ft, [1], [0]))]);
  }

  /** Zeros with the shape of `x`, in the gradient type. */
  zerosLike(x: string): string {
    return this.zeros(this.shape(x));
  }

  onesLike(x: string): string {
    return this.op(
      'ConstantOfShape',
      [this.shape(x)],
      [A.tensor('value', makeTensor('', this.ft, [1], [1]))],
    );
  }

  reduceSum(x: string, axes: readonly number[] | string, keepdims: boolean): string {
    const ax = typeof axes === 'string' ? axes : this.i(axes);
    return this.op('ReduceSum', [x, ax], [A.int('keepdims', keepdims ? 1 : 0)]);
  }

  /** ReduceMean / ReduceMax / ReduceMin over constant axes (attribute before opset 18, input after). */
  reduce(op: string, x: string, axes: readonly number[], keepdims: boolean): string {
    if (this.opset >= 18) return this.op(op, [x, this.i(axes)], [A.int('keepdims', keepdims ? 1 : 0)]);
    return this.op(op, [x], [A.ints('axes', axes.slice()), A.int('keepdims', keepdims ? 1 : 0)]);
  }

  unsqueeze(x: string, axes: readonly number[]): string {
    return this.op('Unsqueeze', [x, this.i(axes)]);
  }

  reshapeLike(x: string, like: string): string {
    return this.op('Reshape', [x, this.shape(like)]);
  }

  /** Cast a tensor (bool, int) to the gradient float type. */
  toFloat(x: string): string {
    return this.op('Cast', [x], [A.int('to', this.ft)]);
  }

  /**
   * Sums a gradient `g` of a broadcast result back to the shape of operand `target` (numpy broadcasting
   * with `peers`, the other operands; the last `fixed` axes never broadcast). Static axes when the shapes tell; otherwise the axes are computed
   * at run time from the two shapes.
   */
  sumTo(g: string, target: string, peers: readonly string[], fixed = 0): string {
    const t = this.gi.get(target).dims;
    const all = [t, ...peers.map((p) => this.gi.get(p).dims)];
    if (t && all.every((d) => d !== null)) {
      const r = Math.max(...all.map((d) => (d as unknown[]).length));
      const lead = r - t.length;
      const axes: number[] = [];
      let unknown = false;
      for (let i = 0; i < r; i++) {
        if (i >= r - fixed) continue;
        if (i < lead) {
          axes.push(i);
          continue;
        }
        const ti = t[i - lead];
        if (ti === 1) axes.push(i);
        else if (ti === null) {
          const others = peers.map((p) => {
            const d = this.gi.get(p).dims as unknown[];
            return d[i - (r - d.length)];
          });
          if (!others.every((o) => o === undefined || o === 1)) unknown = true;
        }
      }
      if (!unknown) {
        if (axes.length === 0) return g;
        const s = this.reduceSum(g, axes, true);
        return lead > 0 ? this.reshapeLike(s, target) : s;
      }
    }
    return this.sumToDynamic(g, target);
  }

  /** Reduction axes computed at run time: where target's (left-padded) dim is 1 and g's is not. */
  sumToDynamic(g: string, target: string): string {
    const sg = this.shape(g);
    const st = this.shape(target);
    // target's shape left-padded with ones to g's rank: the last rank(g) entries of [1]*rank(g) ++ shape(target)
    const rg = this.op('Shape', [sg]);
    const ones = this.op('ConstantOfShape', [rg], [A.tensor('value', makeTensor('', DT.INT64, [1], [1]))]);
    const both = this.op('Concat', [ones, st], [A.int('axis', 0)]);
    const padded = this.op('Slice', [both, this.op('Neg', [rg]), this.i([INT64_MAX])]);
    const one = this.i([1]);
    const mask = this.op('And', [
      this.op('Equal', [padded, one]),
      this.op('Not', [this.op('Equal', [sg, one])]),
    ]);
    const axes = this.op('Reshape', [this.op('NonZero', [mask]), this.i([-1])]);
    const s = this.op('ReduceSum', [g, axes], [A.int('keepdims', 1), A.int('noop_with_empty_axes', 1)]);
    return this.op('Reshape', [s, st]);
  }

  rank(x: string, what: string): number {
    const r = this.gi.rank(x);
    if (r === undefined)
      throw new OnnxGraphError(`${what}: the rank of ${JSON.stringify(x)} is not known statically`);
    return r;
  }
}
