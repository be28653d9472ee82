import { attrFloat, attrInt } from '../attrs.js';
import { norm } from '../infer.js';
import type { GradRule } from './rule.js';

/** BatchNormalization with running statistics (inference): dX = dY · scale / √(var + ε), per channel. */
const batchNorm: GradRule = (c) => {
  const e = c.e;
  if (attrInt(c.node, 'training_mode', 0) === 1 || c.node.output.filter(Boolean).length > 1)
    c.unsupported('BatchNormalization in training mode (batch statistics)');
  if ([1, 2, 3, 4].some((i) => c.needs(i)))
    c.unsupported('gradients with respect to BatchNormalization parameters');
  const r = e.rank(c.x(0), 'BatchNormalization');
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  let f = e.op('Div', [c.x(1), e.op('Sqrt', [e.op('Add', [c.x(4), e.f(eps)])])]);
  if (r > 2)
    f = e.unsqueeze(
      f,
      Array.from({ length: r - 2 }, (_, i) => i + 1),
    );
  return [e.op('Mul', [c.dyOrZero(0), f])];
};

/**
 * LayerNormalization over axes [axis, rank): with x̂ = (x − μ)·r, r = 1/√(σ² + ε) and g = dY ⊙ γ,
 * dX = r · (g − mean(g) − x̂ · mean(g ⊙ x̂)).
 */
const layerNorm: GradRule = (c) => {
  const e = c.e;
  if ([1, 2].some((i) => c.needs(i)))
    c.unsupported('gradients with respect to LayerNormalization parameters');
  const x = c.x(0);
  const r = e.rank(x, 'LayerNormalization');
  const axis = norm(attrInt(c.node, 'axis', -1), r);
  const axes = Array.from({ length: r - axis }, (_, i) => axis + i);
  const eps = attrFloat(c.node, 'epsilon', 1e-5);
  const mean = (t: string) => e.reduce('ReduceMean', t, axes, true);
  const xc = e.op('Sub', [x, mean(x)]);
  const inv = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [mean(e.op('Mul', [xc, xc])), e.f(eps)])])]);
  const xh = e.op('Mul', [xc, inv]);
  const g = e.op('Mul', [c.dyOrZero(0), c.x(1)]);
  const inner = e.op('Sub', [e.op('Sub', [g, mean(g)]), e.op('Mul', [xh, mean(e.op('Mul', [g, xh]))])]);
  return [e.op('Mul', [inv, inner])];
};

export const NORM_RULES: Record<string, GradRule> = {
  BatchNormalization: batchNorm,
  LayerNormalization: layerNorm,
};
