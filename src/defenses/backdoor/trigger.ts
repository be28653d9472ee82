/**
 * The trigger's maths: mask and pattern through tanh/2 + 0.5 of free variables, the stamped input
 * `x' = (1 − m) ⊙ x + m ⊙ p`, and the chain rule from the model's input gradient to the free variables.
 */
import type { Classifier, ModelProfile } from '../../ml/types.js';
import { BackdoorError } from './errors.js';
import { BACKDOOR_LIMITS } from './limits.js';
import type { TriggerGeometry } from './types.js';

/** The mask is over the spatial dims of the attack-space layout; other ranks are one channel. */
export function geometryOf(profile: ModelProfile): TriggerGeometry {
  const s = profile.inputShape;
  const size = s.reduce((a, b) => a * b, 1);
  if (s.length === 0 || size < 1 || s.some((d) => !Number.isInteger(d) || d < 1))
    throw new BackdoorError('BACKDOOR_MODEL', `the model's input shape [${s.join(', ')}] is not usable`);
  if (size > BACKDOOR_LIMITS.maxInputValues)
    throw new BackdoorError(
      'BACKDOOR_LIMIT',
      `one sample has ${size} values, over BACKDOOR_LIMITS.maxInputValues (${BACKDOOR_LIMITS.maxInputValues})`,
    );
  const pre = profile.preprocessing;
  const layout = pre.inputLayout ?? pre.layout;
  if (s.length === 3) {
    const [a, b, c] = s as [number, number, number];
    return layout === 'NHWC'
      ? { height: a, width: b, channels: c, layout: 'NHWC' }
      : { height: b, width: c, channels: a, layout: 'NCHW' };
  }
  if (s.length === 2) return { height: s[0]!, width: s[1]!, channels: 1, layout: 'NCHW' };
  return { height: 1, width: size, channels: 1, layout: 'NCHW' };
}

/** The mask pixel (row·W + col) of each value of a sample. */
export function pixelMap(g: TriggerGeometry): Int32Array {
  const hw = g.height * g.width;
  const out = new Int32Array(hw * g.channels);
  for (let i = 0; i < out.length; i++) out[i] = g.layout === 'NHWC' ? Math.floor(i / g.channels) : i % hw;
  return out;
}

/** Free variables of one trigger and the values they stand for. */
export class TriggerVars {
  /** Free variables of the mask `[H·W]` and of the pattern (one sample). */
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly mask: Float64Array;
  readonly pattern: Float64Array;
  constructor(
    readonly pixels: Int32Array,
    readonly lo: number,
    readonly hi: number,
    hw: number,
  ) {
    this.a = new Float64Array(hw);
    this.b = new Float64Array(pixels.length);
    this.mask = new Float64Array(hw);
    this.pattern = new Float64Array(pixels.length);
  }

  /** Starts from mask values and pattern values (inverse of the tanh maps, kept away from ±1). */
  init(mask: ArrayLike<number>, pattern01: ArrayLike<number>): void {
    const inv = (u: number) => Math.atanh(Math.max(-1 + 1e-6, Math.min(1 - 1e-6, (u - 0.5) * 2)));
    for (let i = 0; i < this.a.length; i++) this.a[i] = inv(mask[i] ?? 0.5);
    for (let i = 0; i < this.b.length; i++) this.b[i] = inv(pattern01[i] ?? 0.5);
    this.refresh();
  }

  /** Recomputes mask and pattern from the free variables. */
  refresh(): void {
    for (let i = 0; i < this.a.length; i++) this.mask[i] = Math.tanh(this.a[i]!) / 2 + 0.5;
    const span = this.hi - this.lo;
    for (let i = 0; i < this.b.length; i++)
      this.pattern[i] = this.lo + (Math.tanh(this.b[i]!) / 2 + 0.5) * span;
  }

  l1(): number {
    let s = 0;
    for (const v of this.mask) s += Math.abs(v);
    return s;
  }
}

/** `x' = (1 − m) ⊙ x + m ⊙ p` for `n` samples of `d` values. */
export function stamp(x: Float32Array, n: number, v: TriggerVars): Float32Array {
  const d = v.pixels.length;
  const out = new Float32Array(n * d);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < d; i++) {
      const m = v.mask[v.pixels[i]!]!;
      out[s * d + i] = (1 - m) * x[s * d + i]! + m * v.pattern[i]!;
    }
  return out;
}

