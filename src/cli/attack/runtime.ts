/** The engines `attack` and `grad` drive (injectable for tests), and loading a model with its data. */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import type { Attack, AttackName } from '../../attacks/types.js';
import type { Classifier, Dataset } from '../../ml/types.js';
import type { AttackReport, AttackWarning } from '../../report/attack/types.js';
import { UsageError } from '../errors.js';
import { type BackendOptions, parseBackendOptions } from './options.js';

/** A loaded model as the command sees it; the backends may add `removedSoftmax` / `gradientUnavailable`. */
export type LoadedClassifier = Classifier & {
  readonly removedSoftmax?: boolean | undefined;
  readonly gradientUnavailable?: string | undefined;
  /** TF.js: where the logits come from (`softmax-removed` when a trailing softmax was cut off). */
  readonly logitsFrom?: string | undefined;
};

/** The engines the command drives; injectable so tests can run the command on a model of their own. */
export interface AttackRuntime {
  /** `backend`: `--threads` / `--execution-provider` (ONNX only; empty when not given). */
  loadModel(
    path: string,
    format: 'onnx' | 'tfjs',
    profileFile?: string,
    backend?: BackendOptions,
  ): Promise<LoadedClassifier>;
  /** `layout` (image folders) and `numClasses` (label check) come from the model's profile. */
  loadDataset(
    path: string,
    opts: { limit?: number; layout?: 'NCHW' | 'NHWC'; numClasses?: number },
  ): Promise<Dataset>;
  attack(name: AttackName): Attack | undefined;
  /** Sanity checks (gradient masking, softmax output, input range) as warnings; optional. */
  sanityChecks?(
    model: Classifier,
    data: Dataset,
    entries: AttackReport['attacks'],
    preset: 'autoattack' | null,
  ): Promise<AttackWarning[]>;
}

let runtime: AttackRuntime | undefined;

/** Replaces the engines (tests); `undefined` restores the real ones. */
export function setAttackRuntime(r: AttackRuntime | undefined): void {
  runtime = r;
}

/** The real engines, loaded only when `attack`/`grad` run so `scan` never pays for onnxruntime or TF.js. */
export async function attackRuntime(): Promise<AttackRuntime> {
  if (runtime) return runtime;
  const [data, attacks, profiles] = await Promise.all([
    import('../../ml/data/index.js'),
    import('../../attacks/index.js'),
    import('../../ml/profile.js'),
  ]);
  return {
    async loadModel(path, format, profileFile, backend = {}) {
      const partial = profileFile === undefined ? undefined : await profiles.loadProfileFile(profileFile);
      if (format === 'tfjs') {
        const { loadTfjsClassifier } = await import('../../ml/tfjs/index.js');
        return loadTfjsClassifier(path, partial ?? {});
      }
      const { loadOnnxClassifier } = await import('../../ml/ort/index.js');
      const derived = await loadOnnxClassifier(path, undefined, backend);
      if (partial === undefined) return derived;
      // The profile file overrides what the graph says; the model is loaded again with the merged profile.
      const p = derived.profile;
      const profile = profiles.resolveProfile(partial, {
        inputShape: [null, ...p.inputShape],
        numClasses: p.numClasses,
        softmaxOutput: p.softmaxOutput,
      });
      await derived.dispose();
      return loadOnnxClassifier(path, profile, backend);
    },
    loadDataset: (path, opts) => data.loadDataset(path, opts),
    attack: (name) => (attacks.isImplemented(name) ? attacks.attackByName(name) : undefined),
    async sanityChecks(model, dataset, entries, preset) {
      const summaries = entries.map((e) => ({ ...e, ...(preset ? { preset } : {}) }));
      const found = [
        ...(await attacks.checkModel(model, dataset)),
        ...attacks.checkAttackSummaries(summaries),
      ];
      return found.map((w) => ({ code: w.code, message: w.message }));
    },
  };
}

/** `.onnx` is protobuf, a TF.js `model.json` is JSON: the first non-blank byte tells them apart. */
export function detectFormat(path: string): 'onnx' | 'tfjs' {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new UsageError(`${path} is a folder; give the model file`);
    fd = openSync(path, 'r');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot open model ${path}: ${(e as Error).message}`);
  }
  const head = new Uint8Array(64);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  const first = head
    .subarray(0, n)
    .find(
      (b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf,
    );
  if (first === 0x7b) return 'tfjs';
  // An ONNX ModelProto starts with a protobuf key: ir_version (field 1, varint) or another field.
  if (first !== undefined && (first & 0x07) <= 5 && first >> 3 >= 1) return 'onnx';
  throw new UsageError(`${path} is neither an ONNX model nor a TF.js model.json`);
}

export function sha256File(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    let n: number;
    // biome-ignore lint/suspicious/noAssignInExpressions: read loop
    while ((n = readSync(fd, buf, 0, buf.length, null)) > 0) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/** Loads what the command needs; a bad file is a usage error naming it (exit 2). */
async function load<T>(what: string, path: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot load ${what} ${path}: ${(e as Error).message}`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export interface Loaded {
  model: LoadedClassifier;
  data: Dataset;
  format: 'onnx' | 'tfjs';
}

/** The flags every model-and-data command shares (`attack`, `grad`, `backdoor`). */
export interface ModelDataFlags {
  readonly data?: string;
  readonly profile?: string;
  readonly threads?: string;
  readonly executionProvider?: string;
}

/** Model and data from the shared flags, checked against each other. */
export async function loadModelAndData(
  rt: AttackRuntime,
  modelPath: string,
  flags: ModelDataFlags,
  limit: number | undefined,
): Promise<Loaded> {
  const backend = parseBackendOptions(flags);
  const { data: dataPath, profile } = flags;
  if (dataPath === undefined) throw new UsageError('--data is required');
  if (!existsSync(modelPath)) throw new UsageError(`no such model file: ${modelPath}`);
  if (!existsSync(dataPath)) throw new UsageError(`no such data file or folder: ${dataPath}`);
  if (profile !== undefined && !existsSync(profile)) throw new UsageError(`no such profile file: ${profile}`);
  const format = detectFormat(modelPath);
  if (format === 'tfjs' && (backend.threads !== undefined || backend.executionProviders !== undefined))
    throw new UsageError(
      `--threads and --execution-provider apply to ONNX models (onnxruntime); ${modelPath} is a TF.js model`,
    );
  const model = await load('model', modelPath, () => rt.loadModel(modelPath, format, profile, backend));
  // Image folders are read in the layout the attacks work in; labels are checked against the classes.
  const pre: { layout: string; inputLayout?: string } = model.profile.preprocessing;
  const layout = pre.inputLayout ?? pre.layout;
  try {
    const data = await load('data', dataPath, () =>
      rt.loadDataset(dataPath, {
        ...(limit === undefined ? {} : { limit }),
        ...(layout === 'NCHW' || layout === 'NHWC' ? { layout } : {}),
        numClasses: model.profile.numClasses,
      }),
    );
    const sample = data.x.shape.slice(1);
    if (!sameShape(sample, model.profile.inputShape)) {
      throw new UsageError(
        `data samples have shape [${sample.join(', ')}] but the model takes [${model.profile.inputShape.join(', ')}] (see --profile)`,
      );
    }
    if ((data.x.shape[0] ?? 0) === 0) throw new UsageError(`${dataPath} holds no samples`);
    return { model, data, format };
  } catch (e) {
    await model.dispose();
    throw e;
  }
}
