import { readFile, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { addOutputs, buildGradientModel, buildStepModel, type StepModel } from '../onnx/index.js';
import {
  applyPreprocessing,
  type ModelIo,
  type ProfilePreprocessing,
  preprocessingGradient,
  resolveProfile,
} from '../profile.js';
import type {
  Capabilities,
  Classifier,
  GradientStepOptions,
  LossKind,
  ModelProfile,
  Tensor,
} from '../types.js';
import { GradientUnavailableError, OrtBackendError } from './errors.js';
import { hybridRunner } from './hybrid.js';
import { ORT_LIMITS } from './limits.js';
import { OrtWorkerPool } from './pool.js';
import {
  createLocalRunner,
  type IoInfo,
  type Ort,
  type RunnerOptions,
  type RunTensor,
  type SessionRunner,
} from './runner.js';

export interface OnnxClassifierOptions {
  /** onnxruntime execution providers, in order of preference (default `['cpu']`; e.g. `['cuda', 'cpu']`). */
  readonly executionProviders?: readonly string[];
  /**
   * CPU threads in all (default: the machine's cores, at most 8). Batches are split across this many
   * onnxruntime sessions in worker threads (data parallel), which beats threads inside one operator for the
   * small convolutions of typical attack targets.
   */
  readonly threads?: number;
  /** Threads inside one operator (onnxruntime's default: one per core). */
  readonly intraOpNumThreads?: number;
  /**
   * Let idle intra-op threads spin between operators (onnxruntime's own default). Off by default: on a busy
   * machine spinning threads compete with the work (measured here, 2 threads on 2 loaded cores: the CNN
   * gradient graph ran 2.5–3× slower with spinning); on an idle machine it saves a little latency.
   */
  readonly spinning?: boolean;
  /** Samples per onnxruntime call (default and maximum `ORT_LIMITS.maxBatch`). */
  readonly batchSize?: number;
  /** Graph input and output to use (default: the first of each). */
  readonly input?: string;
  readonly output?: string;
}

/** A Classifier run by onnxruntime-node. */
export interface OnnxClassifier extends Classifier {
  /** Why input gradients are unavailable (the gradient builder's message), or undefined when they are. */
  readonly gradientUnavailable: string | undefined;
  readonly inputName: string;
  readonly outputName: string;
  /** The graph ended in Softmax/LogSoftmax and gradients are taken on the logits before it. */
  readonly removedSoftmax: boolean;
}

/** Labels (or targets) outside [0, K) would give the loss heads a zero one-hot row: a silent zero gradient. */
function checkClasses(values: Int32Array, k: number, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < 0 || v >= k) throw new OrtBackendError(`${what}[${i}] is ${v}, outside the model's ${k} classes`);
  }
}

interface GradSession {
  readonly session: SessionRunner;
  readonly input: string;
  readonly labels: string | undefined;
  readonly targets: string | undefined;
  readonly loss: string;
  readonly grad: string;
  readonly logits: string;
}

/**
 * Loads an ONNX classifier into onnxruntime-node (imported lazily, so commands that never run a model do not
 * load it). The forward session runs the original model. Gradient sessions come from the ONNX gradient
 * builder, one per loss kind, built when first needed and cached; the cross-entropy one is built at load to
 * learn whether gradients are available at all. When the builder refuses the model (an operator without a
 * gradient rule), `capabilities.lossGradient` is false, `gradientUnavailable` keeps the builder's message and
 * `lossGradient` throws GradientUnavailableError, so attacks fall back to black-box ones.
 *
 * Preprocessing is applied in TypeScript before each call (ml/profile.ts applyPreprocessing: scale, per-channel
 * mean/std, NCHW ↔ NHWC when the attack-space layout differs from the model's) and chain-ruled back into the
 * gradient (preprocessingGradient: `g · scale / std[c]`, transposed back), so the ONNX graph never contains
 * it. Identity preprocessing costs nothing. Without a profile, resolveProfile derives one from the graph
 * (input dims and layout, class count from the output, clip [0, 1], softmaxOutput from the builder).
 */
