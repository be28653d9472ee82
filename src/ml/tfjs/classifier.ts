/**
 * The TF.js Classifier: LayersModel or GraphModel from a local folder, run on the wasm backend (cpu
 * when wasm fails), preprocessing as TF.js ops, input gradients by `tf.grad` through a loss head whose
 * logit gradient is computed in JS (lossHead). Models ending in softmax return real logits: the softmax
 * is removed from the topology (layers) or its input node is fetched (graph). When a profile says the
 * outputs are probabilities and no softmax was found, log-probabilities serve as logits.
 */

import type { GraphModel } from '@tensorflow/tfjs-converter';
import type * as tfc from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { ModelguardError } from '../../core/errors.js';
import { type PartialProfile, type ProfilePreprocessing, resolveProfile } from '../profile.js';
import type { Classifier, LossKind, ModelProfile, Tensor } from '../types.js';
import { readModelArtifacts } from './io.js';
import { lossHead } from './loss-head.js';
import { type TfRuntime, tfjsRuntime } from './runtime.js';
import { graphLogitsNode, removeLayersSoftmax } from './topology.js';

export interface TfjsClassifierOptions {
  /** Samples per TF.js call (bounds memory). Default 32. */
  readonly batchSize?: number;
  /** Skip the wasm backend (tests). */
  readonly preferCpu?: boolean;
}

export interface TfjsClassifier extends Classifier {
  readonly modelKind: 'layers' | 'graph';
  /** Where the logits come from. */
  readonly logitsFrom: 'model-output' | 'softmax-removed' | 'log-probabilities';
  /** The TF.js backend in use ('wasm' or 'cpu'). */
  readonly backend: string;
}

/** Probabilities below this are clamped before the log (log-probabilities mode). */
const MIN_PROBABILITY = 1e-30;

interface Loaded {
  readonly kind: 'layers' | 'graph';
  readonly inputShape: readonly (number | null)[];
  readonly outputShape: readonly (number | null)[];
  readonly softmaxRemoved: boolean;
  readonly forward: (x: tfc.Tensor) => tfc.Tensor;
  readonly activations: (x: tfc.Tensor, layer: string) => tfc.Tensor;
  readonly dispose: () => void;
}

async function loadModel(rt: TfRuntime, modelJson: string): Promise<Loaded> {
  const { tf } = rt;
  const artifacts = readModelArtifacts(modelJson);
  const topology = artifacts.modelTopology as Record<string, unknown>;
  const isGraph = artifacts.format === 'graph-model' || Array.isArray(topology['node']);
  if (!isGraph) {
    const { topology: logitsTopology, removed } = removeLayersSoftmax(topology);
    const model: LayersModel = await rt.layers.loadLayersModel(
      tf.io.fromMemory({ ...artifacts, modelTopology: logitsTopology as object }),
    );
    if (model.inputs.length !== 1 || model.outputs.length !== 1)
      throw new ModelguardError('UNSUPPORTED', `${modelJson}: a classifier needs one input and one output`);
    const subModels = new Map<string, LayersModel>();
    return {
      kind: 'layers',
      inputShape: (model.inputs[0] as { shape: (number | null)[] }).shape,
      outputShape: (model.outputs[0] as { shape: (number | null)[] }).shape,
      softmaxRemoved: removed,
      forward: (x) => model.apply(x, { training: false }) as tfc.Tensor,
      activations: (x, layer) => {
        let sub = subModels.get(layer);
        if (sub === undefined) {
          sub = rt.layers.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as never });
          subModels.set(layer, sub);
        }
        return sub.apply(x, { training: false }) as tfc.Tensor;
      },
      dispose: () => model.dispose(),
    };
  }
  const model: GraphModel = await rt.converter.loadGraphModel(tf.io.fromMemory(artifacts));
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    throw new ModelguardError('UNSUPPORTED', `${modelJson}: a classifier needs one input and one output`);
  const outName = model.outputNodes[0] as string;
  const logitsNode = graphLogitsNode(topology, outName);
  const fetch = logitsNode ?? outName;
  return {
    kind: 'graph',
    inputShape: (model.inputs[0]?.shape ?? []).map((d) => (d < 0 ? null : d)),
    outputShape: (model.outputs[0]?.shape ?? []).map((d) => (d < 0 ? null : d)),
    softmaxRemoved: logitsNode !== undefined,
    forward: (x) => model.execute(x, fetch) as tfc.Tensor,
    activations: (x, layer) => model.execute(x, layer) as tfc.Tensor,
    dispose: () => model.dispose(),
  };
}

/** Attack-space batch → model input, as TF.js ops (so gradients flow through it). */
function preprocessor(tf: TfRuntime['tf'], profile: ModelProfile, modelInput: readonly (number | null)[]) {
  const p = profile.preprocessing as ProfilePreprocessing;
  const from = p.inputLayout ?? p.layout;
  const c = p.mean.length;
  const shape = from === 'NCHW' ? [1, c, 1, 1] : from === 'NHWC' ? [1, 1, 1, c] : [c];
  const sample = modelInput.slice(1);
  return (x: tfc.Tensor): tfc.Tensor => {
    let t = x;
    if (p.scale !== 1) t = tf.mul(t, p.scale);
    if (c > 0) {
      const s = c === 1 ? [] : shape;
      t = tf.div(tf.sub(t, tf.tensor(p.mean as number[], s)), tf.tensor(p.std as number[], s));
    }
    if (from !== p.layout && from !== 'flat' && p.layout !== 'flat')
      t = tf.transpose(t, from === 'NCHW' ? [0, 2, 3, 1] : [0, 3, 1, 2]);
    if (sample.every((d) => typeof d === 'number') && t.shape.slice(1).join() !== sample.join())
      t = tf.reshape(t, [-1, ...(sample as number[])]);
    return t;
  };
}

