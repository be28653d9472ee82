import { attrFloat } from '../attrs.js';
import type { GradRule } from './rule.js';

/** Element-wise ops beyond the list, and their pooled/normalised relatives. */

const reciprocal: GradRule = (c) => {
  const e = c.e;
  const y = c.y(0);
  return [e.op('Neg', [e.op('Mul', [c.dyOrZero(0), e.op('Mul', [y, y])])])];
};

/** Elu: dY where x > 0, dY·(y + α) elsewhere. */
const elu: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const alpha = attrFloat(c.node, 'alpha', 1);
  return [
    e.op('Where', [
      e.op('Greater', [c.x(0), e.f(0)]),
      dy,
      e.op('Mul', [dy, e.op('Add', [c.y(0), e.f(alpha)])]),
    ]),
  ];
};

/** Selu: γ·dY where x > 0, dY·(y + γα) elsewhere. */
const selu: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const alpha = attrFloat(c.node, 'alpha', Math.fround(1.6732632423543772));
  const gamma = attrFloat(c.node, 'gamma', Math.fround(1.0507009873554805));
  return [
    e.op('Where', [
      e.op('Greater', [c.x(0), e.f(0)]),
      e.op('Mul', [dy, e.f(gamma)]),
      e.op('Mul', [dy, e.op('Add', [c.y(0), e.f(gamma * alpha)])]),
    ]),
  ];
};

const softplus: GradRule = (c) => [c.e.op('Mul', [c.dyOrZero(0), c.e.op('Sigmoid', [c.x(0)])])];

/** HardSigmoid: α·dY where 0 < αx + β < 1. */
const hardSigmoid: GradRule = (c) => {
  const e = c.e;
  const alpha = attrFloat(c.node, 'alpha', 0.2);
  const beta = attrFloat(c.node, 'beta', 0.5);
  const t = e.op('Add', [e.op('Mul', [c.x(0), e.f(alpha)]), e.f(beta)]);
  const inside = e.op('And', [e.op('Greater', [t, e.f(0)]), e.op('Less', [t, e.f(1)])]);
  return [e.op('Where', [inside, e.op('Mul', [c.dyOrZero(0), e.f(alpha)]), e.f(0)])];
};

/** HardSwish y = x·clip(x/6 + 1/2, 0, 1): slope 0 below −3, 1 above 3, x/3 + 1/2 between. */
const hardSwish: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  const mid = e.op('Add', [e.op('Div', [x, e.f(3)]), e.f(0.5)]);
  const slope = e.op('Where', [
    e.op('LessOrEqual', [x, e.f(-3)]),
    e.f(0),
    e.op('Where', [e.op('GreaterOrEqual', [x, e.f(3)]), e.f(1), mid]),
  ]);
  return [e.op('Mul', [c.dyOrZero(0), slope])];
};

const sin: GradRule = (c) => [c.e.op('Mul', [c.dyOrZero(0), c.e.op('Cos', [c.x(0)])])];
const cos: GradRule = (c) => [c.e.op('Neg', [c.e.op('Mul', [c.dyOrZero(0), c.e.op('Sin', [c.x(0)])])])];

/** Max/Min of n inputs: the gradient goes to the inputs equal to the result, split evenly on ties. */
const extreme: GradRule = (c) => {
  const e = c.e;
  const y = c.y(0);
  const masks = c.node.input.map((x) => e.toFloat(e.op('Equal', [x, y])));
  const count = masks.length === 1 ? (masks[0] as string) : e.op('Sum', masks);
  const share = e.op('Div', [c.dyOrZero(0), count]);
  return c.node.input.map((x, i) =>
    c.needs(i)
      ? e.sumTo(
          e.op('Mul', [share, masks[i] as string]),
          x,
          c.node.input.filter((_, j) => j !== i),
        )
      : undefined,
  );
};

/** GlobalMaxPool: dY to the maximal elements of each plane, split evenly on ties. */
const globalMaxPool: GradRule = (c) => {
  const e = c.e;
  const r = e.rank(c.x(0), 'GlobalMaxPool');
  const mask = e.toFloat(e.op('Equal', [c.x(0), c.y(0)]));
  const ties = e.reduceSum(
    mask,
    Array.from({ length: r - 2 }, (_, i) => i + 2),
    true,
  );
  return [e.op('Mul', [mask, e.op('Div', [c.dyOrZero(0), ties])])];
};

/**
 * InstanceNormalization: layer normalisation over the spatial axes of each (sample, channel) with a
 * per-channel scale: dX = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)), g = dY · γ.
 */
const instanceNorm: GradRule = (c) => {
  const e = c.e;
  if ([1, 2].some((i) => c.needs(i)))
    c.unsupported('gradients with respect to InstanceNormalization parameters');
  const x = c.x(0);
  const r = e.rank(x, 'InstanceNormalization');
  const axes = Array.from({ length: r - 2 }, (_, i) => i + 2);
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  const mean = (t: string) => e.reduce('ReduceMean', t, axes, true);
  const xc = e.op('Sub', [x, mean(x)]);
  const inv = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [mean(e.op('Mul', [xc, xc])), e.f(eps)])])]);
  const xh = e.op('Mul', [xc, inv]);
  const g = e.op('Mul', [
    c.dyOrZero(0),
    e.unsqueeze(
      c.x(1),
      axes.map((a) => a - 1),
    ),
  ]);
  const inner = e.op('Sub', [e.op('Sub', [g, mean(g)]), e.op('Mul', [xh, mean(e.op('Mul', [g, xh]))])]);
  return [e.op('Mul', [inv, inner])];
};

export const EXTRA_RULES: Record<string, GradRule> = {
  Reciprocal: reciprocal,
  Elu: elu,
  Selu: selu,
  Softplus: softplus,
  HardSigmoid: hardSigmoid,
  HardSwish: hardSwish,
  Sin: sin,
  Cos: cos,
  Max: extreme,
  Min: extreme,
  GlobalMaxPool: globalMaxPool,
  InstanceNormalization: instanceNorm,
};
