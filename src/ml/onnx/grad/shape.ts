import { A, attrInt, attrInts, attrString } from '../attrs.js';
import { norm } from '../infer.js';
import type { GradRule, RuleCtx } from './rule.js';

const transpose: GradRule = (c) => {
  const r = c.e.rank(c.x(0), 'Transpose');
  const perm = attrInts(c.node, 'perm') ?? [...Array(r).keys()].reverse();
  const inv = perm.slice();
  perm.forEach((p, i) => {
    inv[p] = i;
  });
  return [c.e.op('Transpose', [c.dyOrZero(0)], [A.ints('perm', inv)])];
};

/** Concat: split dY back by the inputs' sizes along the axis (read from their shapes at run time). */
const concat: GradRule = (c) => {
  const e = c.e;
  const r = e.rank(c.x(0), 'Concat');
  const axis = norm(attrInt(c.node, 'axis', 0), r);
  const ins = c.node.input;
  const sizes = e.op(
    'Concat',
    ins.map((x) => e.op('Gather', [e.shape(x), e.i([axis])], [A.int('axis', 0)])),
    [A.int('axis', 0)],
  );
  const parts = e.node('Split', [c.dyOrZero(0), sizes], [A.int('axis', axis)], ins.length);
  return parts.map((p, i) => (c.needs(i) ? p : undefined));
};

/** Split: concatenate the outputs' gradients (zeros for outputs nothing reached). */
const split: GradRule = (c) => {
  const r = c.e.rank(c.x(0), 'Split');
  const axis = norm(attrInt(c.node, 'axis', 0), r);
  const parts = c.node.output.map((_, i) => c.dyOrZero(i));
  return [c.e.op('Concat', parts, [A.int('axis', axis)])];
};

/** Gradient of Gather along `axis` with the indices tensor `idx`: a ScatterND(add) on the axis moved first. */
function gatherBack(c: RuleCtx, dy: string, axis: number, idx: string): string {
  const e = c.e;
  const x = c.x(0);
  const r = e.rank(x, 'Gather');
  const q = e.rank(idx, 'Gather indices');
  // dY: x[:axis] + idx + x[axis+1:] → idx + x[:axis] + x[axis+1:]
  const permY = [
    ...Array.from({ length: q }, (_, i) => axis + i),
    ...Array.from({ length: axis }, (_, i) => i),
    ...Array.from({ length: r - axis - 1 }, (_, i) => axis + q + i),
  ];
  const dyT = permY.every((p, i) => p === i) ? dy : e.op('Transpose', [dy], [A.ints('perm', permY)]);
  const permX = [axis, ...Array.from({ length: r }, (_, i) => i).filter((i) => i !== axis)];
  const xT = axis === 0 ? x : e.op('Transpose', [x], [A.ints('perm', permX)]);
  const d = e.op('Gather', [e.shape(x), e.i([axis], [])], [A.int('axis', 0)]);
  const pos = e.op('Where', [e.op('Less', [idx, e.i([0], [])]), e.op('Add', [idx, d]), idx]);
  const s = e.op('ScatterND', [e.zerosLike(xT), e.unsqueeze(pos, [q]), dyT], [A.string('reduction', 'add')]);
  if (axis === 0) return s;
  const inv = permX.slice();
  permX.forEach((p, i) => {
    inv[p] = i;
  });
  return e.op('Transpose', [s], [A.ints('perm', inv)]);
}

const gather: GradRule = (c) => {
  const r = c.e.rank(c.x(0), 'Gather');
  return [gatherBack(c, c.dyOrZero(0), norm(attrInt(c.node, 'axis', 0), r), c.x(1))];
};

/**
 * Slice: zero-pad dY back (steps of 1, static sizes on the sliced axes) or, for other steps, scatter it
 * to the statically known selected positions of each sliced axis.
 */
