import { A } from '../attrs.js';
import type { GradRule } from './rule.js';

const add: GradRule = (c) => [
  c.needs(0) ? c.e.sumTo(c.dyOrZero(0), c.x(0), [c.x(1)]) : undefined,
  c.needs(1) ? c.e.sumTo(c.dyOrZero(0), c.x(1), [c.x(0)]) : undefined,
];

const sub: GradRule = (c) => [
  c.needs(0) ? c.e.sumTo(c.dyOrZero(0), c.x(0), [c.x(1)]) : undefined,
  c.needs(1) ? c.e.sumTo(c.e.op('Neg', [c.dyOrZero(0)]), c.x(1), [c.x(0)]) : undefined,
];

const mul: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  return [
    c.needs(0) ? e.sumTo(e.op('Mul', [dy, c.x(1)]), c.x(0), [c.x(1)]) : undefined,
    c.needs(1) ? e.sumTo(e.op('Mul', [dy, c.x(0)]), c.x(1), [c.x(0)]) : undefined,
  ];
};

const div: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const b = c.x(1);
  return [
    c.needs(0) ? e.sumTo(e.op('Div', [dy, b]), c.x(0), [b]) : undefined,
    // d(a/b)/db = −a/b² = −y/b
    c.needs(1) ? e.sumTo(e.op('Neg', [e.op('Div', [e.op('Mul', [dy, c.y(0)]), b])]), b, [c.x(0)]) : undefined,
  ];
};

/** Ops whose output is their first input, reshaped or not (gradient: reshape back). */
const reshapeBack: GradRule = (c) => [c.e.reshapeLike(c.dyOrZero(0), c.x(0))];

const identity: GradRule = (c) => [c.dyOrZero(0)];

/** Dropout in inference: identity (a training_mode input set to true is rejected). */
const dropout: GradRule = (c) => {
  if (c.x(2)) c.unsupported('Dropout with a training_mode input (only inference Dropout is an identity)');
  return [c.dyOrZero(0)];
};

const neg: GradRule = (c) => [c.e.op('Neg', [c.dyOrZero(0)])];

const cast: GradRule = (c) => [
  c.e.op('Cast', [c.dyOrZero(0)], [A.int('to', c.gi.get(c.x(0)).elem || c.e.ft)]),
];

/** Sum of n inputs with broadcasting. */
const sum: GradRule = (c) =>
  c.node.input.map((x, i) => {
    if (!c.needs(i)) return undefined;
    const peers = c.node.input.filter((_, j) => j !== i);
    return c.e.sumTo(c.dyOrZero(0), x, peers);
  });

export const ELEMENTWISE_RULES: Record<string, GradRule> = {
  Add: add,
  Sub: sub,
  Mul: mul,
  Div: div,
  Sum: sum,
  Neg: neg,
  Identity: identity,
  Dropout: dropout,
  Cast: cast,
  Flatten: reshapeBack,
  Reshape: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
};
