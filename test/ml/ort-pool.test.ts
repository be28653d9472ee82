import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildGradientModel } from '../../src/ml/onnx/index.js';
import { hybridRunner, POOL_MIN_CALL_MS } from '../../src/ml/ort/hybrid.js';
import { loadOnnxClassifier, OrtBackendError } from '../../src/ml/ort/index.js';
import { OrtWorkerPool, type PoolRunner, splitRows } from '../../src/ml/ort/pool.js';
import { createLocalRunner, type RunTensor, type SessionRunner } from '../../src/ml/ort/runner.js';
import type { Tensor } from '../../src/ml/types.js';
import { ATTACK_FIXTURES, f32, i32, readNpz, relErr } from './ort-reference.js';

const data = readNpz(join(ATTACK_FIXTURES, 'digits_test.npz'));
const model = join(ATTACK_FIXTURES, 'digits_cnn.onnx');

function rows(n: number): { x: Tensor; y: Int32Array } {
  return {
    x: { data: f32(data, 'x').slice(0, n * 64), shape: [n, 1, 8, 8] },
    y: i32(data, 'y').slice(0, n),
  };
}

describe('data-parallel onnxruntime workers', () => {
  it('splitRows: contiguous, balanced, never an empty part', () => {
    expect(splitRows(7, 3)).toEqual([
      [0, 2],
      [2, 4],
      [4, 7],
    ]);
    expect(splitRows(2, 4)).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(splitRows(0, 3)).toEqual([[0, 0]]);
  });

  it('3 workers give the predictions, gradients and activations of one in-thread session, at any batch size', async () => {
    const one = await loadOnnxClassifier(model, undefined, { threads: 1 });
    const three = await loadOnnxClassifier(model, undefined, { threads: 3 });
    try {
      for (const n of [1, 2, 5, 64]) {
        const { x, y } = rows(n);
        expect(relErr(await three.predict(x), await one.predict(x))).toBeLessThan(1e-6);
        const a = await one.lossGradient(x, y, { kind: 'ce' });
        const b = await three.lossGradient(x, y, { kind: 'ce' });
        expect(b.grad.length).toBe(n * 64);
        expect(relErr(b.grad, a.grad)).toBeLessThan(1e-5);
        expect(relErr(b.loss, a.loss)).toBeLessThan(1e-5);
        const t = Int32Array.from(y, (v) => (v + 1) % 10);
        const c = await one.lossGradient(x, y, { kind: 'dlr-targeted' }, t);
        const d = await three.lossGradient(x, y, { kind: 'dlr-targeted' }, t);
        expect(relErr(d.grad, c.grad)).toBeLessThan(1e-5);
      }
      const { x } = rows(9);
      const layer = await one.activations!(x, '/Relu_2_output_0');
      const layer3 = await three.activations!(x, '/Relu_2_output_0');
      expect(layer3.shape).toEqual(layer.shape);
      expect(relErr(layer3.data, layer.data)).toBeLessThan(1e-6);
      expect(three.queries.forward).toBe(one.queries.forward);
    } finally {
      await one.dispose();
      await three.dispose();
    }
  });

  it('lossGradient returns the logits of its own forward pass (argmax of predict, softmax bypassed or not)', async () => {
    for (const name of ['digits_cnn', 'digits_softmax']) {
      const clf = await loadOnnxClassifier(join(ATTACK_FIXTURES, `${name}.onnx`), undefined, { threads: 2 });
      try {
        const { x, y } = rows(33);
        const g = await clf.lossGradient(x, y, { kind: 'ce' });
        const p = await clf.predict(x);
        expect(g.logits).toBeDefined();
        const z = g.logits as Float32Array;
        expect(z.length).toBe(33 * 10);
        if (!clf.removedSoftmax) expect(relErr(z, p)).toBeLessThan(1e-6);
        for (let i = 0; i < 33; i++) {
          const am = (a: Float32Array) =>
            a.subarray(i * 10, i * 10 + 10).reduce((b, v, j, r) => (v > (r[b] as number) ? j : b), 0);
          expect(am(z)).toBe(am(p));
        }
      } finally {
        await clf.dispose();
      }
    }
  });

  it('the pool itself (3 workers, batch split) returns what one in-thread session returns', async () => {
    const g = buildGradientModel(new Uint8Array(readFileSync(model)), 'ce');
    const opts = { executionProviders: ['cpu'], spinning: false };
    const pool = new OrtWorkerPool(3);
    const local = await createLocalRunner(ort, g.bytes, { ...opts, intraOpNumThreads: 1 }, 'gradient');
    try {
      const split = await pool.createRunner(g.bytes, opts, 'gradient');
      for (const n of [1, 2, 5, 64]) {
        const { x, y } = rows(n);
        const feeds = {
          [g.input]: { data: x.data as Float32Array, dims: x.shape },
          [g.labels]: { data: BigInt64Array.from(y, (v) => BigInt(v)), dims: [n] },
        };
        const a = await local.run(feeds, [g.grad, g.loss]);
        const b = await split.run(feeds, [g.grad, g.loss]);
        expect(b[g.grad]?.dims).toEqual([n, 1, 8, 8]);
        expect(relErr(b[g.grad]?.data as Float32Array, a[g.grad]?.data as Float32Array)).toBeLessThan(1e-5);
        expect(relErr(b[g.loss]?.data as Float32Array, a[g.loss]?.data as Float32Array)).toBeLessThan(1e-5);
        expect(split.lastComputeMs).toBeGreaterThan(0);
      }
      await expect(
        split.run(
          {
            [g.input]: { data: new Float32Array(64), dims: [1, 1, 8, 8] },
            [g.labels]: { data: new BigInt64Array(2), dims: [2] },
          },
          [g.grad],
        ),
      ).rejects.toThrow(/rows/);
    } finally {
      await local.release();
      await pool.terminate();
    }
  });

  it('hybrid runner: small calls stay in this thread, calls worth POOL_MIN_CALL_MS or more go to the pool', async () => {
    const calls: string[] = [];
    const fake = (name: string, msPerRow: number): SessionRunner => ({
      inputNames: ['x'],
      outputNames: ['y'],
      inputs: [],
      outputs: [],
      async run(feeds: Record<string, RunTensor>) {
        const n = feeds['x']?.dims[0] ?? 0;
        const until = performance.now() + n * msPerRow;
        while (performance.now() < until) {
          // busy: a lower bound on the call's time, whatever the machine's load
        }
        calls.push(`${name}:${n}`);
        return {};
      },
      release: async () => {},
    });
    // The pool reports 0.05 ms of onnxruntime time per row of its parts.
    const poolFake = fake('pool', 0);
    let lastComputeMs = 0;
    const pool: PoolRunner = {
      ...poolFake,
      workers: 2,
      get lastComputeMs() {
        return lastComputeMs;
      },
      run: async (feeds, fetches) => {
        lastComputeMs = Math.ceil((feeds['x']?.dims[0] ?? 0) / 2) * 0.05;
        return poolFake.run(feeds, fetches);
      },
    };
    const h = hybridRunner(fake('here', 0.05), pool);
    const feed = (n: number) => ({ x: { data: new Float32Array(n), dims: [n] } });
    await h.run(feed(4), []); // first call: the pool, which measures 0.05 ms per row
    await h.run(feed(1), []); // one row: always here
    await h.run(feed(4), []); // ~0.2 ms: here
    await h.run(feed(6), []); // ~0.3 ms: here
    const big = Math.ceil((POOL_MIN_CALL_MS / 0.05) * 1.5);
    await h.run(feed(big), []); // estimated ≥ 12 ms: the pool
    expect(calls).toEqual(['pool:4', 'here:1', 'here:4', 'here:6', `pool:${big}`]);
    expect(h.stats).toMatchObject({ here: 3, pooled: 2 });
  });

  it('a disposed classifier fails clearly instead of hanging', async () => {
    const clf = await loadOnnxClassifier(model, undefined, { threads: 2 });
    await clf.dispose();
    await expect(clf.predict(rows(4).x)).rejects.toBeInstanceOf(OrtBackendError);
  });

  it('a model onnxruntime refuses is an OrtBackendError from the workers too', async () => {
    await expect(
      loadOnnxClassifier(new Uint8Array([8, 7, 18, 3, 1, 2, 3]), undefined, { threads: 2 }),
    ).rejects.toBeInstanceOf(OrtBackendError);
  });
});
