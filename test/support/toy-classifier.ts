/**
 * A pure-TS classifier with exact analytic gradients for every LossKind, for attack tests: a stack of
 * dense layers with ReLU between them (one layer = a linear softmax model). Weights are fixed by a seed.
 * Variants for the sanity checks: softmax outputs, all-zero gradients, randomised logits.
 */
import { Rng } from '../../src/attacks/rng.js';
import type {
  Capabilities,
  Classifier,
  Dataset,
  LossKind,
  ModelProfile,
  Tensor,
} from '../../src/ml/types.js';

export interface DenseLayer {
  /** `[out, in]` row-major. */
  readonly w: Float64Array;
  readonly b: Float64Array;
  readonly inputs: number;
  readonly outputs: number;
}

export interface ToyVariant {
  /** predict returns softmax probabilities instead of logits. */
  readonly softmaxOutput?: boolean;
  /** With softmaxOutput: the profile does not say so (the check must notice from the outputs). */
  readonly hideSoftmax?: boolean;
  /** lossGradient returns zeros (a masked model). */
  readonly zeroGradient?: boolean;
  /** Gaussian noise of this std added to the logits on every call. */
  readonly noise?: number;
  /** Declare no gradient capability (black-box only). */
  readonly blackBox?: boolean;
}

export function denseLayers(sizes: readonly number[], seed: number, scale = 1): DenseLayer[] {
  const rng = new Rng(seed);
  const layers: DenseLayer[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const inputs = sizes[l]!;
    const outputs = sizes[l + 1]!;
    const std = scale / Math.sqrt(inputs);
    const w = Float64Array.from({ length: outputs * inputs }, () => rng.normal() * std * 3);
    const b = Float64Array.from({ length: outputs }, () => rng.normal() * 0.1);
    layers.push({ w, b, inputs, outputs });
  }
  return layers;
}

/** Forward pass of one sample; returns the logits and each layer's pre-activation. */
export function forwardSample(
  layers: readonly DenseLayer[],
  x: ArrayLike<number>,
): { z: Float64Array; pre: Float64Array[] } {
  let h = Float64Array.from(x);
  const pre: Float64Array[] = [];
  layers.forEach((layer, l) => {
    const a = new Float64Array(layer.outputs);
    for (let o = 0; o < layer.outputs; o++) {
      let s = layer.b[o]!;
      for (let i = 0; i < layer.inputs; i++) s += layer.w[o * layer.inputs + i]! * h[i]!;
      a[o] = s;
    }
    pre.push(a);
    h = l === layers.length - 1 ? a : a.map((v) => Math.max(v, 0));
  });
  return { z: h, pre };
}

/** Top classes by logit, descending (ties: lower index first). */
function ranked(z: Float64Array): number[] {
  return Array.from(z.keys()).sort((a, b) => z[b]! - z[a]! || a - b);
}

/** Loss value and ∂loss/∂z for one sample (the formulas of src/ml/types.ts LossKind). */
export function lossAndDz(
  z: Float64Array,
  y: number,
  loss: LossKind,
  target?: number,
): { value: number; dz: Float64Array } {
  const k = z.length;
  const dz = new Float64Array(k);
  const order = ranked(z);
  switch (loss.kind) {
    case 'ce': {
      const mx = Math.max(...z);
      let sum = 0;
      for (const v of z) sum += Math.exp(v - mx);
      for (let j = 0; j < k; j++) dz[j] = Math.exp(z[j]! - mx) / sum;
      dz[y] = dz[y]! - 1;
      return { value: mx + Math.log(sum) - z[y]!, dz };
    }
    case 'margin': {
      const other = order.find((j) => j !== y)!;
      dz[other] = 1;
      dz[y] = -1;
      return { value: z[other]! - z[y]!, dz };
    }
    case 'dlr': {
      const other = order.find((j) => j !== y)!;
      const num = z[y]! - z[other]!;
      const den = z[order[0]!]! - z[order[2]!]! + 1e-12;
      // L = −num/den; dL = −dnum/den + num·dden/den².
      dz[y] = dz[y]! - 1 / den;
      dz[other] = dz[other]! + 1 / den;
      dz[order[0]!] = dz[order[0]!]! + num / den ** 2;
      dz[order[2]!] = dz[order[2]!]! - num / den ** 2;
      return { value: -num / den, dz };
    }
    case 'dlr-targeted': {
      if (target === undefined) throw new Error('dlr-targeted needs a target');
      const num = z[y]! - z[target]!;
      const den = z[order[0]!]! - (z[order[2]!]! + z[order[3]!]!) / 2 + 1e-12;
      dz[y] = dz[y]! - 1 / den;
      dz[target] = dz[target]! + 1 / den;
      dz[order[0]!] = dz[order[0]!]! + num / den ** 2;
      dz[order[2]!] = dz[order[2]!]! - num / den ** 2 / 2;
      dz[order[3]!] = dz[order[3]!]! - num / den ** 2 / 2;
      return { value: -num / den, dz };
    }
    case 'logit':
      dz[loss.classIndex] = 1;
      return { value: z[loss.classIndex]!, dz };
    case 'logit-diff': {
      if (target === undefined) throw new Error('logit-diff needs a target');
      dz[target] = 1;
      dz[y] = dz[y]! - 1;
      return { value: z[target]! - z[y]!, dz };
    }
  }
}

