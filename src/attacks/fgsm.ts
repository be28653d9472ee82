/**
 * FGSM (Goodfellow et al. 2015): one step of size ε along sign(∇) (L∞) or ∇/‖∇‖₂ (L2) of the
 * cross-entropy, clipped to [clipMin, clipMax].
 */
import { type AttackContext, gradient } from './context.js';
import { runAttack } from './run.js';
import type { Attack } from './types.js';
import { ascentDirection, clipSample } from './vec.js';

async function fgsmCore(ctx: AttackContext): Promise<Float32Array> {
  const { n, d, opts } = ctx;
  const owners = Array.from({ length: n }, (_, i) => i);
  const { grad } = await gradient(ctx, ctx.x, owners, { kind: 'ce' });
  const adv = Float32Array.from(ctx.x);
  const dir = new Float32Array(d);
  for (let i = 0; i < n; i++) {
    ascentDirection(grad, i, d, opts.norm, dir);
    for (let j = 0; j < d; j++) adv[i * d + j] = adv[i * d + j]! + opts.eps * dir[j]!;
    clipSample(adv, i, d, ctx.clipMin, ctx.clipMax);
  }
  return adv;
}

export const fgsm: Attack = {
  name: 'fgsm',
  needsGradients: true,
  run: (model, x, y, opts, active) =>
    runAttack({ name: 'fgsm', needsGradients: true }, fgsmCore, model, x, y, opts, active),
};
