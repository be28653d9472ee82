import { ACTIVATION_RULES } from './activation.js';
import { CONV_RULES } from './conv.js';
import { ELEMENTWISE_RULES } from './elementwise.js';
import { LINEAR_RULES } from './linear.js';
import type { GradRule } from './rule.js';

/** Gradient rules of ai.onnx operators, keyed by op type. */
export const GRAD_RULES: ReadonlyMap<string, GradRule> = new Map(
  Object.entries({ ...ELEMENTWISE_RULES, ...ACTIVATION_RULES, ...LINEAR_RULES, ...CONV_RULES }),
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