/** Backpropagate ∂loss/∂z to ∂loss/∂x through the dense/ReLU stack. */
export function backwardSample(
  layers: readonly DenseLayer[],
  pre: readonly Float64Array[],
  dz: Float64Array,
): Float64Array {
  let g = dz;
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l]!;
    if (l < layers.length - 1) g = g.map((v, o) => (pre[l]![o]! > 0 ? v : 0));
    const gin = new Float64Array(layer.inputs);
    for (let o = 0; o < layer.outputs; o++) {
      const go = g[o]!;
      if (go === 0) continue;
      for (let i = 0; i < layer.inputs; i++) gin[i]! += layer.w[o * layer.inputs + i]! * go;
    }
    g = gin;
  }
  return g;
}

export class ToyClassifier implements Classifier {
  readonly profile: ModelProfile;
  readonly capabilities: Capabilities;
  readonly queries = { forward: 0, gradient: 0 };
  readonly calls = { predict: 0, lossGradient: 0, maxBatch: 0 };
  private readonly noiseRng = new Rng(12345);

  constructor(
    readonly layers: readonly DenseLayer[],
    sampleShape: readonly number[],
    readonly variant: ToyVariant = {},
  ) {
    const k = layers[layers.length - 1]!.outputs;
    this.profile = {
      inputShape: [...sampleShape],
      numClasses: k,
      clipMin: 0,
      clipMax: 1,
      preprocessing: { layout: sampleShape.length === 3 ? 'NCHW' : 'flat', scale: 1, mean: [], std: [] },
      softmaxOutput: (variant.softmaxOutput ?? false) && !variant.hideSoftmax,
    };
    this.capabilities = { lossGradient: !variant.blackBox, classGradient: false, activations: false };
  }

  get d(): number {
    return this.layers[0]!.inputs;
  }

  logitsOf(x: ArrayLike<number>): Float64Array {
    return forwardSample(this.layers, x).z;
  }

  async predict(x: Tensor): Promise<Float32Array> {
    const n = x.shape[0]!;
    const k = this.profile.numClasses;
    const out = new Float32Array(n * k);
    for (let i = 0; i < n; i++) {
      const z = this.logitsOf(x.data.subarray(i * this.d, (i + 1) * this.d));
      if (this.variant.noise)
        for (let j = 0; j < k; j++) z[j] = z[j]! + this.variant.noise * this.noiseRng.normal();
      if (this.variant.softmaxOutput) {
        const mx = Math.max(...z);
        let s = 0;
        for (let j = 0; j < k; j++) s += Math.exp(z[j]! - mx);
        for (let j = 0; j < k; j++) out[i * k + j] = Math.exp(z[j]! - mx) / s;
      } else out.set(z, i * k);
    }
    this.queries.forward += n;
    this.calls.predict++;
    this.calls.maxBatch = Math.max(this.calls.maxBatch, n);
    return out;
  }

  async lossGradient(
    x: Tensor,
    labels: Int32Array,
    loss: LossKind,
    targets?: Int32Array,
  ): Promise<{ loss: Float32Array; grad: Float32Array }> {
    if (!this.capabilities.lossGradient) throw new Error('black-box toy model has no gradients');
    const n = x.shape[0]!;
    const d = this.d;
    const lossOut = new Float32Array(n);
    const grad = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const { z, pre } = forwardSample(this.layers, x.data.subarray(i * d, (i + 1) * d));
      const { value, dz } = lossAndDz(z, labels[i]!, loss, targets?.[i]);
      lossOut[i] = value;
      if (!this.variant.zeroGradient) grad.set(backwardSample(this.layers, pre, dz), i * d);
    }
    this.queries.gradient += n;
    this.calls.lossGradient++;
    this.calls.maxBatch = Math.max(this.calls.maxBatch, n);
    return { loss: lossOut, grad };
  }

  async dispose(): Promise<void> {}
}

/** Linear softmax model on [1,4,4] inputs with 4 classes. */
export function linearToy(variant: ToyVariant = {}): ToyClassifier {
  return new ToyClassifier(denseLayers([16, 4], 7), [1, 4, 4], variant);
}

/** Two-layer ReLU MLP on [1,6,6] inputs, 24 hidden units, 10 classes. */
export function mlpToy(variant: ToyVariant = {}): ToyClassifier {
  return new ToyClassifier(denseLayers([36, 24, 10], 11), [1, 6, 6], variant);
}

/** Uniform inputs in [0,1] labelled by the model itself (clean accuracy 100%), except `wrong` labels shifted by one. */
export function toyDataset(
  model: ToyClassifier,
  n: number,
  seed: number,
  wrong: readonly number[] = [],
): Dataset {
  const rng = new Rng(seed);
  const d = model.d;
  const k = model.profile.numClasses;
  const x = Float32Array.from({ length: n * d }, () => rng.uniform());
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const z = model.logitsOf(x.subarray(i * d, (i + 1) * d));
    let best = 0;
    for (let j = 1; j < k; j++) if (z[j]! > z[best]!) best = j;
    y[i] = wrong.includes(i) ? (best + 1) % k : best;
  }
  return { x: { data: x, shape: [n, ...model.profile.inputShape] }, y };
}
