import { Worker } from 'node:worker_threads';
import { errorMessage } from '../../core/errors.js';
import type { ByteSource } from '../../core/source.js';
import { HDF5_LIMITS, type Hdf5Limits } from './limits.js';
import { WORKER_SOURCE } from './worker-source.js';

/** One attribute of the root group. String values are decoded; other types are only described. */
export interface Hdf5Attribute {
  name: string;
  kind: 'string' | 'integer' | 'float' | 'other';
  /** Dataspace dimensions ([] for a scalar), null for a null dataspace. */
  shape: number[] | null;
  vlen: boolean;
  /**
   * The string (scalar) or strings (array), for Keras' attributes (`model_config`, `training_config`,
   * `keras_version`, `backend`, `layer_names`) that are strings within the limits; others are described only.
   */
  value?: string | string[];
  /** Why the value was not read (over a limit), or was clipped. */
  skipped?: string;
}

export type Hdf5Failure =
  /** The library refused the file (truncated, corrupt, not HDF5 after all). */
  | 'malformed'
  /** The library aborted (wasm trap: out of memory or a failed internal check). */
  | 'aborted'
  /** The library did not finish within limits.timeoutMs; the worker was killed. */
  | 'timeout'
  /** The file made the library read more than limits.maxReadBytes. */
  | 'read-limit'
  /** h5wasm could not be loaded or its worker died: nothing was read. */
  | 'unavailable';

export type Hdf5RootResult =
  | { ok: true; attributeCount: number; attributes: Hdf5Attribute[] }
  | { ok: false; failure: Hdf5Failure; message: string; diagnostics: string[] };

type FromWorker =
  | { type: 'ready' }
  | { type: 'read'; id: number; pos: number; len: number }
  | { type: 'done'; id: number; attributeCount: number; attributes: Hdf5Attribute[] }
  | {
      type: 'failed';
      id: number;
      message: string;
      diagnostics: string[];
      aborted: boolean;
      readLimit: boolean;
    }
  | { type: 'fatal'; message: string };

/** Bytes of the buffer that carries one read from the main thread to the worker. */
const SHARED_BYTES = 1 << 20;

/**
 * HDF5-DIAG lines worth showing: from the first error stack, its innermost entry (where the library
 * saw the problem, e.g. "truncated file: eof = …") with its major/minor error.
 */
