import type { Preprocessing } from '../types.js';
import { OrtBackendError } from './errors.js';

/**
 * Preprocessing as an affine map applied in TypeScript before a batch goes to onnxruntime:
 * `model_input = (x · scale − mean[c]) / std[c]`, element by element, where `c` is the channel of the element
 * (axis 0 of a sample for NCHW, its last axis for NHWC; `flat` inputs use one mean/std or one per feature).
 * Samples keep the layout of the profile's `inputShape` (the model's own layout); nothing is transposed.
 *
 * Because the map is affine and diagonal, the gradient with respect to the attack-space input is the model
 * gradient times the same per-element factor: `∂L/∂x = ∂L/∂model_input · scale / std[c]`
 * (`gradFactor`). The ONNX graph never sees the preprocessing, so the gradient builder needs no extra nodes.
 */
export interface AffinePlan {
  /** Per element of one sample: model_input = x · mul + add. */
  readonly mul: Float32Array;
  readonly add: Float32Array;
  /** True when the map is the identity (no work per batch). */
  readonly identity: boolean;
}

export function affinePlan(p: Preprocessing, sampleShape: readonly number[]): AffinePlan {
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const nMean = p.mean.length;
  const nStd = p.std.length;
  if (nMean !== 0 && nStd !== 0 && nMean !== nStd)
    throw new OrtBackendError(`preprocessing has ${nMean} mean values but ${nStd} std values`);
  const channels = Math.max(nMean, nStd);
  const channelOf = channelIndexer(p.layout, sampleShape, channels);
  const mul = new Float32Array(size);
  const add = new Float32Array(size);
  let identity = true;
  for (let i = 0; i < size; i++) {
    const c = channelOf(i);
    const mean = nMean === 0 ? 0 : (p.mean[c] as number);
    const std = nStd === 0 ? 1 : (p.std[c] as number);
    if (!(std !== 0 && Number.isFinite(std))) throw new OrtBackendError(`preprocessing std[${c}] is ${std}`);
    mul[i] = p.scale / std;
    add[i] = -mean / std;
    if (mul[i] !== 1 || add[i] !== 0) identity = false;
  }
  return { mul, add, identity };
}

function channelIndexer(
  layout: Preprocessing['layout'],
  shape: readonly number[],
  channels: number,
): (i: number) => number {
  if (channels <= 1) return () => 0;
  const size = shape.reduce((a, b) => a * b, 1);
  if (layout === 'flat') {
    if (channels !== size)
      throw new OrtBackendError(`flat preprocessing has ${channels} mean/std values for ${size} features`);
    return (i) => i;
  }
  const c = layout === 'NCHW' ? shape[0] : shape[shape.length - 1];
  if (c !== channels)
    throw new OrtBackendError(
      `preprocessing has ${channels} mean/std values but the ${layout} input [${shape.join(', ')}] has ${c} channels`,
    );
  const inner = size / channels;
  return layout === 'NCHW' ? (i) => Math.floor(i / inner) : (i) => i % channels;
}

/** Attack-space batch → model input (a new array unless the map is the identity). */
export function toModelInput(plan: AffinePlan, x: Float32Array): Float32Array {
  if (plan.identity) return x;
  const out = new Float32Array(x.length);
  const k = plan.mul.length;
  for (let i = 0; i < x.length; i++) {
    const j = i % k;
    out[i] = (x[i] as number) * (plan.mul[j] as number) + (plan.add[j] as number);
  }
  return out;
}

/** Gradient with respect to the model input → gradient with respect to the attack-space input (in place). */
export function toAttackGradient(plan: AffinePlan, g: Float32Array): Float32Array {
  if (plan.identity) return g;
  const k = plan.mul.length;
  for (let i = 0; i < g.length; i++) g[i] = (g[i] as number) * (plan.mul[i % k] as number);
  return g;
}
