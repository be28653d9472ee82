import { attrFloat, attrInt, attrString } from '../attrs.js';
import type { GradRule } from './rule.js';

const relu: GradRule = (c) => {
  const e = c.e;
  return [e.op('Where', [e.op('Greater', [c.x(0), e.f(0)]), c.dyOrZero(0), e.f(0)])];
};

const leakyRelu: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const alpha = attrFloat(c.node, 'alpha', 0.01);
  return [e.op('Where', [e.op('Greater', [c.x(0), e.f(0)]), dy, e.op('Mul', [dy, e.f(alpha)])])];
};

/** PRelu: y = x if x > 0 else slope·x (slope broadcast to x). */
const prelu: GradRule = (c) => {
  const e = c.e;
  const dy = c.dyOrZero(0);
  const pos = e.op('Greater', [c.x(0), e.f(0)]);
  return [
    c.needs(0) ? e.op('Where', [pos, dy, e.op('Mul', [dy, c.x(1)])]) : undefined,
    c.needs(1)
      ? e.sumTo(e.op('Where', [pos, e.f(0), e.op('Mul', [dy, c.x(0)])]), c.x(1), [c.x(0)])
      : undefined,
  ];
};

const sigmoid: GradRule = (c) => {
  const e = c.e;
  const y = c.y(0);
  return [e.op('Mul', [c.dyOrZero(0), e.op('Mul', [y, e.op('Sub', [e.f(1), y])])])];
};

const tanh: GradRule = (c) => {
  const e = c.e;
  const y = c.y(0);
  return [e.op('Mul', [c.dyOrZero(0), e.op('Sub', [e.f(1), e.op('Mul', [y, y])])])];
};

const exp: GradRule = (c) => [c.e.op('Mul', [c.dyOrZero(0), c.y(0)])];
const log: GradRule = (c) => [c.e.op('Div', [c.dyOrZero(0), c.x(0)])];
const sqrt: GradRule = (c) => [c.e.op('Div', [c.dyOrZero(0), c.e.op('Mul', [c.e.f(2), c.y(0)])])];

function softmaxAxis(c: Parameters<GradRule>[0]): number {
  const axis = attrInt(c.node, 'axis', -1);
  if (c.gi.opset < 13) c.unsupported('Softmax/LogSoftmax before opset 13 (2-D coercion semantics)');
  return axis;
}

/** dX = Y ⊙ (dY − Σ_axis dY⊙Y). */
const softmax: GradRule = (c) => {
  const e = c.e;
  const axis = softmaxAxis(c);
  const y = c.y(0);
  const dy = c.dyOrZero(0);
  const s = e.reduceSum(e.op('Mul', [dy, y]), [axis], true);
  return [e.op('Mul', [y, e.op('Sub', [dy, s])])];
};

/** dX = dY − exp(Y) ⊙ Σ_axis dY. */
const logSoftmax: GradRule = (c) => {
  const e = c.e;
  const axis = softmaxAxis(c);
  const dy = c.dyOrZero(0);
  return [e.op('Sub', [dy, e.op('Mul', [e.op('Exp', [c.y(0)]), e.reduceSum(dy, [axis], true)])])];
};

/** d erf(x)/dx = 2/√π · exp(−x²). */
const erf: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  const g = e.op('Mul', [e.f(2 / Math.sqrt(Math.PI)), e.op('Exp', [e.op('Neg', [e.op('Mul', [x, x])])])]);
  return [e.op('Mul', [c.dyOrZero(0), g])];
};

/** Gelu (opset 20): exact erf form Φ(x) + x·φ(x); tanh approximation differentiated directly. */
const gelu: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  const dy = c.dyOrZero(0);
  if (attrString(c.node, 'approximate', 'none') === 'tanh') {
    // y = 0.5x(1 + tanh(u)), u = √(2/π)(x + 0.044715x³); dy/dx = 0.5(1+t) + 0.5x(1−t²)·√(2/π)(1 + 3·0.044715x²)
    const k = Math.sqrt(2 / Math.PI);
    const x2 = e.op('Mul', [x, x]);
    const u = e.op('Mul', [e.f(k), e.op('Add', [x, e.op('Mul', [e.f(0.044715), e.op('Mul', [x2, x])])])]);
    const t = e.op('Tanh', [u]);
    const du = e.op('Mul', [e.f(k), e.op('Add', [e.f(1), e.op('Mul', [e.f(3 * 0.044715), x2])])]);
    const a = e.op('Mul', [e.f(0.5), e.op('Add', [e.f(1), t])]);
    const b = e.op('Mul', [
      e.op('Mul', [e.f(0.5), x]),
      e.op('Mul', [e.op('Sub', [e.f(1), e.op('Mul', [t, t])]), du]),
    ]);
    return [e.op('Mul', [dy, e.op('Add', [a, b])])];
  }
  const cdf = e.op('Mul', [
    e.f(0.5),
    e.op('Add', [e.f(1), e.op('Erf', [e.op('Mul', [x, e.f(Math.SQRT1_2)])])]),
  ]);
  const pdf = e.op('Mul', [
    e.f(1 / Math.sqrt(2 * Math.PI)),
    e.op('Exp', [e.op('Mul', [e.f(-0.5), e.op('Mul', [x, x])])]),
  ]);
  return [e.op('Mul', [dy, e.op('Add', [cdf, e.op('Mul', [x, pdf])])])];
};

/** Clip: gradient passes where min ≤ x ≤ max (as PyTorch's clamp). */
const clip: GradRule = (c) => {
  const e = c.e;
  const x = c.x(0);
  let pass: string | undefined;
  const lo = c.x(1) || (c.node.attrs.some((a) => a.name === 'min') ? e.f(attrFloat(c.node, 'min', 0)) : '');
  const hi = c.x(2) || (c.node.attrs.some((a) => a.name === 'max') ? e.f(attrFloat(c.node, 'max', 0)) : '');
  if (lo) pass = e.op('GreaterOrEqual', [x, lo]);
  if (hi) {
    const le = e.op('LessOrEqual', [x, hi]);
    pass = pass ? e.op('And', [pass, le]) : le;
  }
  const dy = c.dyOrZero(0);
  return [pass ? e.op('Where', [pass, dy, e.f(0)]) : dy];
};

export const ACTIVATION_RULES: Record<string, GradRule> = {
  Relu: relu,
  LeakyRelu: leakyRelu,
  PRelu: prelu,
  Sigmoid: sigmoid,
  Tanh: tanh,
  Exp: exp,
  Log: log,
  Sqrt: sqrt,
  Softmax: softmax,
  LogSoftmax: logSoftmax,
  Erf: erf,
  Gelu: gelu,
  Clip: clip,
};
