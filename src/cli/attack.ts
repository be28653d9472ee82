import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Attack, AttackName, AttackResult, Norm } from '../attacks/types.js';
import { writeNpz } from '../ml/npy.js';
import type { Classifier, Dataset, ModelProfile, Tensor } from '../ml/types.js';
import {
  type AttackRun,
  curveOf,
  entriesOf,
  maskFraction,
  overallRobustAccuracy,
  worstCaseMasks,
} from '../report/attack/build.js';
import { renderAttackJson } from '../report/attack/json.js';
import { renderAttackText } from '../report/attack/text.js';
import type {
  AttackExample,
  AttackPreset,
  AttackReport,
  AttackSettings,
  AttackWarning,
} from '../report/attack/types.js';
import { VERSION } from '../scanners/version.js';
import { EXIT, UsageError } from './errors.js';
import { Progress } from './progress.js';
import { writeAll } from './register.js';

export const ATTACK_FORMATS = ['text', 'json', 'html'] as const;
export type AttackFormat = (typeof ATTACK_FORMATS)[number];
export const ATTACK_CHOICES = [
  'fgsm',
  'bim',
  'pgd',
  'apgd-ce',
  'apgd-t',
  'square',
  'hsj',
  'autoattack',
] as const;
/** AutoAttack standard (fra31/auto-attack): each on the points still robust after the ones before it. */
export const AUTOATTACK_STANDARD: readonly AttackName[] = ['apgd-ce', 'apgd-t', 'fab-t', 'square'];
/** What runs instead of white-box attacks when the model has no input gradients. */
export const BLACK_BOX_FALLBACK: AttackName = 'square';
/** Default ε per norm: the CIFAR-10 conventions (8/255 L∞, 0.5 L2) on inputs in [0, 1]. */
export const DEFAULT_EPS: Record<Norm, number> = { linf: 8 / 255, l2: 0.5 };
export const DEFAULT_BATCH = 64;
/** Example images in the HTML report. */
const EXAMPLES = 4;

export interface AttackFlags {
  data?: string;
  attack: string;
  preset?: string;
  norm: string;
  eps?: string;
  steps?: string;
  stepSize?: string;
  randomStart?: boolean;
  restarts?: string;
  queries?: string;
  seed: string;
  limit?: string;
  batchSize?: string;
  profile?: string;
  saveAdversarial?: string;
  format: AttackFormat;
  output?: string;
  progress: boolean;
  failUnder?: string;
  color?: boolean;
}

/** A loaded model as the command sees it; the backends may add `removedSoftmax` / `gradientUnavailable`. */
export type LoadedClassifier = Classifier & {
  readonly removedSoftmax?: boolean | undefined;
  readonly gradientUnavailable?: string | undefined;
  /** TF.js: where the logits come from (`softmax-removed` when a trailing softmax was cut off). */
  readonly logitsFrom?: string | undefined;
};

