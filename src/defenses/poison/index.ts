/**
 * Backdoor-poisoning detectors on a model's activations (robustness.md §B.8–B.9): Spectral Signatures (the
 * paper's form), a whitened spectral variant that copes with poison that is a large share of its class, and
 * Activation Clustering. All run per labelled class on an n×d activation matrix.
 */

import { Rng } from '../../attacks/rng.js';
import type { Classifier, Dataset, Tensor } from '../../ml/types.js';
import { activationClustering } from './clustering.js';
import { PoisonDetectionError } from './errors.js';
import { featureLayer, penultimateLayer } from './layer.js';
import { POISON_LIMITS } from './limits.js';
import { type Mat, mat, pickRows } from './linalg.js';
import { type ClassResult, pooledWhitener, spectralSignature, whitenedSpectral } from './spectral.js';
import {
  POISON_DETECTORS,
  type PoisonClassSummary,
  type PoisonDetectorName,
  type PoisonDetectorSummary,
  type PoisonOptions,
  type PoisonReport,
  type PoisonSuspect,
} from './types.js';

export { PoisonDetectionError, type PoisonErrorCode } from './errors.js';
export { featureLayer, penultimateLayer } from './layer.js';
export { POISON_LIMITS } from './limits.js';
export * from './types.js';

type Resolved = Required<Omit<PoisonOptions, 'layer' | 'model' | 'detectors' | 'layerChoice'>>;

/** The detectors' defaults (see PoisonOptions). */
export const POISON_DEFAULTS: Readonly<Resolved> = {
  eps: 0.33,
  epsMultiplier: 1.5,
  gapThreshold: 0.5,
  gapTrim: 0.02,
  ridge: 0.01,
  clusteringDims: 10,
  clusteringRule: 'relative-size',
  sizeThreshold: 0.35,
  silhouetteThreshold: 0.1,
  clusteringWhiten: false,
  seed: 0,
};

function isClassifier(s: Classifier | Tensor): s is Classifier {
  return typeof (s as Classifier).predict === 'function';
}

/** Activations as an n×d Float64 matrix (every dimension after the batch flattened). */
function toMatrix(t: Tensor, n: number): Mat {
  const [rows, ...rest] = t.shape;
  const d = rest.reduce((a, b) => a * b, 1);
  if (rows !== n || t.data.length !== n * d || d < 1)
    throw new PoisonDetectionError(
      'POISON_INPUT',
      `activations of shape [${t.shape.join(', ')}] do not match ${n} samples`,
    );
  if (d > POISON_LIMITS.maxFeatures)
    throw new PoisonDetectionError(
      'POISON_INPUT',
      `activations have ${d} features per sample, over the limit of ${POISON_LIMITS.maxFeatures} (POISON_LIMITS.maxFeatures); choose an earlier layer`,
    );
  const data = new Float64Array(n * d);
  for (let i = 0; i < data.length; i++) {
    const v = t.data[i]!;
    if (!Number.isFinite(v))
      throw new PoisonDetectionError('POISON_INPUT', `activation ${i} is not finite (${v})`);
    data[i] = v;
  }
  return mat(n, d, data);
}

function classIndices(y: Int32Array): Map<number, number[]> {
  const by = new Map<number, number[]>();
  y.forEach((label, i) => {
    if (!Number.isInteger(label) || label < 0)
      throw new PoisonDetectionError('POISON_INPUT', `label ${label} at index ${i} is not a class index`);
    const list = by.get(label);
    if (list) list.push(i);
    else by.set(label, [i]);
  });
  return new Map([...by.entries()].sort((a, b) => a[0] - b[0]));
}

/**
 * Runs the poisoning detectors. `source` is a classifier (its activations at `opts.layer`, or at the
 * penultimate layer of `opts.model`) or activations `[N, ...]` already computed for `dataset.x`.
 */
export async function detectPoison(
  source: Classifier | Tensor,
  dataset: Dataset,
  opts: PoisonOptions = {},
): Promise<PoisonReport> {
  const n = dataset.y.length;
  if (n === 0) throw new PoisonDetectionError('POISON_INPUT', 'the dataset is empty');
  let layer: string | undefined;
  let acts: Tensor;
  if (isClassifier(source)) {
    if (!source.activations || !source.capabilities.activations)
      throw new PoisonDetectionError('POISON_LAYER', 'this classifier cannot return activations');
    layer = opts.layer ?? (opts.model ? autoLayer(opts.model, opts.layerChoice ?? 'head-input') : undefined);
    if (layer === undefined)
      throw new PoisonDetectionError('POISON_LAYER', 'name the layer, or pass the model bytes to find it');
    if (dataset.x.shape[0] !== n)
      throw new PoisonDetectionError(
        'POISON_INPUT',
        `the dataset has ${dataset.x.shape[0]} inputs but ${n} labels`,
      );
    acts = await source.activations(dataset.x, layer);
  } else acts = source;
  return detectPoisonInActivations(toMatrix(acts, n), dataset.y, opts, layer);
}

