/**
 * How the classifier runs an ONNX graph: one onnxruntime session in this thread, or (pool.ts) one session per
 * worker thread with each batch split across them. Both take and give plain typed arrays, so the classifier
 * never touches onnxruntime's Tensor type and does not care which one it has.
 */
import type { InferenceSession } from 'onnxruntime-node';
import { OrtBackendError } from './errors.js';

export type Ort = typeof import('onnxruntime-node');

/** A graph input or output: its batch-major data and dims. */
export interface RunTensor {
  readonly data: Float32Array | BigInt64Array;
  readonly dims: readonly number[];
}

/** A graph input or output as the graph declares it (unknown dims as null). */
export interface IoInfo {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape: readonly (number | null)[];
}

export interface SessionRunner {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputs: readonly IoInfo[];
  readonly outputs: readonly IoInfo[];
  /** Runs the graph on batch-major feeds (dim 0 is the batch in every feed and every fetched output). */
  run(feeds: Record<string, RunTensor>, fetches: readonly string[]): Promise<Record<string, RunTensor>>;
  release(): Promise<void>;
}

/** What every session of one classifier is created with (serialisable: it goes to worker threads too). */
export interface RunnerOptions {
  readonly executionProviders: readonly string[];
  readonly intraOpNumThreads?: number;
  readonly spinning: boolean;
}

export function sessionOptions(o: RunnerOptions): InferenceSession.SessionOptions {
  return {
    executionProviders: [...o.executionProviders],
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    ...(o.intraOpNumThreads === undefined ? {} : { intraOpNumThreads: o.intraOpNumThreads }),
    extra: { session: { intra_op: { allow_spinning: o.spinning ? '1' : '0' } } },
  };
}

export function ioInfo(meta: readonly InferenceSession.ValueMetadata[]): IoInfo[] {
  return meta.map((m) => ({
    name: m.name,
    isTensor: m.isTensor,
    shape: m.isTensor ? m.shape.map((d) => (typeof d === 'number' && d > 0 ? d : null)) : [],
  }));
}

/** One onnxruntime session in this thread. */
export async function createLocalRunner(
  ort: Ort,
  bytes: Uint8Array,
  options: RunnerOptions,
  what: string,
): Promise<SessionRunner> {
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(options));
  } catch (e) {
    throw new OrtBackendError(`onnxruntime could not load the ${what}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inputs: ioInfo(session.inputMetadata),
    outputs: ioInfo(session.outputMetadata),
    async run(feeds, fetches) {
      const ortFeeds: Record<string, InstanceType<Ort['Tensor']>> = {};
      for (const [name, t] of Object.entries(feeds))
        ortFeeds[name] =
          t.data instanceof Float32Array
            ? new ort.Tensor('float32', t.data, [...t.dims])
            : new ort.Tensor('int64', t.data, [...t.dims]);
      const res = await session.run(ortFeeds, [...fetches]);
      const out: Record<string, RunTensor> = {};
      for (const name of fetches) {
        const t = res[name];
        if (!t || !(t.data instanceof Float32Array || t.data instanceof BigInt64Array))
          throw new OrtBackendError(`output ${JSON.stringify(name)} is not a float32 or int64 tensor`);
        out[name] = { data: t.data, dims: t.dims };
      }
      return out;
    },
    release: () => session.release(),
  };
}
