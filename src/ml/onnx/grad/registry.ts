import { ACTIVATION_RULES } from './activation.js';
import { CONV_RULES } from './conv.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { EXTRA_RULES } from './extra.js';
import { LINEAR_RULES } from './linear.js';
import { NORM_RULES } from './norm.js';
import { REDUCE_RULES } from './reduce.js';
import type { GradRule } from './rule.js';
import { SHAPE_RULES } from './shape.js';

/** Gradient rules of ai.onnx operators, keyed by op type. */
export const GRAD_RULES: ReadonlyMap<string, GradRule> = new Map(
  Object.entries({
    ...ELEMENTWISE_RULES,
    ...ACTIVATION_RULES,
    ...LINEAR_RULES,
    ...CONV_RULES,
    ...NORM_RULES,
    ...SHAPE_RULES,
    ...REDUCE_RULES,
    ...EXTRA_RULES,
  }),
);

/** Ops whose outputs never carry a gradient (integer/boolean results, shape computations). */
export const NON_DIFFERENTIABLE = new Set([
  'Shape',
  'Size',
  'ArgMax',
  'ArgMin',
  'NonZero',
  'Equal',
  'Greater',
  'Less',
  'GreaterOrEqual',
  'LessOrEqual',
  'Not',
  'And',
  'Or',
  'Xor',
  'IsNaN',
  'IsInf',
  'ConstantOfShape',
  'Range',
  'Constant',
  'EyeLike',
  'RandomNormalLike',
  'RandomUniformLike',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
]);
