/**
 * Model profiles: what the attacks need to know beyond the graph (attack-space input shape, classes, clip
 * range) and how attack-space inputs become model inputs (scale, per-channel mean/std, layout). Defaults
 * come from the model's input; a JSON file (`--profile FILE`) overrides them.
 */
import { readFileSync, statSync } from 'node:fs';
import { LimitError, ModelguardError } from '../core/errors.js';
import type { ModelProfile, Preprocessing, Tensor } from './types.js';

export type Layout = Preprocessing['layout'];

/**
 * Preprocessing with the layout of attack-space samples (`inputLayout`; the dataset's layout). When it
 * differs from `layout` (the model's), applyPreprocessing transposes NCHW ↔ NHWC. resolveProfile always
 * sets it; a plain Preprocessing means "same as layout".
 */
export interface ProfilePreprocessing extends Preprocessing {
  readonly inputLayout?: Layout;
}

/** A partial profile: the JSON profile file's content, or what the CLI knows from the dataset. */
export interface PartialProfile {
  readonly inputShape?: readonly number[];
  readonly numClasses?: number;
  readonly clipMin?: number;
  readonly clipMax?: number;
  readonly softmaxOutput?: boolean;
  readonly classNames?: readonly string[];
  readonly preprocessing?: {
    readonly layout?: Layout;
    readonly inputLayout?: Layout;
    readonly scale?: number;
    readonly mean?: readonly number[];
    readonly std?: readonly number[];
  };
}

/** What a backend knows about its model's input and output. */
export interface ModelIo {
  /** The model input's dims with the batch, unknown dims as undefined/null/negative. */
  readonly inputShape: readonly (number | null | undefined)[];
  /** Classes from the output shape, when known. */
  readonly numClasses?: number;
  /** The model ends in a softmax. */
  readonly softmaxOutput?: boolean;
  /** The layout a rank-4 input has when its dims do not tell (TF.js: NHWC, ONNX: NCHW). */
  readonly layoutHint?: 'NCHW' | 'NHWC';
}

export const PROFILE_LIMITS = {
  /** Bytes of a profile JSON file. */
  maxFileBytes: 1 << 20,
} as const;

function bad(message: string): ModelguardError {
  return new ModelguardError('MALFORMED', `profile: ${message}`);
}

const known = (d: number | null | undefined): d is number => typeof d === 'number' && d > 0;
const isChannels = (d: number | null | undefined): boolean => d === 1 || d === 3;

/**
 * The model's layout from its input dims: rank 4 with 1 or 3 channels first (NCHW) or last (NHWC), the
 * backend's hint when the dims do not tell, else flat.
 */
export function guessLayout(dims: ModelIo['inputShape'], hint?: 'NCHW' | 'NHWC'): Layout {
  if (dims.length !== 4) return 'flat';
  if (isChannels(dims[3]) && !isChannels(dims[1])) return 'NHWC';
  if (isChannels(dims[1]) && !isChannels(dims[3])) return 'NCHW';
  if (hint !== undefined) return hint;
  if (isChannels(dims[1])) return 'NCHW';
  throw bad(`cannot tell whether input ${JSON.stringify(dims)} is NCHW or NHWC; set preprocessing.layout`);
}

/** Sample dims (no batch) of one layout in the other. */
function permute(sample: readonly number[], from: Layout, to: Layout): number[] {
  if (from === to || from === 'flat' || to === 'flat' || sample.length !== 3) return [...sample];
  const [a, b, c] = sample as [number, number, number];
  return from === 'NCHW' ? [b, c, a] : [c, a, b];
}

function channelsOf(shape: readonly number[], layout: Layout): number {
  if (layout === 'NCHW') return shape[0] as number;
  if (layout === 'NHWC') return shape[2] as number;
  return shape[shape.length - 1] as number;
}