export async function loadOnnxClassifier(
  model: string | Uint8Array,
  profile?: ModelProfile,
  options: OnnxClassifierOptions = {},
): Promise<OnnxClassifier> {
  const bytes = typeof model === 'string' ? await readModel(model) : model;
  const runnerOptions: RunnerOptions = {
    executionProviders: [...(options.executionProviders ?? ['cpu'])],
    spinning: options.spinning ?? false,
    ...(options.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: options.intraOpNumThreads }),
  };
  const workers = workerCount(bytes.length, runnerOptions, options);
  const ort = await importOrt();
  const pool = workers > 1 ? new OrtWorkerPool(workers) : undefined;
  const localOptions: RunnerOptions =
    runnerOptions.intraOpNumThreads === undefined && options.threads !== undefined
      ? { ...runnerOptions, intraOpNumThreads: options.threads }
      : runnerOptions;
  /** In-thread session alone, or beside the pool's (each call goes where it is measured to run faster). */
  const create = async (b: Uint8Array, what: string): Promise<SessionRunner> => {
    if (!pool) return createLocalRunner(ort, b, localOptions, what);
    const here = await createLocalRunner(ort, b, { ...runnerOptions, intraOpNumThreads: 1 }, what);
    try {
      return hybridRunner(here, await pool.createRunner(b, runnerOptions, what));
    } catch (e) {
      await here.release();
      throw e;
    }
  };
  let forward: SessionRunner;
  try {
    forward = await create(bytes, 'model');
  } catch (e) {
    await pool?.terminate();
    throw e;
  }
  const inputName = pick(forward.inputNames, options.input, 'input');
  const outputName = pick(forward.outputNames, options.output, 'output');
  const io = { input: inputName, output: outputName };
  const gradSessions = new Map<string, GradSession>();
  let gradientUnavailable: string | undefined;
  let softmaxRemoved = false;
  /** One gradient graph per loss kind (the logit head takes its class through the labels input). */
  const gradSession = async (loss: LossKind): Promise<GradSession> => {
    const key = loss.kind;
    const cached = gradSessions.get(key);
    if (cached) return cached;
    if (gradientUnavailable !== undefined) throw new GradientUnavailableError(gradientUnavailable);
    const built = buildGradientModel(bytes, loss.kind, io);
    softmaxRemoved = built.removedSoftmax;
    const session = await create(built.bytes, `gradient graph (${key})`);
    const g: GradSession = {
      session,
      input: built.input,
      labels: session.inputNames.includes(built.labels) ? built.labels : undefined,
      targets:
        built.targets !== undefined && session.inputNames.includes(built.targets) ? built.targets : undefined,
      loss: built.loss,
      grad: built.grad,
      logits: built.logits,
    };
    gradSessions.set(key, g);
    return g;
  };
  try {
    await gradSession({ kind: 'ce' });
  } catch (e) {
    // The builder refused the model, or onnxruntime refused the gradient graph: predictions still work.
    gradientUnavailable = (e as Error).message;
  }

  const finalProfile: ModelProfile =
    profile ??
    resolveProfile({}, { ...graphIo(forward, inputName, outputName), softmaxOutput: softmaxRemoved });
  const sampleShape = finalProfile.inputShape;
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const pre: ProfilePreprocessing = finalProfile.preprocessing;
  const identity =
    pre.scale === 1 &&
    pre.mean.length === 0 &&
    pre.std.length === 0 &&
    (pre.inputLayout ?? pre.layout) === pre.layout;
  // Samples per call: `batchSize` per session, so one call gives every worker thread a full batch.
  const batch =
    Math.max(1, Math.min(options.batchSize ?? ORT_LIMITS.maxBatch, ORT_LIMITS.maxBatch)) * (pool?.size ?? 1);

  const actSessions = new Map<string, SessionRunner>();
  const stepSessions = new Map<string, { runner: SessionRunner; model: StepModel }>();
  /** The step loop of one norm and step count, built from the cross-entropy gradient graph when first used. */
  const stepSession = async (norm: GradientStepOptions['norm'], steps: number) => {
    const key = `${norm}:${steps}`;
    const cached = stepSessions.get(key);
    if (cached) return cached;
    const model = buildStepModel(buildGradientModel(bytes, 'ce', io), norm, steps);
    const runner = await create(model.bytes, `step loop (${key})`);
    if (stepSessions.size >= ORT_LIMITS.maxStepSessions) {
      const [oldest, old] = stepSessions.entries().next().value as [string, { runner: SessionRunner }];
      stepSessions.delete(oldest);
      await old.runner.release();
    }
    const s = { runner, model };
    stepSessions.set(key, s);
    return s;
  };
  const queries = { forward: 0, gradient: 0 };
  const capabilities: Capabilities = {
    lossGradient: gradientUnavailable === undefined,
    classGradient: gradientUnavailable === undefined,
    activations: true,
  };

  let disposed = false;
  const checkInput = (x: Tensor): number => {
    if (disposed) throw new OrtBackendError('the classifier was disposed');
    const n = x.shape[0] ?? 0;
    const want = [n, ...sampleShape];
    if (
      x.shape.length !== want.length ||
      x.shape.some((d, i) => d !== want[i]) ||
      x.data.length !== n * sampleSize
    )
      throw new OrtBackendError(
        `input shape [${x.shape.join(', ')}] does not match the model's [N, ${sampleShape.join(', ')}]`,
      );
    return n;
  };
  /** Attack-space rows → a model-input tensor (preprocessed, in the model's layout). */
  const feedX = (x: Float32Array, n: number): RunTensor => {
    const t: Tensor = { data: x, shape: [n, ...sampleShape] };
    const m = identity ? t : applyPreprocessing(t, pre);
    return { data: m.data, dims: m.shape };
  };
  /** Gradient with respect to the model input → with respect to the attack-space input. */
  const toAttackGradient = (g: Float32Array, modelDims: readonly number[]): Float32Array =>
    identity ? g : preprocessingGradient({ data: g, shape: modelDims }, pre).data;

  const classifier: OnnxClassifier = {
    profile: finalProfile,
    capabilities,
    queries,
    inputName,
    outputName,
    get gradientUnavailable() {
      return gradientUnavailable;
    },
    get removedSoftmax() {
      return softmaxRemoved;
    },

    async predict(x: Tensor): Promise<Float32Array> {
      const n = checkInput(x);
      const k = finalProfile.numClasses;
      const out = new Float32Array(n * k);
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        const res = await forward.run(
          { [inputName]: feedX(x.data.subarray(s * sampleSize, (s + m) * sampleSize), m) },
          [outputName],
        );
        const y = res[outputName]?.data as Float32Array | undefined;
        if (!(y instanceof Float32Array) || y.length !== m * k)
          throw new OrtBackendError(`model output ${outputName} is not a float32 [N, ${k}] tensor`);
        out.set(y, s * k);
        queries.forward += m;
      }
      return out;
    },

    async lossGradient(x: Tensor, labels: Int32Array, loss: LossKind, targets?: Int32Array) {
      const n = checkInput(x);
      if (labels.length !== n) throw new OrtBackendError(`${labels.length} labels for ${n} samples`);
      const targeted = loss.kind === 'dlr-targeted' || loss.kind === 'logit-diff';
      if (targeted && targets?.length !== n)
        throw new OrtBackendError(`${loss.kind} needs ${n} targets, got ${targets?.length ?? 0}`);
      const k = finalProfile.numClasses;
      if (loss.kind === 'logit') checkClasses(Int32Array.of(loss.classIndex), k, 'logit class');
      else checkClasses(labels, k, 'labels');
      if (targeted && targets !== undefined) checkClasses(targets, k, 'targets');
      const g = await gradSession(loss);
      const lossOut = new Float32Array(n);
      const grad = new Float32Array(n * sampleSize);
      const logits = new Float32Array(n * k);
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        const xin = feedX(x.data.subarray(s * sampleSize, (s + m) * sampleSize), m);
        const feeds: Record<string, RunTensor> = { [g.input]: xin };
        // The logit head reads its class index from the labels input.
        const lab =
          loss.kind === 'logit' ? new Int32Array(m).fill(loss.classIndex) : labels.subarray(s, s + m);
        if (g.labels) feeds[g.labels] = int64(lab);
        if (g.targets && targets) feeds[g.targets] = int64(targets.subarray(s, s + m));
        const res = await g.session.run(feeds, [g.loss, g.grad, g.logits]);
        const l = res[g.loss]?.data;
        const d = res[g.grad]?.data;
        const z = res[g.logits]?.data;
        if (
          !(l instanceof Float32Array) ||
          l.length !== m ||
          !(d instanceof Float32Array) ||
          d.length !== m * sampleSize ||
          !(z instanceof Float32Array) ||
          z.length !== m * k
        )
          throw new OrtBackendError('the gradient graph returned outputs of unexpected type or size');
        lossOut.set(l, s);
        logits.set(z, s * k);
        grad.set(toAttackGradient(d, xin.dims), s * sampleSize);
        queries.gradient += m;
      }
      return { loss: lossOut, grad, logits };
    },

    // In model space: only without preprocessing (a step in attack space is not a step in model space).
    ...(identity && gradientUnavailable === undefined
      ? {
          async gradientSteps(x: Tensor, x0: Tensor, labels: Int32Array, o: GradientStepOptions) {
            const n = checkInput(x);
            if (checkInput(x0) !== n || labels.length !== n)
              throw new OrtBackendError(`${n} points, ${x0.shape[0]} originals and ${labels.length} labels`);
            checkClasses(labels, finalProfile.numClasses, 'labels');
            const { runner, model: sm } = await stepSession(o.norm, o.steps);
            const out = new Float32Array(n * sampleSize);
            const col = (v: number, m: number): RunTensor => ({
              data: new Float32Array(m).fill(v),
              dims: [m, ...sampleShape.map(() => 1)],
            });
            for (let s = 0; s < n; s += batch) {
              const m = Math.min(batch, n - s);
              const rows = (t: Tensor): RunTensor => ({
                data: t.data.subarray(s * sampleSize, (s + m) * sampleSize),
                dims: [m, ...sampleShape],
              });
              const res = await runner.run(
                {
                  [sm.start]: rows(x),
                  [sm.orig]: rows(x0),
                  [sm.labels]: int64(labels.subarray(s, s + m)),
                  [sm.alpha]: col(o.stepSize, m),
                  [sm.eps]: col(o.eps, m),
                  [sm.lo]: col(o.clipMin, m),
                  [sm.hi]: col(o.clipMax, m),
                },
                [sm.out],
              );
              const d = res[sm.out]?.data;
              if (!(d instanceof Float32Array) || d.length !== m * sampleSize)
                throw new OrtBackendError('the step loop returned an output of unexpected type or size');
              out.set(d, s * sampleSize);
              queries.gradient += m * o.steps;
            }
            return out;
          },
        }
      : {}),

    async activations(x: Tensor, layer: string): Promise<Tensor> {
      const n = checkInput(x);
      let session = actSessions.get(layer);
      if (!session) {
        session = await create(addOutputs(bytes, [layer]), `model with output ${JSON.stringify(layer)}`);
        if (!session.outputNames.includes(layer)) {
          await session.release();
          throw new OrtBackendError(`the model has no tensor ${JSON.stringify(layer)}`);
        }
        if (actSessions.size >= ORT_LIMITS.maxActivationSessions) {
          const [oldest, old] = actSessions.entries().next().value as [string, SessionRunner];
          actSessions.delete(oldest);
          await old.release();
        }
        actSessions.set(layer, session);
      }
      const parts: Float32Array[] = [];
      let dims: readonly number[] = [];
      for (let s = 0; s < n; s += batch) {
        const m = Math.min(batch, n - s);
        const res = await session.run(
          { [inputName]: feedX(x.data.subarray(s * sampleSize, (s + m) * sampleSize), m) },
          [layer],
        );
        const t = res[layer];
        if (!t || !(t.data instanceof Float32Array))
          throw new OrtBackendError(`layer ${JSON.stringify(layer)} is not a float32 tensor`);
        parts.push(t.data);
        dims = t.dims;
        queries.forward += m;
      }
      const total = parts.reduce((a, p) => a + p.length, 0);
      const data = new Float32Array(total);
      let off = 0;
      for (const p of parts) {
        data.set(p, off);
        off += p.length;
      }
      return { data, shape: [n, ...dims.slice(1)] };
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      await forward.release();
      for (const g of gradSessions.values()) await g.session.release();
      for (const s of actSessions.values()) await s.release();
      for (const s of stepSessions.values()) await s.runner.release();
      stepSessions.clear();
      gradSessions.clear();
      actSessions.clear();
      await pool?.terminate();
    },
  };
  return classifier;
}