/** The engines the command drives; injectable so tests can run the command on a model of their own. */
export interface AttackRuntime {
  loadModel(path: string, format: 'onnx' | 'tfjs', profileFile?: string): Promise<LoadedClassifier>;
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
    import('../ml/data/index.js'),
    import('../attacks/index.js'),
    import('../ml/profile.js'),
  ]);
  return {
    async loadModel(path, format, profileFile) {
      const partial = profileFile === undefined ? undefined : await profiles.loadProfileFile(profileFile);
      if (format === 'tfjs') {
        const { loadTfjsClassifier } = await import('../ml/tfjs/index.js');
        return loadTfjsClassifier(path, partial ?? {});
      }
      const { loadOnnxClassifier } = await import('../ml/ort/index.js');
      const derived = await loadOnnxClassifier(path);
      if (partial === undefined) return derived;
      // The profile file overrides what the graph says; the model is loaded again with the merged profile.
      const p = derived.profile;
      const profile = profiles.resolveProfile(partial, {
        inputShape: [null, ...p.inputShape],
        numClasses: p.numClasses,
        softmaxOutput: p.softmaxOutput,
      });
      await derived.dispose();
      return loadOnnxClassifier(path, profile);
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

export function registerAttack(program: Command, setExit: (code: number) => void): void {
  program
    .command('attack')
    .description(
      'Measure adversarial robustness: attack an ONNX or TF.js classifier on a labelled dataset and report clean and robust accuracy. Exit 0 done, 1 robust accuracy below --fail-under, 2 error.',
    )
    .argument('<model>', 'model.onnx or a TF.js model.json (detected by content)')
    .option('--data <path>', 'labelled data: .npz with x (float32) and y (int), or an image folder per class')
    .addOption(new Option('--attack <name>', 'attack to run (comma-separated for several)').default('pgd'))
    .addOption(
      new Option('--preset <name>', 'AutoAttack standard: apgd-ce, apgd-t, fab-t, square').choices([
        'autoattack',
      ]),
    )
    .addOption(new Option('--norm <norm>', 'threat model').choices(['linf', 'l2']).default('linf'))
    .option('--eps <list>', 'perturbation budget(s), comma-separated (default 8/255 for linf, 0.5 for l2)')
    .option('--steps <n>', 'iterations (PGD/BIM/APGD/FAB; HSJ outer iterations)')
    .option('--step-size <a>', 'PGD/BIM step size (default 2.5·ε/steps)')
    .option('--random-start', 'PGD: start from a random point in the ε-ball (default)')
    .option('--no-random-start', 'PGD: start from the input')
    .option('--restarts <n>', 'random restarts (PGD/APGD)')
    .option('--queries <n>', 'query budget per sample (Square, HSJ)')
    .option('--seed <n>', 'seed of every random choice', '0')
    .option('--limit <n>', 'use only the first N samples')
    .option('--batch-size <n>', `samples per model call (default ${DEFAULT_BATCH})`)
    .option('--profile <file>', 'JSON model profile (input shape, range, preprocessing)')
    .option('--save-adversarial <file.npz>', 'write x, y, x_adv, fooled, eps as .npz')
    .addOption(new Option('-f, --format <format>', 'output format').choices(ATTACK_FORMATS).default('text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--no-progress', 'no progress bar on stderr')
    .option(
      '--fail-under <acc>',
      'exit 1 when the robust accuracy is below ACC (0–1, or a percentage such as 80%)',
    )
    .option('--color', 'force colour in text output')
    .option('--no-color', 'no colour in text output')
    .action(async (model: string, flags: AttackFlags) => {
      setExit(await attackCommand(model, flags));
    });
}

// ---------------------------------------------------------------- options

export function parseIntFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}; got "${v}"`);
  return Number(v);
}

function parsePositive(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a number > 0; got "${v}"`);
  return n;
}