const slice: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  const dims = c.gi.get(x).dims;
  if (!dims) return c.unsupported('the input rank is not known statically');
  const r = dims.length;
  const starts = c.gi.ints(c.x(1));
  const ends = c.gi.ints(c.x(2));
  const axes = c.x(3) ? c.gi.ints(c.x(3)) : [...Array(starts?.length ?? 0).keys()];
  const steps = c.x(4) ? c.gi.ints(c.x(4)) : starts?.map(() => 1);
  if (!starts || !ends || !axes || !steps)
    return c.unsupported('starts/ends/axes/steps that are not constant');
  const sel: { axis: number; idx: number[] }[] = [];
  for (let k = 0; k < starts.length; k++) {
    const axis = norm(axes[k] as number, r);
    const d = dims[axis];
    if (d == null) return c.unsupported(`the size of sliced axis ${axis} is not known statically`);
    const step = steps[k] as number;
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
    let s = starts[k] as number;
    let t = ends[k] as number;
    s = s < 0 ? s + d : s;
    t = t < 0 ? t + d : t;
    const idx: number[] = [];
    if (step > 0) for (let i = clamp(s, 0, d); i < clamp(t, 0, d); i += step) idx.push(i);
    else for (let i = clamp(s, -1, d - 1); i > clamp(t, -1, d - 1); i += step) idx.push(i);
    sel.push({ axis, idx });
  }
  let g = c.dyOrZero(0);
  if (steps.every((s) => s === 1)) {
    const pads = Array(2 * r).fill(0);
    for (const { axis, idx } of sel) {
      const d = dims[axis] as number;
      pads[axis] = idx.length ? (idx[0] as number) : 0;
      pads[axis + r] = idx.length ? d - (idx[idx.length - 1] as number) - 1 : d;
    }
    return [e.op('Pad', [g, e.i(pads)])];
  }
  // Scatter axis by axis, last slice first; shapes of the intermediate tensors are static.
  const shape = dims.slice();
  for (const s of sel) shape[s.axis] = s.idx.length;
  for (let k = sel.length - 1; k >= 0; k--) {
    const { axis, idx } = sel[k] as { axis: number; idx: number[] };
    shape[axis] = dims[axis] as number;
    const before = e.op(
      'Concat',
      shape.map((d, i) =>
        d == null ? e.op('Gather', [e.shape(x), e.i([i])], [A.int('axis', 0)]) : e.i([d]),
      ),
      [A.int('axis', 0)],
    );
    const idxShape = Array(r).fill(1);
    idxShape[axis] = idx.length;
    const ind = e.op('Expand', [e.i(idx, idxShape), e.shape(g)]);
    g = e.op(
      'ScatterElements',
      [e.zeros(before), ind, g],
      [A.int('axis', axis), A.string('reduction', 'add')],
    );
  }
  return [g];
};

/** Pad (constant mode): crop dY by padding it with the negated pads. */
const pad: GradRule = (c) => {
  const e = c.e;
  if (attrString(c.node, 'mode', 'constant') !== 'constant') c.unsupported('Pad modes other than constant');
  if (c.gi.opset < 11) c.unsupported('Pad with pads as an attribute (opset < 11)');
  const ins = [c.dyOrZero(0), e.op('Neg', [c.x(1)])];
  if (c.x(3)) ins.push('', c.x(3));
  return [e.op('Pad', ins)];
};

/** Expand: sum dY back over the broadcast axes (static when the output shape is known). */
const expand: GradRule = (c) => {
  const yd = c.gi.get(c.y(0)).dims;
  if (yd?.every((d) => d !== null)) return [c.e.sumTo(c.dyOrZero(0), c.x(0), [c.y(0)])];
  return [c.e.sumToDynamic(c.dyOrZero(0), c.x(0))];
};

const where: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const zero = e.f(0);
  return [
    undefined,
    c.needs(1) ? e.sumTo(e.op('Where', [c.x(0), dy, zero]), c.x(1), [c.x(0), c.x(2)]) : undefined,
    c.needs(2) ? e.sumTo(e.op('Where', [c.x(0), zero, dy]), c.x(2), [c.x(0), c.x(1)]) : undefined,
  ];
};

/** Pow with respect to the base: p · x^(p−1). */
const pow: GradRule = (c) => {
  const e = c.e;
  if (c.needs(1)) c.unsupported('gradients with respect to the exponent of Pow');
  const p = c.x(1);
  const pf = c.gi.get(p).elem === e.ft ? p : e.op('Cast', [p], [A.int('to', e.ft)]);
  const d = e.op('Mul', [pf, e.op('Pow', [c.x(0), e.op('Sub', [pf, e.f(1)])])]);
  return [e.sumTo(e.op('Mul', [c.dyOrZero(0), d]), c.x(0), [p])];
};

const abs: GradRule = (c) => [c.e.op('Mul', [c.dyOrZero(0), c.e.op('Sign', [c.x(0)])])];

export const SHAPE_RULES: Record<string, GradRule> = {
  Transpose: transpose,
  Concat: concat,
  Split: split,
  Gather: gather,
  Slice: slice,
  Pad: pad,
  Expand: expand,
  Where: where,
  Pow: pow,
  Abs: abs,
};