function usefulDiagnostics(lines: readonly string[]): string[] {
  const first: string[] = [];
  for (const l of lines) {
    if (l.startsWith('HDF5-DIAG') && first.length > 0) break;
    first.push(l.trim());
  }
  let last = -1;
  for (let i = 0; i < first.length; i++) if (/^#\d+:/.test(first[i] as string)) last = i;
  if (last < 0) return [];
  const entry = (first[last] as string).replace(/^#\d+:\s*\S*\/src\//, '').replace(/^#\d+:\s*/, '');
  return [entry, ...first.slice(last + 1, last + 3).filter((l) => /^(major|minor):/.test(l))];
}

/**
 * One worker thread with h5wasm, reused across files and jobs (serialised), started on first use and
 * replaced after a timeout, an abort or a crash. It never keeps the process alive while idle.
 */
class Hdf5Worker {
  private worker: Worker | undefined;
  private ready: Promise<string | undefined> | undefined;
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(8));
  private readonly data = new Uint8Array(new SharedArrayBuffer(SHARED_BYTES));
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

  run(source: ByteSource, limits: Hdf5Limits): Promise<Hdf5RootResult> {
    const p = this.queue.then(() => this.job(source, limits));
    this.queue = p.catch(() => undefined);
    return p;
  }

  private start(): Promise<string | undefined> {
    let utilUrl: string;
    try {
      // The ESM build of h5wasm (MEMFS); its factory makes a fresh library instance per worker.
      utilUrl = new URL('./hdf5_util.js', import.meta.resolve('h5wasm')).href;
    } catch (e) {
      return Promise.resolve(`h5wasm is not installed: ${errorMessage(e)}`);
    }
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { utilUrl, ctrl: this.ctrl.buffer, data: this.data.buffer },
    });
    this.worker = w;
    w.once('exit', () => {
      if (this.worker === w) {
        this.worker = undefined;
        this.ready = undefined;
      }
    });
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => done('h5wasm worker did not start within timeoutMs'),
        HDF5_LIMITS.timeoutMs,
      );
      const done = (r: string | undefined): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        resolve(r);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'ready') done(undefined);
        else if (m.type === 'fatal') done(`h5wasm could not start: ${m.message}`);
      };
      const onError = (e: Error): void => done(`h5wasm worker failed: ${e.message}`);
      const onExit = (code: number): void => done(`h5wasm worker exited with code ${code}`);
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
    });
  }

  private discard(): void {
    const w = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (w !== undefined) void w.terminate();
  }

  private async job(source: ByteSource, limits: Hdf5Limits): Promise<Hdf5RootResult> {
    this.ready ??= this.start();
    const startError = await this.ready;
    const w = this.worker;
    if (startError !== undefined || w === undefined) {
      this.discard();
      return {
        ok: false,
        failure: 'unavailable',
        message: startError ?? 'h5wasm worker missing',
        diagnostics: [],
      };
    }
    w.ref();
    const id = this.nextId++;
    let readBytes = 0;
    const result = await new Promise<Hdf5RootResult>((resolve) => {
      const finish = (r: Hdf5RootResult, keep: boolean): void => {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        if (keep) w.unref();
        else this.discard();
        resolve(r);
      };
      const answer = (m: { pos: number; len: number }): void => {
        let state = 1;
        let n = 0;
        if (readBytes + m.len > limits.maxReadBytes) state = 2;
        else if (m.pos < 0 || m.len < 0 || m.len > SHARED_BYTES || m.pos + m.len > source.size) state = 3;
        else {
          try {
            this.data.set(source.read(m.pos, m.len), 0);
            n = m.len;
            readBytes += m.len;
          } catch {
            state = 3;
          }
        }
        Atomics.store(this.ctrl, 1, n);
        Atomics.store(this.ctrl, 0, state);
        Atomics.notify(this.ctrl, 0);
      };
      const onMessage = (m: FromWorker): void => {
        if (m.type === 'read' && m.id === id) answer(m);
        else if (m.type === 'done' && m.id === id)
          finish({ ok: true, attributeCount: m.attributeCount, attributes: m.attributes }, true);
        else if (m.type === 'failed' && m.id === id) {
          const failure: Hdf5Failure = m.readLimit ? 'read-limit' : m.aborted ? 'aborted' : 'malformed';
          const message = m.readLimit
            ? `the file made the HDF5 library read more than maxReadBytes (${limits.maxReadBytes} bytes)`
            : m.message;
          finish({ ok: false, failure, message, diagnostics: usefulDiagnostics(m.diagnostics) }, !m.aborted);
        }
      };
      const onError = (e: Error): void =>
        finish(
          { ok: false, failure: 'aborted', message: `HDF5 worker failed: ${e.message}`, diagnostics: [] },
          false,
        );
      const onExit = (code: number): void =>
        finish(
          { ok: false, failure: 'aborted', message: `HDF5 worker exited with code ${code}`, diagnostics: [] },
          false,
        );
      const timer = setTimeout(
        () =>
          finish(
            {
              ok: false,
              failure: 'timeout',
              message: `the HDF5 library did not finish within timeoutMs (${limits.timeoutMs} ms); it was stopped`,
              diagnostics: [],
            },
            false,
          ),
        limits.timeoutMs,
      );
      w.on('message', onMessage);
      w.on('error', onError);
      w.on('exit', onExit);
      w.postMessage({ type: 'job', id, size: source.size, limits });
    });
    return result;
  }
}

let shared: Hdf5Worker | undefined;

/**
 * Reads the attributes of the root group of an HDF5 file (where Keras keeps `model_config`,
 * `training_config`, `keras_version`, `backend`) with the HDF5 library itself (h5wasm), loaded on first
 * use in a worker thread. The library sees only the bytes it asks for (ranged reads of `source`, at
 * most limits.maxReadBytes), so memory stays flat in file size and a multi-GB weights file costs a
 * few KiB of reads. Never throws: every failure is a typed result.
 */
export async function readHdf5RootAttributes(
  source: ByteSource,
  limits: Partial<Hdf5Limits> = {},
): Promise<Hdf5RootResult> {
  shared ??= new Hdf5Worker();
  try {
    return await shared.run(source, { ...HDF5_LIMITS, ...limits });
  } catch (e) {
    return { ok: false, failure: 'unavailable', message: errorMessage(e), diagnostics: [] };
  }
}
