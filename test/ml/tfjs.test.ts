import { spawnSync } from 'node:child_process';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  fileIoHandler,
  loadTfjsClassifier,
  readModelArtifacts,
  type TfRuntime,
  tfjsRuntime,
} from '../../src/ml/tfjs/index.js';
import type { LossKind, Tensor } from '../../src/ml/types.js';
import { tempDir } from '../support/temp.js';

/** A seeded PRNG (mulberry32) for reproducible inputs. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const t = tempDir();
let rt: TfRuntime;
let modelJson: string;

beforeAll(async () => {
  rt = await tfjsRuntime();
  const { layers, tf } = rt;
  const L = layers.layers;
  // Conv (tanh) → depthwise conv stride 2 (the replaced gradient) → dense → softmax; NHWC [6, 6, 2].
  const model = layers.sequential({
    layers: [
      L.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, activation: 'tanh', padding: 'same' }),
      L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }),
      L.flatten({ name: 'features' }),
      L.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  // Deterministic weights.
  const r = rng(7);
  model.setWeights(
    model.getWeights().map((w) =>
      tf.tensor(
        Array.from({ length: w.size }, () => r() * 2 - 1),
        w.shape,
      ),
    ),
  );
  modelJson = join(t.dir, 'tiny', 'model.json');
  await model.save(fileIoHandler(modelJson));
  const x = tf.tensor(
    Array.from({ length: 2 * 72 }, () => r()),
    [2, 6, 6, 2],
  );
  const probs = model.predict(x) as import('@tensorflow/tfjs-core').Tensor;
  reference = {
    x: { data: x.dataSync() as Float32Array, shape: [2, 6, 6, 2] },
    probs: probs.dataSync() as Float32Array,
  };
});
let reference: { x: Tensor; probs: Float32Array };

function softmax(z: Float32Array, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < z.length; i += k) {
    const row = Array.from(z.subarray(i, i + k));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / s));
  }
  return out;
}

/** Directional finite difference of the summed loss vs the gradient's projection, in float32. */
async function checkGradient(
  c: Awaited<ReturnType<typeof loadTfjsClassifier>>,
  x: Tensor,
  labels: Int32Array,
  loss: LossKind,
  targets?: Int32Array,
): Promise<void> {
  const { grad } = await c.lossGradient(x, labels, loss, targets);
  const r = rng(11);
  const d = Float32Array.from(x.data, () => r() * 2 - 1);
  const h = 1e-2;
  const at = async (s: number) => {
    const xs = { data: Float32Array.from(x.data, (v, i) => v + s * h * (d[i] as number)), shape: x.shape };
    const v = await c.lossGradient(xs, labels, loss, targets);
    return v.loss.reduce((a, b) => a + b, 0);
  };
  const fd = ((await at(1)) - (await at(-1))) / (2 * h);
  const an = grad.reduce((s, g, i) => s + g * (d[i] as number), 0);
  expect(Math.abs(fd - an)).toBeLessThan(2e-2 * Math.max(1, Math.abs(an)));
  expect(Math.abs(an)).toBeGreaterThan(1e-4);
}

