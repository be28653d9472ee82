import { attrInt } from '../attrs.js';
import { norm } from '../infer.js';
import type { GradRule, RuleCtx } from './rule.js';

/** Axes of a Reduce node (input from opset 13/18 on, attribute before); [] = all (or none with noop). */
function reduceAxes(c: RuleCtx): number[] | 'noop' {
  const r = c.e.rank(c.x(0), c.node.opType);
  const fromInput = c.node.opType === 'ReduceSum' || c.gi.opset >= 18;
  let axes = c.gi.axesOf(c.node, fromInput ? 1 : -1);
  if (fromInput && c.x(1) && !axes) c.unsupported('axes that are not constant');
  axes ??= [];
  if (axes.length === 0)
    return attrInt(c.node, 'noop_with_empty_axes', 0) === 1 ? 'noop' : [...Array(r).keys()];
  return axes.map((a) => norm(a, r));
}

/** dY brought back to X's shape (keepdims restored, then expanded). */
function spread(c: RuleCtx, axes: number[]): string {
  const e = c.e;
  let dy = c.dyOrZero(0);
  if (attrInt(c.node, 'keepdims', 1) === 0)
    dy = e.unsqueeze(
      dy,
      axes.slice().sort((a, b) => a - b),
    );
  return e.op('Expand', [dy, e.shape(c.x(0))]);
}

const reduceSum: GradRule = (c) => {
  const axes = reduceAxes(c);
  return [axes === 'noop' ? c.dyOrZero(0) : spread(c, axes)];
};

/** Mean: spread / count, count = |X| / |Y| at run time. */
const reduceMean: GradRule = (c) => {
  const e = c.e;
  const axes = reduceAxes(c);
  if (axes === 'noop') return [c.dyOrZero(0)];
  const n = e.op('Div', [e.toFloat(e.op('Size', [c.x(0)])), e.toFloat(e.op('Size', [c.y(0)]))]);
  return [e.op('Div', [spread(c, axes), n])];
};

/** Max/Min: the gradient goes to the extreme elements, split evenly between ties (as PyTorch's amax). */
const reduceExtreme: GradRule = (c) => {
  const e = c.e;
  const axes = reduceAxes(c);
  if (axes === 'noop') return [c.dyOrZero(0)];
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const y = keep
    ? c.y(0)
    : e.unsqueeze(
        c.y(0),
        axes.slice().sort((a, b) => a - b),
      );
  const mask = e.toFloat(e.op('Equal', [c.x(0), y]));
  const ties = e.reduceSum(mask, axes, true);
  return [e.op('Div', [e.op('Mul', [spread(c, axes), mask]), ties])];
};

export const REDUCE_RULES: Record<string, GradRule> = {
  ReduceSum: reduceSum,
  ReduceMean: reduceMean,
  ReduceMax: reduceExtreme,
  ReduceMin: reduceExtreme,
};