/** Fills a partial profile with defaults from the model: clip [0, 1], scale 1, no mean/std, the model's layout. */
export function resolveProfile(partial: PartialProfile, io: ModelIo): ModelProfile {
  const p = partial.preprocessing ?? {};
  const layout = p.layout ?? guessLayout(io.inputShape, io.layoutHint);
  const modelSample = io.inputShape.slice(1);
  let inputLayout = p.inputLayout;
  let inputShape = partial.inputShape ? [...partial.inputShape] : undefined;
  if (inputShape !== undefined && !inputShape.every((d) => Number.isSafeInteger(d) && d > 0))
    throw bad(`inputShape ${JSON.stringify(inputShape)} is not a list of sizes`);
  if (modelSample.every(known)) {
    if (inputShape === undefined) {
      inputShape = permute(modelSample, layout, inputLayout ?? layout);
    } else if (inputLayout === undefined && layout !== 'flat' && inputShape.length === 3) {
      const same = inputShape.join() === modelSample.join();
      const other = layout === 'NCHW' ? 'NHWC' : 'NCHW';
      if (!same && inputShape.join() === permute(modelSample, layout, other).join()) inputLayout = other;
    }
    const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
    if (count(inputShape) !== count(modelSample))
      throw bad(
        `inputShape ${JSON.stringify(inputShape)} does not fit the model input ${JSON.stringify(io.inputShape)}`,
      );
  }
  if (inputShape === undefined)
    throw bad(`the model input ${JSON.stringify(io.inputShape)} has unknown dims; set inputShape`);
  inputLayout ??= layout;
  if ((layout === 'flat') !== (inputLayout === 'flat') || (layout !== 'flat' && inputShape.length !== 3))
    throw bad(`layouts ${inputLayout} → ${layout} do not fit inputShape ${JSON.stringify(inputShape)}`);
  const numClasses = partial.numClasses ?? io.numClasses;
  if (numClasses === undefined || !Number.isSafeInteger(numClasses) || numClasses < 1)
    throw bad('the number of classes is unknown; set numClasses');
  const clipMin = partial.clipMin ?? 0;
  const clipMax = partial.clipMax ?? 1;
  if (!(Number.isFinite(clipMin) && Number.isFinite(clipMax) && clipMin < clipMax))
    throw bad(`clip range [${clipMin}, ${clipMax}] is empty`);
  const scale = p.scale ?? 1;
  if (!(Number.isFinite(scale) && scale !== 0)) throw bad(`scale ${scale} is not a non-zero number`);
  const mean = [...(p.mean ?? [])];
  const std = [...(p.std ?? (mean.length > 0 ? mean.map(() => 1) : []))];
  const c = channelsOf(inputShape, inputLayout);
  if (mean.length !== std.length || ![0, 1, c].includes(mean.length))
    throw bad(`mean (${mean.length}) and std (${std.length}) need 1 or ${c} values each`);
  if (!std.every((s) => Number.isFinite(s) && s > 0) || !mean.every(Number.isFinite))
    throw bad('std values must be positive and mean values finite');
  const preprocessing: ProfilePreprocessing = { layout, inputLayout, scale, mean, std };
  return {
    inputShape,
    numClasses,
    clipMin,
    clipMax,
    preprocessing,
    softmaxOutput: partial.softmaxOutput ?? io.softmaxOutput ?? false,
  };
}

/** Where the channel axis is and how big the planes are, for a batch `[N, ...sample]` in `layout`. */
function geometry(shape: readonly number[], layout: Layout) {
  const n = shape[0] as number;
  const sample = shape.slice(1);
  const per = sample.reduce((a, b) => a * b, 1);
  if (layout === 'NCHW' && sample.length === 3)
    return { n, per, c: sample[0] as number, h: sample[1] as number, w: sample[2] as number };
  if (layout === 'NHWC' && sample.length === 3)
    return { n, per, c: sample[2] as number, h: sample[0] as number, w: sample[1] as number };
  return { n, per, c: sample[sample.length - 1] ?? 1, h: 1, w: 1 };
}

function channelIndex(i: number, g: ReturnType<typeof geometry>, layout: Layout): number {
  const j = i % g.per;
  if (layout === 'NCHW') return Math.floor(j / (g.h * g.w));
  return j % g.c;
}

