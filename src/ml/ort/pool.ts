/**
 * Data-parallel onnxruntime: P worker threads, each with its own single-threaded session of every graph, and
 * every batch split into P contiguous parts run at once. onnxruntime-node runs a session synchronously on the
 * calling thread, so this is the only way to use several cores without splitting each operator; on the
 * small convolutions of typical attack targets it is much faster than onnxruntime's intra-op threads, whose
 * per-operator wake-ups cost more than the work (bench/attack-bench.ts).
 *
 * Workers are unreferenced while idle, so a forgotten classifier never keeps the process alive; a worker
 * that dies fails every pending call with OrtBackendError.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { OrtBackendError } from './errors.js';
import {
  type IoInfo,
  type RunnerOptions,
  type RunTensor,
  type SessionRunner,
  sessionOptions,
} from './runner.js';
import { ORT_WORKER_SOURCE } from './worker-source.js';

interface Reply {
  id: number;
  ok: boolean;
  message?: string;
  inputNames?: string[];
  outputNames?: string[];
  inputs?: IoInfo[];
  outputs?: { name: string; type: string; buffer: ArrayBuffer; dims: number[] }[] | IoInfo[];
  /** Milliseconds onnxruntime took for a run. */
  ms?: number;
}

/** A runner over the pool: also says how long the slowest part of its last run took inside onnxruntime. */
export interface PoolRunner extends SessionRunner {
  readonly workers: number;
  readonly lastComputeMs: number;
}

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
}

class OrtWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private dead: Error | undefined;

  constructor(ortPath: string) {
    this.worker = new Worker(ORT_WORKER_SOURCE, { eval: true, workerData: { ort: ortPath } });
    this.worker.unref();
    this.worker.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) this.worker.unref();
      if (r.ok) p.resolve(r);
      else p.reject(new OrtBackendError(r.message ?? 'onnxruntime failed in a worker thread'));
    });
    const die = (e: Error): void => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    this.worker.on('error', (e) => die(new OrtBackendError(`an onnxruntime thread failed: ${e.message}`)));
    this.worker.on('exit', (code) => die(new OrtBackendError(`an onnxruntime thread exited (code ${code})`)));
  }

  call(message: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  async terminate(): Promise<void> {
    this.dead ??= new OrtBackendError('the classifier was disposed');
    await this.worker.terminate();
  }
}

/** Contiguous parts of n rows for p workers, as [start, end) pairs (fewer parts when n < p). */
export function splitRows(n: number, p: number): [number, number][] {
  const parts = Math.max(1, Math.min(p, n));
  const out: [number, number][] = [];
  for (let k = 0; k < parts; k++) out.push([Math.floor((k * n) / parts), Math.floor(((k + 1) * n) / parts)]);
  return out;
}

export class OrtWorkerPool {
  private readonly workers: OrtWorker[];
  private nextSession = 0;

  constructor(size: number) {
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    this.workers = Array.from({ length: size }, () => new OrtWorker(ortPath));
  }

  get size(): number {
    return this.workers.length;
  }