type HeadFn = (z: tfc.Tensor) => { value: tfc.Tensor; gradFunc: (dy: tfc.Tensor) => tfc.Tensor };
/** tf.customGrad for a one-input function (its declared type wants a rest-parameter function). */
const customGrad = (tf: TfRuntime['tf']) =>
  tf.customGrad as unknown as (f: HeadFn) => (z: tfc.Tensor) => tfc.Tensor;

/** Loads a TF.js model folder (`model.json` + shards) as a Classifier. */
export async function loadTfjsClassifier(
  modelJson: string,
  partial: PartialProfile = {},
  options: TfjsClassifierOptions = {},
): Promise<TfjsClassifier> {
  const rt = await tfjsRuntime(options.preferCpu ? { preferCpu: true } : {});
  const { tf } = rt;
  const m = await loadModel(rt, modelJson);
  let k = m.outputShape[m.outputShape.length - 1];
  const sample = m.inputShape.slice(1);
  if (!(typeof k === 'number' && k > 0) && sample.every((d) => typeof d === 'number' && d > 0)) {
    // Graph models often leave the output shape unknown: one forward pass on zeros tells the class count.
    const probe = tf.tidy(() => m.forward(tf.zeros([1, ...(sample as number[])])));
    k = probe.shape[probe.shape.length - 1];
    probe.dispose();
  }
  const profile = resolveProfile(partial, {
    inputShape: m.inputShape,
    layoutHint: 'NHWC',
    ...(typeof k === 'number' && k > 0 ? { numClasses: k } : {}),
    softmaxOutput: m.softmaxRemoved,
  });
  const K = profile.numClasses;
  const logProbs = profile.softmaxOutput && !m.softmaxRemoved;
  const pre = preprocessor(tf, profile, m.inputShape);
  const logitsOf = (x: tfc.Tensor): tfc.Tensor => {
    const out = m.forward(pre(x));
    return logProbs ? tf.log(tf.maximum(out, MIN_PROBABILITY)) : out;
  };
  const batchSize = options.batchSize ?? 32;
  const per = profile.inputShape.reduce((a, b) => a * b, 1);
  const queries = { forward: 0, gradient: 0 };

  const checkInput = (x: Tensor): number => {
    const n = x.shape[0] ?? 0;
    if (x.shape.slice(1).join() !== profile.inputShape.join() || x.data.length !== n * per) {
      throw new ModelguardError(
        'MALFORMED',
        `input of shape ${JSON.stringify(x.shape)} is not [N, ${profile.inputShape.join(', ')}]`,
      );
    }
    return n;
  };
  const view = (x: Tensor, start: number, end: number) =>
    tf.tensor(x.data.subarray(start * per, end * per), [end - start, ...profile.inputShape]);
  const checkLogits = (z: tfc.Tensor, n: number) => {
    if (z.size !== n * K)
      throw new ModelguardError(
        'MALFORMED',
        `the model gave outputs of shape ${JSON.stringify(z.shape)}, not [${n}, ${K}]`,
      );
  };

  return {
    profile,
    capabilities: { lossGradient: true, classGradient: true, activations: true },
    queries,
    modelKind: m.kind,
    logitsFrom: m.softmaxRemoved ? 'softmax-removed' : logProbs ? 'log-probabilities' : 'model-output',
    backend: rt.backend,

    async predict(x) {
      const n = checkInput(x);
      const out = new Float32Array(n * K);
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        const z = tf.tidy(() => logitsOf(view(x, s, e)));
        try {
          checkLogits(z, e - s);
          out.set(await z.data<'float32'>(), s * K);
        } finally {
          z.dispose();
        }
      }
      queries.forward += n;
      return out;
    },

    async lossGradient(x, labels, loss: LossKind, targets) {
      const n = checkInput(x);
      if (labels.length !== n)
        throw new ModelguardError('MALFORMED', `${labels.length} labels for ${n} samples`);
      const losses = new Float32Array(n);
      const grad = new Float32Array(n * per);
      const logits = new Float32Array(n * K);
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        const yb = labels.subarray(s, e);
        const tb = targets?.subarray(s, e);
        const head = customGrad(tf)((z: tfc.Tensor) => {
          checkLogits(z, e - s);
          const zs = z.dataSync() as Float32Array;
          const r = lossHead(zs, K, yb, loss, tb);
          losses.set(r.loss, s);
          logits.set(zs, s * K);
          const total = r.loss.reduce((a, b) => a + b, 0);
          return {
            value: tf.scalar(total),
            gradFunc: (dy: tfc.Tensor) => tf.mul(tf.tensor(r.dz, z.shape), dy),
          };
        });
        const g = tf.tidy(() => tf.grad((xt: tfc.Tensor) => head(logitsOf(xt)))(view(x, s, e)));
        try {
          grad.set(await g.data<'float32'>(), s * per);
        } finally {
          g.dispose();
        }
      }
      queries.gradient += n;
      return { loss: losses, grad, logits };
    },

    async activations(x, layer) {
      const n = checkInput(x);
      const parts: Float32Array[] = [];
      let shape: number[] = [];
      for (let s = 0; s < n; s += batchSize) {
        const e = Math.min(n, s + batchSize);
        const a = tf.tidy(() => m.activations(pre(view(x, s, e)), layer));
        shape = a.shape;
        parts.push(await a.data<'float32'>());
        a.dispose();
      }
      const data = new Float32Array(parts.reduce((t, p) => t + p.length, 0));
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
      queries.forward += n;
      return { data, shape: [n, ...shape.slice(1)] };
    },

    async dispose() {
      m.dispose();
    },
  };
}