describe('TF.js classifier (layers model)', () => {
  it('loads through the file IOHandler on wasm and returns logits whose softmax is the model output', async () => {
    const c = await loadTfjsClassifier(modelJson);
    expect(c.backend).toBe('wasm');
    expect(c.modelKind).toBe('layers');
    expect(c.logitsFrom).toBe('softmax-removed');
    expect(c.profile).toMatchObject({ inputShape: [6, 6, 2], numClasses: 4, softmaxOutput: true });
    const before = rt.tf.memory().numTensors;
    const z = await c.predict(reference.x);
    expect(rt.tf.memory().numTensors).toBe(before);
    for (const [i, p] of softmax(z, 4).entries()) expect(p).toBeCloseTo(reference.probs[i] as number, 5);
    expect(c.queries.forward).toBe(2);
    const a = await c.activations?.(reference.x, 'features');
    expect(a?.shape).toEqual([2, 27]); // 3×3 after the stride-2 depthwise conv, 3 channels
    expect(a?.data.every((v) => Math.abs(v) <= 1)).toBe(true); // tanh outputs
    await c.dispose();
  });

  it('input gradients match finite differences for every loss (NHWC, with mean/std)', async () => {
    const c = await loadTfjsClassifier(modelJson, { preprocessing: { mean: [0.5, 0.4], std: [0.5, 0.25] } });
    const y = Int32Array.from([1, 3]);
    for (const loss of [
      { kind: 'ce' },
      { kind: 'margin' },
      { kind: 'dlr' },
      { kind: 'logit', classIndex: 2 },
    ] as LossKind[])
      await checkGradient(c, reference.x, y, loss);
    await checkGradient(c, reference.x, y, { kind: 'dlr-targeted' }, Int32Array.from([0, 2]));
    await checkGradient(c, reference.x, y, { kind: 'logit-diff' }, Int32Array.from([0, 2]));
    expect(c.queries.gradient).toBe(2 * 6 * 3);
    await c.dispose();
  });

  it('takes NCHW datasets for an NHWC model (transposed inside, gradients back in NCHW)', async () => {
    const nhwc = await loadTfjsClassifier(modelJson);
    const nchw = await loadTfjsClassifier(modelJson, { inputShape: [2, 6, 6] }, { batchSize: 1 });
    expect(nchw.profile.preprocessing).toMatchObject({ layout: 'NHWC', inputLayout: 'NCHW' });
    const x = reference.x.data;
    const chw = new Float32Array(x.length);
    for (let n = 0; n < 2; n++)
      for (let h = 0; h < 6; h++)
        for (let w = 0; w < 6; w++)
          for (let ch = 0; ch < 2; ch++)
            chw[n * 72 + ch * 36 + h * 6 + w] = x[n * 72 + (h * 6 + w) * 2 + ch] as number;
    const xc = { data: chw, shape: [2, 2, 6, 6] };
    expect(Array.from(await nchw.predict(xc))).toEqual(Array.from(await nhwc.predict(reference.x)));
    const y = Int32Array.from([0, 1]);
    const a = await nhwc.lossGradient(reference.x, y, { kind: 'ce' });
    const b = await nchw.lossGradient(xc, y, { kind: 'ce' });
    expect(b.grad[1 * 36 + 2 * 6 + 3]).toBeCloseTo(a.grad[(2 * 6 + 3) * 2 + 1] as number, 6);
    await expect(nchw.predict(reference.x)).rejects.toThrow(/is not \[N, 2, 6, 6\]/);
    await nhwc.dispose();
    await nchw.dispose();
  });

  it('uses log-probabilities when told the outputs are probabilities and no softmax is found', async () => {
    const { layers, tf } = rt;
    const m = layers.sequential({
      layers: [layers.layers.dense({ inputShape: [3], units: 3, useBias: false })],
    });
    m.setWeights([tf.tensor([0.2, 0.3, 0.5, 0.1, 0.1, 0.8, 0.6, 0.2, 0.2], [3, 3])]);
    const path = join(t.dir, 'probs', 'model.json');
    await m.save(fileIoHandler(path));
    const plain = await loadTfjsClassifier(path);
    expect(plain.logitsFrom).toBe('model-output');
    const c = await loadTfjsClassifier(path, { softmaxOutput: true });
    expect(c.logitsFrom).toBe('log-probabilities');
    const z = await c.predict({ data: Float32Array.from([1, 0, 0]), shape: [1, 3] });
    expect(Array.from(z)).toEqual(Array.from([0.2, 0.3, 0.5], (v) => Math.fround(Math.log(Math.fround(v)))));
  });
});

describe('TF.js classifier (graph model)', () => {
  it('runs a hand-written GraphModel, fetches the softmax input as logits, differentiates it', async () => {
    const dir = join(t.dir, 'graph');
    const w = [0.5, -1, 2, 1, 0.5, -0.5, -2, 1, 0, 1, 1, 1]; // [4, 3]
    const b = [0.1, 0.2, -0.3];
    const f32 = (a: number[]) => Buffer.from(Float32Array.from(a).buffer);
    const dt = { type: 'DT_FLOAT' };
    const json = {
      format: 'graph-model',
      modelTopology: {
        node: [
          {
            name: 'x',
            op: 'Placeholder',
            attr: { dtype: dt, shape: { shape: { dim: [{ size: '-1' }, { size: '4' }] } } },
          },
          {
            name: 'w',
            op: 'Const',
            attr: {
              dtype: dt,
              value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '4' }, { size: '3' }] } } },
            },
          },
          {
            name: 'b',
            op: 'Const',
            attr: {
              dtype: dt,
              value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] } } },
            },
          },
          {
            name: 'mm',
            op: 'MatMul',
            input: ['x', 'w'],
            attr: { T: dt, transpose_a: { b: false }, transpose_b: { b: false } },
          },
          { name: 'logits', op: 'BiasAdd', input: ['mm', 'b'], attr: { T: dt } },
          { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: dt } },
          { name: 'Identity', op: 'Identity', input: ['probs'], attr: { T: dt } },
        ],
        versions: { producer: 1 },
      },
      weightsManifest: [
        {
          paths: ['w.bin'],
          weights: [
            { name: 'w', shape: [4, 3], dtype: 'float32' },
            { name: 'b', shape: [3], dtype: 'float32' },
          ],
        },
      ],
    };
    t.write('graph/model.json', JSON.stringify(json));
    writeFileSync(join(dir, 'w.bin'), Buffer.concat([f32(w), f32(b)]));
    const c = await loadTfjsClassifier(join(dir, 'model.json'));
    expect(c.modelKind).toBe('graph');
    expect(c.logitsFrom).toBe('softmax-removed');
    expect(c.profile).toMatchObject({ inputShape: [4], numClasses: 3 });
    const x = { data: Float32Array.from([1, 2, 3, 4]), shape: [1, 4] };
    const expected = [0, 1, 2].map((j) =>
      [1, 2, 3, 4].reduce((s, v, i) => s + v * (w[i * 3 + j] as number), b[j] as number),
    );
    for (const [j, v] of (await c.predict(x)).entries()) expect(v).toBeCloseTo(expected[j] as number, 5);
    // logit:1 gradient is column 1 of w.
    const g = await c.lossGradient(x, Int32Array.from([0]), { kind: 'logit', classIndex: 1 });
    for (const [i, v] of g.grad.entries()) expect(v).toBeCloseTo(w[i * 3 + 1] as number, 6);
    await checkGradient(c, x, Int32Array.from([2]), { kind: 'ce' });
  });
});