/** The detectors on an n×d activation matrix and its labels (synchronous; see detectPoison). */
export function detectPoisonInActivations(
  x: Mat,
  y: Int32Array,
  opts: PoisonOptions = {},
  layer?: string,
): PoisonReport {
  const o: Resolved = { ...POISON_DEFAULTS, ...dropUndefined(opts) };
  const names = opts.detectors ?? POISON_DETECTORS;
  for (const d of names)
    if (!POISON_DETECTORS.includes(d))
      throw new PoisonDetectionError('POISON_INPUT', `unknown detector ${JSON.stringify(d)}`);
  checkRange('eps', o.eps, 0, 1);
  checkRange('gapTrim', o.gapTrim, 0, 0.49);
  checkRange('sizeThreshold', o.sizeThreshold, 0, 0.5);
  if (!(o.ridge > 0)) throw new PoisonDetectionError('POISON_INPUT', 'ridge must be positive');
  if (!Number.isInteger(o.clusteringDims) || o.clusteringDims < 1)
    throw new PoisonDetectionError('POISON_INPUT', 'clusteringDims must be a positive integer');
  const classes = classIndices(y);
  const examined = [...classes.values()].filter((idx) => idx.length >= POISON_LIMITS.minClassSize);
  let whitener: Mat | undefined;
  const getWhitener = (): Mat => {
    whitener ??= pooledWhitener(x, examined, o.ridge);
    return whitener;
  };
  const summaries: PoisonDetectorSummary[] = [];
  for (const name of names) {
    const rng = new Rng(o.seed);
    const scores = new Float64Array(y.length);
    const flaggedAll: number[] = [];
    const perClass: PoisonClassSummary[] = [];
    for (const [label, idx] of classes) {
      if (idx.length < POISON_LIMITS.minClassSize) {
        perClass.push({ label, size: idx.length, flagged: 0, skipped: 'too few samples' });
        continue;
      }
      const cls = pickRows(x, idx);
      let r: ClassResult;
      if (name === 'spectral') r = spectralSignature(cls, o.eps, o.epsMultiplier);
      else if (name === 'spectral-whitened')
        r = whitenedSpectral(cls, getWhitener(), o.gapThreshold, o.gapTrim);
      else {
        const input = o.clusteringWhiten ? whitenedCopy(cls, getWhitener()) : cls;
        r = activationClustering(
          input,
          {
            dims: o.clusteringDims,
            rule: o.clusteringRule,
            sizeThreshold: o.sizeThreshold,
            silhouetteThreshold: o.silhouetteThreshold,
          },
          rng,
        );
      }
      r.scores.forEach((s, i) => {
        scores[idx[i]!] = s;
      });
      for (const i of r.flagged) flaggedAll.push(idx[i]!);
      perClass.push({
        label,
        size: idx.length,
        flagged: r.flagged.length,
        ...(r.statistic === undefined ? {} : { statistic: r.statistic }),
        ...(r.smallerShare === undefined ? {} : { smallerShare: r.smallerShare }),
      });
    }
    flaggedAll.sort((a, b) => a - b);
    summaries.push({
      detector: name,
      flagged: flaggedAll.length,
      settings: settingsOf(name, o),
      classes: perClass,
      scores,
      indices: flaggedAll,
    });
  }
  return {
    ...(layer === undefined ? {} : { layer }),
    features: x.cols,
    suspects: merge(summaries),
    detectors: summaries,
  };
}

function autoLayer(model: Uint8Array, choice: 'head-input' | 'penultimate'): string {
  return choice === 'penultimate' ? penultimateLayer(model).tensor : featureLayer(model).tensor;
}

function whitenedCopy(cls: Mat, l: Mat): Mat {
  // Whitening is linear, so whitening the rows then centring equals centring then whitening.
  const out = mat(cls.rows, cls.cols);
  const n = l.rows;
  for (let r = 0; r < cls.rows; r++)
    for (let i = 0; i < n; i++) {
      let v = cls.data[r * n + i]!;
      for (let k = 0; k < i; k++) v -= l.data[i * n + k]! * out.data[r * n + k]!;
      out.data[r * n + i] = v / l.data[i * n + i]!;
    }
  return out;
}

function merge(summaries: readonly PoisonDetectorSummary[]): PoisonSuspect[] {
  const by = new Map<number, { reasons: PoisonDetectorName[]; score: number }>();
  for (const s of summaries)
    for (const i of s.indices) {
      const e = by.get(i) ?? { reasons: [], score: 0 };
      e.reasons.push(s.detector);
      e.score = Math.max(e.score, s.scores[i]!);
      by.set(i, e);
    }
  return [...by.entries()].sort((a, b) => a[0] - b[0]).map(([index, e]) => ({ index, ...e }));
}

function settingsOf(name: PoisonDetectorName, o: Resolved) {
  if (name === 'spectral') return { eps: o.eps, epsMultiplier: o.epsMultiplier };
  if (name === 'spectral-whitened')
    return { gapThreshold: o.gapThreshold, gapTrim: o.gapTrim, ridge: o.ridge };
  return {
    dims: o.clusteringDims,
    rule: o.clusteringRule,
    sizeThreshold: o.sizeThreshold,
    silhouetteThreshold: o.silhouetteThreshold,
    whiten: o.clusteringWhiten,
    seed: o.seed,
  };
}

function checkRange(name: string, v: number, lo: number, hi: number): void {
  if (!(v >= lo && v <= hi))
    throw new PoisonDetectionError('POISON_INPUT', `${name} must be in [${lo}, ${hi}], got ${v}`);
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