function transpose(src: Float32Array, g: ReturnType<typeof geometry>, from: Layout): Float32Array {
  const out = new Float32Array(src.length);
  const { n, c, h, w } = g;
  const hw = h * w;
  for (let s = 0; s < n; s++) {
    const o = s * g.per;
    for (let ch = 0; ch < c; ch++)
      for (let p = 0; p < hw; p++) {
        const chw = o + ch * hw + p;
        const hwc = o + p * c + ch;
        if (from === 'NCHW') out[hwc] = src[chw] as number;
        else out[chw] = src[hwc] as number;
      }
  }
  return out;
}

function outShape(shape: readonly number[], from: Layout, to: Layout): number[] {
  return [shape[0] as number, ...permute(shape.slice(1), from, to)];
}

/**
 * Attack-space batch → model input: `x·scale`, then `(v − mean[c]) / std[c]` per channel, then NCHW ↔ NHWC
 * when the profile's inputLayout differs from the model's layout. Returns a new tensor.
 */
export function applyPreprocessing(x: Tensor, p: ProfilePreprocessing): Tensor {
  const from = p.inputLayout ?? p.layout;
  const g = geometry(x.shape, from);
  const v = new Float32Array(x.data.length);
  const hasNorm = p.mean.length > 0;
  for (let i = 0; i < v.length; i++) {
    let t = (x.data[i] as number) * p.scale;
    if (hasNorm) {
      const c = p.mean.length === 1 ? 0 : channelIndex(i, g, from);
      t = (t - (p.mean[c] as number)) / (p.std[c] as number);
    }
    v[i] = t;
  }
  if (from === p.layout || from === 'flat' || p.layout === 'flat') return { data: v, shape: [...x.shape] };
  return { data: transpose(v, g, from), shape: outShape(x.shape, from, p.layout) };
}

/**
 * The chain rule through applyPreprocessing: a gradient with respect to the model input (model layout)
 * → the gradient with respect to the attack-space input (`g · scale / std[c]`, transposed back).
 */
export function preprocessingGradient(g: Tensor, p: ProfilePreprocessing): Tensor {
  const to = p.inputLayout ?? p.layout;
  const back =
    to === p.layout || to === 'flat' || p.layout === 'flat'
      ? { data: g.data, shape: [...g.shape] }
      : {
          data: transpose(g.data, geometry(g.shape, p.layout), p.layout),
          shape: outShape(g.shape, p.layout, to),
        };
  const geo = geometry(back.shape, to);
  const out = new Float32Array(back.data.length);
  for (let i = 0; i < out.length; i++) {
    const c = p.std.length === 0 ? -1 : p.std.length === 1 ? 0 : channelIndex(i, geo, to);
    out[i] = ((back.data[i] as number) * p.scale) / (c < 0 ? 1 : (p.std[c] as number));
  }
  return { data: out, shape: back.shape };
}

/** Reads and validates a JSON profile file (zod, loaded lazily). */
export async function loadProfileFile(path: string): Promise<PartialProfile> {
  const size = statSync(path).size;
  if (size > PROFILE_LIMITS.maxFileBytes)
    throw new LimitError(
      'maxFileBytes',
      `profile ${path}: ${size} bytes, more than ${PROFILE_LIMITS.maxFileBytes}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ModelguardError('MALFORMED', `profile ${path}: ${(e as Error).message}`, { cause: e });
  }
  const { z } = await import('zod');
  const layout = z.enum(['NCHW', 'NHWC', 'flat']);
  const num = z.number().finite();
  const schema = z
    .object({
      inputShape: z.array(z.number().int().positive()).min(1).max(8).optional(),
      numClasses: z.number().int().positive().optional(),
      clipMin: num.optional(),
      clipMax: num.optional(),
      softmaxOutput: z.boolean().optional(),
      classNames: z.array(z.string().max(1000)).max(100_000).optional(),
      preprocessing: z
        .object({
          layout: layout.optional(),
          inputLayout: layout.optional(),
          scale: num.optional(),
          mean: z.array(num).max(4096).optional(),
          std: z.array(num).max(4096).optional(),
        })
        .strict()
        .optional(),
    })
    .strict();
  const r = schema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new ModelguardError('MALFORMED', `profile ${path}: ${issues}`);
  }
  return r.data as PartialProfile;
}