async function importOrt(): Promise<Ort> {
  try {
    const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return mod.default ?? mod;
  } catch (e) {
    throw new OrtBackendError(`onnxruntime-node is not usable: ${(e as Error).message}`, { cause: e });
  }
}

async function readModel(path: string): Promise<Uint8Array> {
  const st = await stat(path);
  if (st.size > ORT_LIMITS.maxModelBytes)
    throw new OrtBackendError(
      `${path} is ${st.size} bytes; the limit maxModelBytes is ${ORT_LIMITS.maxModelBytes}`,
    );
  return new Uint8Array(await readFile(path));
}

function pick(names: readonly string[], wanted: string | undefined, what: string): string {
  if (wanted !== undefined) {
    if (!names.includes(wanted))
      throw new OrtBackendError(
        `the model has no ${what} ${JSON.stringify(wanted)} (it has ${names.join(', ')})`,
      );
    return wanted;
  }
  const first = names[0];
  if (first === undefined) throw new OrtBackendError(`the model has no ${what}`);
  return first;
}

function int64(v: Int32Array): RunTensor {
  const b = new BigInt64Array(v.length);
  for (let i = 0; i < v.length; i++) b[i] = BigInt(v[i] as number);
  return { data: b, dims: [v.length] };
}

/**
 * Worker threads for a model: `threads` (default: the cores, at most ORT_LIMITS.maxThreads) single-threaded
 * sessions, data parallel. One session in this thread instead when only one thread is wanted, when the caller
 * sets intra-op threads, for any execution provider but the CPU, or for a model too big to hold once per thread.
 */
function workerCount(modelBytes: number, runner: RunnerOptions, options: OnnxClassifierOptions): number {
  if (runner.intraOpNumThreads !== undefined) return 1;
  if (runner.executionProviders.some((p) => p !== 'cpu')) return 1;
  if (modelBytes > ORT_LIMITS.maxPoolModelBytes) return 1;
  const threads = options.threads ?? Math.min(availableParallelism(), ORT_LIMITS.maxThreads);
  return Math.max(1, Math.min(threads, ORT_LIMITS.maxThreads));
}

/** What the graph says about its input and output, for resolveProfile (unknown dims as null). */
function graphIo(session: SessionRunner, input: string, output: string): ModelIo {
  const dimsOf = (meta: readonly IoInfo[], name: string): (number | null)[] => {
    const m = meta.find((v) => v.name === name);
    return m?.isTensor ? [...m.shape] : [];
  };
  const out = dimsOf(session.outputs, output);
  const k = out.length === 2 ? out[1] : null;
  return {
    inputShape: dimsOf(session.inputs, input),
    ...(typeof k === 'number' ? { numClasses: k } : {}),
    layoutHint: 'NCHW',
  };
}