  /** One session of `bytes` in every worker, each single-threaded; a failure in any worker fails it. */
  async createRunner(bytes: Uint8Array, options: RunnerOptions, what: string): Promise<PoolRunner> {
    const sid = this.nextSession++;
    const opts = sessionOptions({ ...options, intraOpNumThreads: 1 });
    // Every worker's answer is awaited even when one fails: a worker must never be terminated while it is
    // still inside onnxruntime (onnxruntime-node aborts the process then).
    const created = await Promise.allSettled(
      this.workers.map((w) => w.call({ op: 'create', sid, bytes, options: opts })),
    );
    const failed = created.find((r) => r.status === 'rejected');
    if (failed) {
      await Promise.allSettled(
        this.workers.map((w, k) =>
          created[k]?.status === 'fulfilled' ? w.call({ op: 'release', sid }) : undefined,
        ),
      );
      const e = failed.reason as Error;
      throw new OrtBackendError(`onnxruntime could not load the ${what}: ${e.message}`, { cause: e });
    }
    const first = (created[0] as PromiseFulfilledResult<Reply>).value;
    const workers = this.workers;
    let lastComputeMs = 0;
    return {
      workers: workers.length,
      get lastComputeMs() {
        return lastComputeMs;
      },
      inputNames: first.inputNames ?? [],
      outputNames: first.outputNames ?? [],
      inputs: first.inputs ?? [],
      outputs: (first.outputs as IoInfo[] | undefined) ?? [],
      async run(feeds, fetches) {
        const entries = Object.entries(feeds);
        const n = entries[0]?.[1].dims[0] ?? 0;
        for (const [name, t] of entries)
          if (t.dims[0] !== n) throw new OrtBackendError(`feed ${name} has ${t.dims[0]} rows, not ${n}`);
        const parts = splitRows(n, workers.length);
        // allSettled, not all: a failed part must not leave the others running unobserved (a process
        // that exits while a worker thread is inside onnxruntime aborts in onnxruntime-node's teardown).
        const settled = await Promise.allSettled(
          parts.map(([a, b], k) => {
            const transfer: ArrayBuffer[] = [];
            const msgFeeds = entries.map(([name, t]) => {
              const row = n === 0 ? 0 : t.data.length / n;
              const part = t.data.slice(a * row, b * row);
              transfer.push(part.buffer as ArrayBuffer);
              const type = part instanceof Float32Array ? 'float32' : 'int64';
              return { name, type, buffer: part.buffer, dims: [b - a, ...t.dims.slice(1)] };
            });
            return (workers[k] as OrtWorker).call({ op: 'run', sid, feeds: msgFeeds, fetches }, transfer);
          }),
        );
        const failed = settled.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        const replies = settled.map((r) => (r as PromiseFulfilledResult<Reply>).value);
        lastComputeMs = Math.max(...replies.map((r) => r.ms ?? 0));
        return joinParts(replies, parts, fetches);
      },
      async release() {
        await Promise.allSettled(workers.map((w) => w.call({ op: 'release', sid })));
      },
    };
  }

  async terminate(): Promise<void> {
    await Promise.allSettled(this.workers.map((w) => w.terminate()));
  }
}

/** The workers' outputs, concatenated along dim 0; every output must be batch-major. */
function joinParts(
  results: Reply[],
  parts: [number, number][],
  fetches: readonly string[],
): Record<string, RunTensor> {
  const out: Record<string, RunTensor> = {};
  const n = parts.length === 0 ? 0 : (parts[parts.length - 1] as [number, number])[1];
  for (const name of fetches) {
    const pieces = results.map((r) => {
      const o = (r.outputs as { name: string; type: string; buffer: ArrayBuffer; dims: number[] }[]).find(
        (x) => x.name === name,
      );
      if (!o) throw new OrtBackendError(`a worker returned no output ${JSON.stringify(name)}`);
      return o;
    });
    const head = pieces[0];
    if (!head) continue;
    const rest = head.dims.slice(1);
    pieces.forEach((p, k) => {
      const [a, b] = parts[k] as [number, number];
      if (
        p.dims[0] !== b - a ||
        p.dims.length !== head.dims.length ||
        p.dims.slice(1).some((d, i) => d !== rest[i])
      )
        throw new OrtBackendError(
          `output ${JSON.stringify(name)} is not batch-major ([${p.dims.join(', ')}] for ${b - a} rows)`,
        );
    });
    const row = rest.reduce((x, y) => x * y, 1);
    const data = head.type === 'float32' ? new Float32Array(n * row) : new BigInt64Array(n * row);
    pieces.forEach((p, k) => {
      const at = (parts[k] as [number, number])[0] * row;
      if (data instanceof Float32Array) data.set(new Float32Array(p.buffer), at);
      else data.set(new BigInt64Array(p.buffer), at);
    });
    out[name] = { data, dims: [n, ...rest] };
  }
  return out;
}