export function parseEps(v: string | undefined, norm: Norm): number[] {
  if (v === undefined) return [DEFAULT_EPS[norm]];
  const list = v.split(',').map((s) => s.trim());
  const out = list.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`--eps must be numbers > 0; got "${s}"`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

export function parseFailUnder(v: string | undefined): number | null {
  if (v === undefined) return null;
  const pct = v.trim().endsWith('%');
  const n = Number(pct ? v.trim().slice(0, -1) : v);
  const value = pct ? n / 100 : n;
  if (v.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`--fail-under must be an accuracy in [0, 1] or a percentage; got "${v}"`);
  return value;
}

interface Plan {
  readonly names: AttackName[];
  readonly preset: 'autoattack' | null;
}

function plan(flags: AttackFlags): Plan {
  const names = flags.attack.split(',').map((s) => s.trim());
  for (const n of names)
    if (!(ATTACK_CHOICES as readonly string[]).includes(n))
      throw new UsageError(`--attack must be one of ${ATTACK_CHOICES.join(', ')}; got "${n}"`);
  if (flags.preset === 'autoattack' || names.includes('autoattack')) {
    if (names.some((n) => n !== 'autoattack') && flags.attack !== 'pgd')
      throw new UsageError('--preset autoattack runs its own attacks; leave out --attack');
    return { names: [...AUTOATTACK_STANDARD], preset: 'autoattack' };
  }
  return { names: [...new Set(names)] as AttackName[], preset: null };
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

// ---------------------------------------------------------------- running

function sampleSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((p, d) => p * d, 1);
}

function slice(x: Tensor, from: number, to: number): Tensor {
  const d = sampleSize(x.shape);
  return { data: x.data.subarray(from * d, to * d), shape: [to - from, ...x.shape.slice(1)] };
}

/** Predicted classes of every sample, in batches. */
export async function predictAll(model: Classifier, x: Tensor, batch: number): Promise<Int32Array> {
  const n = x.shape[0] ?? 0;
  const k = model.profile.numClasses;
  const out = new Int32Array(n);
  for (let from = 0; from < n; from += batch) {
    const to = Math.min(n, from + batch);
    const logits = await model.predict(slice(x, from, to));
    for (let i = 0; i < to - from; i++) {
      let best = 0;
      for (let j = 1; j < k; j++)
        if ((logits[i * k + j] as number) > (logits[i * k + best] as number)) best = j;
      out[from + i] = best;
    }
  }
  return out;
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

/** Model and data, checked against each other. Shared with `modelguard grad`. */
export async function loadModelAndData(
  rt: AttackRuntime,
  modelPath: string,
  dataPath: string | undefined,
  limit: number | undefined,
  profile: string | undefined,
): Promise<Loaded> {
  if (dataPath === undefined) throw new UsageError('--data is required');
  if (!existsSync(modelPath)) throw new UsageError(`no such model file: ${modelPath}`);
  if (!existsSync(dataPath)) throw new UsageError(`no such data file or folder: ${dataPath}`);
  if (profile !== undefined && !existsSync(profile)) throw new UsageError(`no such profile file: ${profile}`);
  const format = detectFormat(modelPath);
  const model = await load('model', modelPath, () => rt.loadModel(modelPath, format, profile));
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

interface Collected {
  runs: AttackRun[];
  ran: AttackName[];
  skipped: { name: string; reason: string }[];
  /** Per ε: worst-case adversarial examples (the original where nothing fooled the point) and who did it. */
  adversarial: { x: Float32Array; by: (AttackName | null)[] }[];
}

function emptyResult(n: number): AttackRun['result'] {
  return {
    fooled: new Uint8Array(n),
    perturbation: new Float32Array(n),
    queries: new Float32Array(n),
    seconds: 0,
  };
}

/** Every attack at every ε; in a preset each attack sees only the points still robust. */
async function collect(
  rt: AttackRuntime,
  model: Classifier,
  data: Dataset,
  correct: Uint8Array,
  names: readonly AttackName[],
  preset: boolean,
  eps: readonly number[],
  base: Omit<Parameters<Attack['run']>[3], 'eps' | 'onProgress'>,
  progress: Progress,
): Promise<Collected> {
  const n = data.y.length;
  const d = sampleSize(data.x.shape);
  const attacks: Attack[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of names) {
    const a = rt.attack(name);
    if (a === undefined) skipped.push({ name, reason: 'not available in this build' });
    else if (name === 'apgd-t' && model.profile.numClasses < 4)
      skipped.push({ name, reason: 'targeted DLR needs at least 4 classes' });
    else attacks.push(a);
  }
  const runs: AttackRun[] = [];
  const adversarial: Collected['adversarial'] = [];
  const total = eps.length * attacks.length * n;
  let job = 0;
  for (const e of eps) {
    const robust = Uint8Array.from(correct);
    const adv = { x: Float32Array.from(data.x.data), by: new Array<AttackName | null>(n).fill(null) };
    for (const attack of attacks) {
      const active = preset ? Uint8Array.from(robust) : Uint8Array.from(correct);
      const label = `${attack.name} ε=${Number(e.toPrecision(4))}`;
      let result: AttackResult | AttackRun['result'];
      if (active.some((v) => v === 1)) {
        result = await attack.run(
          model,
          data.x,
          data.y,
          {
            ...base,
            eps: e,
            onProgress: (done, all) =>
              progress.update(job * n + Math.round((done / Math.max(1, all)) * n), total, label),
          },
          active,
        );
      } else result = emptyResult(n);
      job++;
      progress.update(job * n, total, label);
      const fooled = new Uint8Array(n);
      for (let i = 0; i < n; i++) fooled[i] = active[i] === 1 && result.fooled[i] === 1 ? 1 : 0;
      runs.push({
        name: attack.name,
        norm: base.norm,
        eps: e,
        active,
        result: {
          fooled,
          perturbation: result.perturbation,
          queries: result.queries,
          seconds: result.seconds,
        },
      });
      const advX = 'adversarial' in result ? result.adversarial.data : null;
      for (let i = 0; i < n; i++) {
        if (fooled[i] !== 1) continue;
        robust[i] = 0;
        if (adv.by[i] === null && advX !== null) {
          adv.x.set(advX.subarray(i * d, (i + 1) * d), i * d);
          adv.by[i] = attack.name;
        }
      }
    }
    adversarial.push(adv);
  }
  return { runs, ran: attacks.map((a) => a.name), skipped, adversarial };
}

/** White-box attacks need input gradients; without them they give way to a black-box attack. */
function fallback(
  model: LoadedClassifier,
  names: AttackName[],
  rt: AttackRuntime,
): { names: AttackName[]; warning: AttackWarning | null } {
  if (model.capabilities.lossGradient) return { names, warning: null };
  const white = names.filter((n) => rt.attack(n)?.needsGradients ?? (n !== 'square' && n !== 'hsj'));
  if (white.length === 0) return { names, warning: null };
  const kept = [...new Set(names.map((n) => (white.includes(n) ? BLACK_BOX_FALLBACK : n)))];
  const why = model.gradientUnavailable ?? 'the backend gives no input gradients for this model';
  return {
    names: kept,
    warning: {
      code: 'gradients-unavailable',
      message: `input gradients are unavailable (${why}); ran the black-box ${kept.join(', ')} instead of ${white.join(', ')}. Black-box attacks are weaker: robust accuracy is an upper bound.`,
    },
  };
}

/**
 * Up to EXAMPLES fooled points, from the largest ε down (an attack may fool a point only at a smaller ε),
 * one per point, different true labels first.
 */
async function examplesOf(
  model: Classifier,
  data: Dataset,
  eps: readonly number[],
  adversarial: Collected['adversarial'],
  cleanPred: Int32Array,
): Promise<AttackExample[]> {
  const d = sampleSize(data.x.shape);
  const found: { i: number; k: number }[] = [];
  for (let k = adversarial.length - 1; k >= 0; k--) {
    const by = adversarial[k]?.by ?? [];
    for (let i = 0; i < by.length; i++)
      if (by[i] !== null && !found.some((f) => f.i === i)) found.push({ i, k });
  }
  const seen = new Set<number>();
  const pick: { i: number; k: number }[] = [];
  for (const f of found) {
    if (pick.length < EXAMPLES && !seen.has(data.y[f.i] as number)) {
      seen.add(data.y[f.i] as number);
      pick.push(f);
    }
  }
  for (const f of found) if (pick.length < EXAMPLES && !pick.includes(f)) pick.push(f);
  if (pick.length === 0) return [];
  const x = new Float32Array(pick.length * d);
  const advOf = (f: { i: number; k: number }) =>
    (adversarial[f.k]?.x ?? data.x.data).slice(f.i * d, (f.i + 1) * d);
  for (const [n, f] of pick.entries()) x.set(advOf(f), n * d);
  const advPred = await predictAll(
    model,
    { data: x, shape: [pick.length, ...data.x.shape.slice(1)] },
    pick.length,
  );
  return pick.map((f, n) => ({
    index: f.i,
    label: data.y[f.i] as number,
    cleanPrediction: cleanPred[f.i] as number,
    adversarialPrediction: advPred[n] as number,
    attack: adversarial[f.k]?.by[f.i] as AttackName,
    eps: eps[f.k] as number,
    original: data.x.data.slice(f.i * d, (f.i + 1) * d),
    adversarial: advOf(f),
  }));
}

function modelInfo(path: string, format: 'onnx' | 'tfjs', model: LoadedClassifier): AttackReport['model'] {
  const p: ModelProfile = model.profile;
  return {
    path,
    sha256: sha256File(path),
    format,
    inputShape: [...p.inputShape],
    classes: p.numClasses,
    clipMin: p.clipMin,
    clipMax: p.clipMax,
    layout: p.preprocessing.layout,
    softmaxOutput: p.softmaxOutput,
    removedSoftmax: model.removedSoftmax ?? model.logitsFrom === 'softmax-removed',
    gradients: model.capabilities.lossGradient,
    ...(model.gradientUnavailable === undefined ? {} : { gradientUnavailable: model.gradientUnavailable }),
  };
}

function saveAdversarial(file: string, data: Dataset, eps: readonly number[], c: Collected): void {
  const arrays: Record<string, Tensor | Int32Array> = { x: data.x, y: data.y };
  const last = c.adversarial.length - 1;
  c.adversarial.forEach((a, k) => {
    const x = { data: a.x, shape: data.x.shape };
    const fooled = Int32Array.from(a.by, (b) => (b === null ? 0 : 1));
    if (k === last) Object.assign(arrays, { x_adv: x, fooled });
    if (eps.length > 1) Object.assign(arrays, { [`x_adv_${k}`]: x, [`fooled_${k}`]: fooled });
  });
  arrays['eps'] = { data: Float32Array.from(eps), shape: [eps.length] };
  try {
    writeNpz(file, arrays);
  } catch (e) {
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
}

/** Runs the attacks and builds the report (no output); exported for the library and tests. */
export async function runAttack(
  modelPath: string,
  flags: AttackFlags,
  progress: Progress,
): Promise<{ report: AttackReport; examples: AttackExample[] }> {
  const started = Date.now();
  const norm = flags.norm as Norm;
  if (norm !== 'linf' && norm !== 'l2')
    throw new UsageError(`--norm must be linf or l2; got "${flags.norm}"`);
  const eps = parseEps(flags.eps, norm);
  const p = plan(flags);
  const seed = parseIntFlag(flags.seed, '--seed', 0) ?? 0;
  const failUnder = parseFailUnder(flags.failUnder);
  const settings: AttackSettings = {
    ...optional('steps', parseIntFlag(flags.steps, '--steps', 1)),
    ...optional('stepSize', parsePositive(flags.stepSize, '--step-size')),
    ...optional('randomStart', flags.randomStart),
    ...optional('restarts', parseIntFlag(flags.restarts, '--restarts', 1)),
    ...optional('queries', parseIntFlag(flags.queries, '--queries', 1)),
    batchSize: parseIntFlag(flags.batchSize, '--batch-size', 1) ?? DEFAULT_BATCH,
  };
  const limit = parseIntFlag(flags.limit, '--limit', 1);
  const rt = await attackRuntime();
  const { model, data, format } = await loadModelAndData(rt, modelPath, flags.data, limit, flags.profile);
  try {
    const warnings: AttackWarning[] = [];
    const fb = fallback(model, p.names, rt);
    if (fb.warning) warnings.push(fb.warning);
    const cleanPred = await predictAll(model, data.x, settings.batchSize);
    const correct = Uint8Array.from(cleanPred, (v, i) => (v === data.y[i] ? 1 : 0));
    const c = await collect(
      rt,
      model,
      data,
      correct,
      fb.names,
      p.preset !== null,
      eps,
      { norm, seed, ...settings },
      progress,
    );
    progress.done();
    const entries = entriesOf(c.runs, correct, p.preset !== null);
    const masks = worstCaseMasks(eps, c.runs, correct);
    const cleanAccuracy = maskFraction(correct);
    if (rt.sanityChecks) warnings.push(...(await rt.sanityChecks(model, data, entries, p.preset)));
    for (const s of c.skipped)
      warnings.push({ code: 'attack-skipped', message: `${s.name} did not run: ${s.reason}` });
    const preset: AttackPreset | null =
      p.preset === null ? null : { name: 'autoattack', version: 'standard', ran: c.ran, skipped: c.skipped };
    if (flags.saveAdversarial !== undefined) saveAdversarial(flags.saveAdversarial, data, eps, c);
    const report: AttackReport = {
      tool: { name: 'modelguard', version: VERSION },
      model: modelInfo(modelPath, format, model),
      data: {
        path: flags.data as string,
        samples: data.y.length,
        ...(data.classNames ? { classNames: [...data.classNames] } : {}),
      },
      seed,
      norm,
      eps,
      preset,
      settings,
      cleanAccuracy,
      robustAccuracy: overallRobustAccuracy(masks, correct),
      attacks: entries,
      curve: curveOf(eps, entries, masks, cleanAccuracy),
      warnings,
      adversarialFile: flags.saveAdversarial ?? null,
      failUnder,
      durationMs: Date.now() - started,
    };
    const examples =
      flags.format === 'html' ? await examplesOf(model, data, eps, c.adversarial, cleanPred) : [];
    return { report, examples };
  } finally {
    progress.done();
    await model.dispose();
  }
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}

/** Renders the report; the HTML renderer (and pngjs with it) loads only when asked for. */
export async function renderAttack(
  report: AttackReport,
  examples: readonly AttackExample[],
  format: AttackFormat,
  color: boolean,
): Promise<string> {
  if (format === 'json') return renderAttackJson(report);
  if (format === 'html') return (await import('../report/attack/html.js')).renderAttackHtml(report, examples);
  return renderAttackText(report, { color });
}

/** `modelguard attack MODEL`: returns the exit code (0 done, 1 below --fail-under, 2 error). */
export async function attackCommand(modelPath: string, flags: AttackFlags): Promise<number> {
  const progress = new Progress(process.stderr, flags.progress && process.stderr.isTTY === true);
  const { report, examples } = await runAttack(modelPath, flags, progress);
  const toFile = flags.output !== undefined;
  const color = flags.color ?? (!toFile && process.stdout.isTTY === true && !process.env['NO_COLOR']);
  const text = await renderAttack(report, examples, flags.format, color);
  const below = report.failUnder !== null && report.robustAccuracy < report.failUnder;
  if (flags.output !== undefined) {
    try {
      writeFileSync(flags.output, text);
    } catch (e) {
      throw new UsageError(`cannot write ${flags.output}: ${(e as Error).message}`);
    }
    const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
    process.stderr.write(
      `Robust accuracy ${pct(report.robustAccuracy)} (clean ${pct(report.cleanAccuracy)})${below ? ` below --fail-under ${pct(report.failUnder as number)}` : ''}\nReport written to ${flags.output}\n`,
    );
  } else {
    await writeAll(process.stdout, text);
  }
  return below ? EXIT.findings : EXIT.ok;
}
