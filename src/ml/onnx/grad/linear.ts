import { A, attrFloat, attrInt } from '../attrs.js';
import type { GradRule } from './rule.js';

/** Y = α·op(A)·op(B) + β·C. */
const gemm: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const ta = attrInt(c.node, 'transA', 0);
  const tb = attrInt(c.node, 'transB', 0);
  const alpha = A.float('alpha', attrFloat(c.node, 'alpha', 1));
  const beta = attrFloat(c.node, 'beta', 1);
  const a = c.x(0);
  const b = c.x(1);
  const da = !c.needs(0)
    ? undefined
    : ta
      ? e.op('Gemm', [b, dy], [alpha, A.int('transA', tb), A.int('transB', 1)])
      : e.op('Gemm', [dy, b], [alpha, A.int('transB', tb ? 0 : 1)]);
  const db = !c.needs(1)
    ? undefined
    : tb
      ? e.op('Gemm', [dy, a], [alpha, A.int('transA', 1), A.int('transB', ta)])
      : e.op('Gemm', [a, dy], [alpha, A.int('transA', ta ? 0 : 1)]);
  const dc = c.needs(2)
    ? e.sumTo(beta === 1 ? dy : e.op('Mul', [dy, e.f(beta)]), c.x(2), [c.y(0)])
    : undefined;
  return [da, db, dc];
};

/** Swaps the last two axes of a tensor of rank r ≥ 2. */
function swapLast(c: Parameters<GradRule>[0], x: string, r: number): string {
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[r - 1] = r - 2;
  perm[r - 2] = r - 1;
  return c.e.op('Transpose', [x], [A.ints('perm', perm)]);
}

/**
 * MatMul with numpy semantics: 1-D operands are promoted (A: [k] → [1,k], B: [k] → [k,1]) and the
 * batch dimensions broadcast; gradients are summed back over broadcast batch dimensions.
 */
const matmul: GradRule = (c) => {
  const e = c.e;
  const a = c.x(0);
  const b = c.x(1);
  const ra = e.rank(a, 'MatMul');
  const rb = e.rank(b, 'MatMul');
  const r = Math.max(ra, rb, 2);
  let dy = c.dyOrZero(0);
  if (ra === 1 && rb === 1) dy = e.unsqueeze(dy, [0, 1]);
  else if (ra === 1) dy = e.unsqueeze(dy, [-2]);
  else if (rb === 1) dy = e.unsqueeze(dy, [-1]);
  const a2 = ra === 1 ? e.unsqueeze(a, [0]) : a;
  const b2 = rb === 1 ? e.unsqueeze(b, [1]) : b;
  const out: (string | undefined)[] = [undefined, undefined];
  if (c.needs(0)) {
    const g = e.op('MatMul', [dy, swapLast(c, b2, Math.max(rb, 2))]);
    const all = Array.from({ length: r - 1 }, (_, i) => i);
    out[0] = ra === 1 ? e.reshapeLike(e.reduceSum(g, all, false), a) : e.sumTo(g, a, [b2], 2);
  }
  if (c.needs(1)) {
    const g = e.op('MatMul', [swapLast(c, a2, Math.max(ra, 2)), dy]);
    const all = Array.from({ length: r }, (_, i) => i).filter((i) => i !== r - 2);
    out[1] = rb === 1 ? e.reshapeLike(e.reduceSum(g, all, false), b) : e.sumTo(g, b, [a2], 2);
  }
  return out;
};

export const LINEAR_RULES: Record<string, GradRule> = { Gemm: gemm, MatMul: matmul };
