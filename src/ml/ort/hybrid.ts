/**
 * One graph, two ways to run it: a single-threaded session in this thread, or the worker pool (each batch
 * split across P single-threaded sessions). The pool pays a round trip per call (messages, thread wake-ups:
 * ~1 ms here, several when a worker has gone to sleep) and its threads slow each other down (shared cores
 * and caches), so it wins only when a call holds enough work — the whole PGD loop of a batch, batches of a
 * large model — and loses on small, frequent calls (Square's and HSJ's shrinking query batches, APGD's
 * per-step gradients of a small model; measured here: Square 3.3 s in this thread, 4.2–8.6 s on the pool).
 *
 * So a call goes to the pool only when it would take at least POOL_MIN_CALL_MS in this thread, estimated as
 * rows × the time per row measured on this graph (a moving average over both paths: wall time per row here,
 * onnxruntime's time per row of a part in a worker). The first call with two or more rows goes to the pool,
 * so that a large first call (the whole PGD loop of a big model's batch) is not run on one thread to measure.
 */
import type { PoolRunner } from './pool.js';
import type { RunTensor, SessionRunner } from './runner.js';

/** Weight of the newest measurement in the moving average. */
const EMA = 0.3;
/** Estimated milliseconds in this thread from which a call is split across the pool. */
export const POOL_MIN_CALL_MS = 8;

export interface HybridStats {
  /** Milliseconds per row on one thread (undefined until measured). */
  readonly rowMs: number | undefined;
  /** Calls run in this thread and on the pool. */
  readonly here: number;
  readonly pooled: number;
}

export interface HybridRunner extends SessionRunner {
  readonly stats: HybridStats;
}

export function hybridRunner(local: SessionRunner, pool: PoolRunner): HybridRunner {
  let rowMs: number | undefined;
  let here = 0;
  let pooled = 0;
  return {
    inputNames: local.inputNames,
    outputNames: local.outputNames,
    inputs: local.inputs,
    outputs: local.outputs,
    get stats() {
      return { rowMs, here, pooled };
    },
    async run(feeds: Record<string, RunTensor>, fetches: readonly string[]) {
      const n = Object.values(feeds)[0]?.dims[0] ?? 0;
      const learn = (v: number) => {
        rowMs = rowMs === undefined ? v : rowMs + EMA * (v - rowMs);
      };
      if (n >= 2 && (rowMs === undefined || n * rowMs >= POOL_MIN_CALL_MS)) {
        const out = await pool.run(feeds, fetches);
        learn(pool.lastComputeMs / Math.ceil(n / pool.workers));
        pooled++;
        return out;
      }
      const t = performance.now();
      const out = await local.run(feeds, fetches);
      if (n >= 2) learn((performance.now() - t) / n);
      here++;
      return out;
    },
    async release() {
      await Promise.allSettled([local.release(), pool.release()]);
    },
  };
}