describe('TF.js runtime', () => {
  it('the wasm-op depthwise input gradient equals the cpu kernel (bridged into wasm) for strides, sizes and paddings', () => {
    const { tf } = rt;
    expect(tf.getBackend()).toBe('wasm');
    const r = rng(5);
    const rand = (shape: number[]) =>
      tf.tensor(
        Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() - 0.5),
        shape,
      );
    for (const size of [5, 6, 7])
      for (const k of [1, 3, 4])
        for (const s of [1, 2, 3])
          for (const pad of ['same', 'valid'] as const) {
            if (pad === 'valid' && k > size) continue;
            const x = rand([2, size, size + 1, 3]) as import('@tensorflow/tfjs-core').Tensor4D;
            const f = rand([k, k, 3, 1]) as import('@tensorflow/tfjs-core').Tensor4D;
            const y = tf.depthwiseConv2d(x, f, s, pad);
            const dy = rand(y.shape);
            const ours = tf.grad((xt) => tf.depthwiseConv2d(xt as typeof x, f, s, pad))(x, dy);
            const kernel = tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy, filter: f }, {
              strides: [s, s],
              pad,
              dilations: [1, 1],
              inputShape: x.shape,
            } as never) as import('@tensorflow/tfjs-core').Tensor;
            const a = Array.from(ours.dataSync());
            const b = Array.from(kernel.dataSync());
            expect(a.length).toBe(b.length);
            const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
            expect(worst, `size ${size} k ${k} stride ${s} ${pad}`).toBeLessThan(1e-5);
            tf.dispose([x, f, y, dy, ours, kernel]);
          }
  });
});

describe('lazy loading', () => {
  it('importing the ml data, profile and tfjs modules loads no TF.js or image decoder (CommonJS, seen in require.cache)', () => {
    const root = new URL('../../', import.meta.url).pathname;
    const script = [
      "import { createRequire } from 'node:module';",
      "for (const m of ['src/ml/tfjs/index.ts', 'src/ml/data/index.ts', 'src/ml/profile.ts', 'src/ml/npy.ts']) await import('./' + m);",
      'const req = createRequire(import.meta.url);',
      'console.log(Object.keys(req.cache).filter((k) => /tensorflow|pngjs|jpeg-js/.test(k)).length);',
    ].join('\n');
    const file = join(root, `.lazy-check-${process.pid}.mts`);
    writeFileSync(file, script);
    try {
      const r = spawnSync(join(root, 'node_modules/.bin/tsx'), [file], { cwd: root, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe('0');
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('TF.js model folders', () => {
  it('refuses shard paths that leave the folder, symlinks out, and size mismatches', () => {
    const base = JSON.stringify({
      modelTopology: { class_name: 'Sequential', config: { layers: [] } },
      weightsManifest: [{ paths: ['PATH'], weights: [{ name: 'k', shape: [2], dtype: 'float32' }] }],
    });
    const f = (name: string, path: string) => t.write(`bad/${name}/model.json`, base.replace('PATH', path));
    expect(() => readModelArtifacts(f('up', '../secret.bin'))).toThrow(/'\.\.' path segment/);
    expect(() => readModelArtifacts(f('enc', '%2e%2e/secret.bin'))).toThrow(/once %-decoded/);
    expect(() => readModelArtifacts(f('abs', '/etc/passwd'))).toThrow(/absolute path/);
    t.write('outside.bin', new Uint8Array(8));
    const link = f('link', 'w.bin');
    symlinkSync(join(t.dir, 'outside.bin'), join(t.dir, 'bad/link/w.bin'));
    expect(() => readModelArtifacts(link)).toThrow(/resolves outside the model folder/);
    const short = f('short', 'w.bin');
    t.write('bad/short/w.bin', new Uint8Array(4));
    expect(() => readModelArtifacts(short)).toThrow(/declares 8 weight bytes, the shards hold 4/);
    expect(() => readModelArtifacts(t.write('bad/notjson/model.json', '{'))).toThrow(/not JSON/);
  });
});