/**
 * Chain rule for `L = mean_s CE_s(x'_s) + cost · Σ m`: `g` holds ∂CE_s/∂x'_s per sample. Returns ∂L/∂a and
 * ∂L/∂b with ∂x'/∂m = p − x, ∂x'/∂p = m, ∂m/∂a = (1 − tanh²a)/2, ∂p/∂b = (1 − tanh²b)/2 · (hi − lo).
 */
export function chainRule(
  g: Float32Array,
  x: Float32Array,
  n: number,
  v: TriggerVars,
  cost: number,
): { ga: Float64Array; gb: Float64Array } {
  const d = v.pixels.length;
  const gm = new Float64Array(v.a.length);
  const gp = new Float64Array(d);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < d; i++) {
      const gi = g[s * d + i]!;
      const px = v.pixels[i]!;
      gm[px] = gm[px]! + gi * (v.pattern[i]! - x[s * d + i]!);
      gp[i] = gp[i]! + gi * v.mask[px]!;
    }
  const ga = new Float64Array(v.a.length);
  const gb = new Float64Array(d);
  for (let j = 0; j < ga.length; j++) {
    const t = Math.tanh(v.a[j]!);
    ga[j] = (gm[j]! / n + cost) * ((1 - t * t) / 2);
  }
  const span = v.hi - v.lo;
  for (let i = 0; i < d; i++) {
    const t = Math.tanh(v.b[i]!);
    gb[i] = (gp[i]! / n) * ((1 - t * t) / 2) * span;
  }
  return { ga, gb };
}

export interface BatchStep {
  /** Mean cross-entropy toward the target, the mask's L1, the total loss, and the share classified as target. */
  readonly ce: number;
  readonly reg: number;
  readonly loss: number;
  readonly success: number;
  readonly ga: Float64Array;
  readonly gb: Float64Array;
}

/** One batch: stamp, the model's CE gradient toward `target`, predictions, and the chain-ruled gradient. */
export async function batchStep(
  clf: Classifier,
  x: Float32Array,
  n: number,
  target: number,
  v: TriggerVars,
  cost: number,
): Promise<BatchStep> {
  const shape = [n, ...clf.profile.inputShape];
  const xs = stamp(x, n, v);
  const labels = new Int32Array(n).fill(target);
  const r = await clf.lossGradient({ data: xs, shape }, labels, { kind: 'ce' });
  const { loss, grad } = r;
  // The gradient pass's own logits when the backend returns them; one extra prediction otherwise.
  const logits = r.logits ?? (await clf.predict({ data: xs, shape }));
  const k = clf.profile.numClasses;
  let hits = 0;
  let ce = 0;
  for (let s = 0; s < n; s++) {
    ce += loss[s]!;
    if (argmax(logits, s * k, k) === target) hits++;
  }
  for (const gv of grad)
    if (!Number.isFinite(gv))
      throw new BackdoorError('BACKDOOR_MODEL', 'the model returned a non-finite gradient');
  const reg = v.l1();
  const { ga, gb } = chainRule(grad, x, n, v, cost);
  return { ce: ce / n, reg, loss: ce / n + cost * reg, success: hits / n, ga, gb };
}

export function argmax(row: Float32Array, off: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (row[off + j]! > row[off + best]!) best = j;
  return best;
}

/** Adam over the concatenated free variables (Keras' form, with bias correction). */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  constructor(
    size: number,
    private readonly lr: number,
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly eps: number,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** Updates `params` (views laid end to end) in place with their gradients. */
  step(params: readonly Float64Array[], grads: readonly Float64Array[]): void {
    this.t++;
    const c1 = 1 - this.beta1 ** this.t;
    const c2 = 1 - this.beta2 ** this.t;
    let off = 0;
    params.forEach((p, k) => {
      const g = grads[k]!;
      for (let i = 0; i < p.length; i++) {
        const j = off + i;
        const gi = g[i]!;
        this.m[j] = this.beta1 * this.m[j]! + (1 - this.beta1) * gi;
        this.v[j] = this.beta2 * this.v[j]! + (1 - this.beta2) * gi * gi;
        p[i] = p[i]! - (this.lr * (this.m[j]! / c1)) / (Math.sqrt(this.v[j]! / c2) + this.eps);
      }
      off += p.length;
    });
  }
}
