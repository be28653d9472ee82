/**
 * `npx tsx bench/data-cli-bench.ts` — issue 6 item 5 end to end: `modelguard data` (the built CLI, process start
 * included) on the synthetic set of bench/data-synthetic.ts (50,000 × 64, 10 classes, 5% labels flipped) with
 * an ONNX model: an MLP 64 → 32 (ReLU) → 10 with fixed random weights, written by this script with the
 * project's own ONNX encoder. The model embeds every sample (its head input, found in the graph), and the
 * label, duplicate, outlier and balance checks and both spectral backdoor detectors run on that embedding.
 * Prints wall seconds, peak RSS (GNU time) and the report's seconds per check. Needs `npm run build` first.
 *
 * Usage: npx tsx bench/data-cli-bench.ts [--samples N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/attacks/rng.js';
import { writeNpz } from '../src/ml/npy.js';
import { encodeModel, type OnnxModel } from '../src/ml/onnx/model.js';
import { DT, makeTensor } from '../src/ml/onnx/tensor.js';
import { synthetic } from './data-synthetic.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const { values } = parseArgs({ options: { samples: { type: 'string', default: '50000' } } });
const n = Number(values.samples);
const D = 64;
const H = 32;
const K = 10;

/** Gemm(64→32) → Relu → Gemm(32→10), weights N(0, 1/fan-in) from a fixed seed. */
function mlp(): Uint8Array {
  const rng = new Rng(7);
  const init = (name: string, dims: number[], scale: number) => ({
    name,
    dataType: DT.FLOAT,
    dims,
    raw: makeTensor(
      name,
      DT.FLOAT,
      dims,
      Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => rng.normal() * scale),
    ),
  });
  const node = (opType: string, input: string[], output: string) => ({
    name: output,
    opType,
    domain: '',
    input,
    output: [output],
    attrs: [],
    extra: [],
  });
  const m: OnnxModel = {
    irVersion: 8,
    opsets: [{ domain: '', version: 17 }],
    extra: [],
    graph: {
      nodes: [
        node('Gemm', ['x', 'w1', 'b1'], 'h'),
        node('Relu', ['h'], 'r'),
        node('Gemm', ['r', 'w2', 'b2'], 'logits'),
      ],
      initializers: [
        init('w1', [D, H], 1 / Math.sqrt(D)),
        init('b1', [H], 0),
        init('w2', [H, K], 1 / Math.sqrt(H)),
        init('b2', [K], 0),
      ],
      inputs: [{ name: 'x', elemType: DT.FLOAT, dims: ['N', D] }],
      outputs: [{ name: 'logits', elemType: DT.FLOAT, dims: ['N', K] }],
      valueInfo: [],
      extra: [],
    },
  };
  return encodeModel(m);
}

const bin = join(ROOT, 'bin', 'modelguard.js');
if (!existsSync(join(ROOT, 'dist', 'bundle', 'modelguard.js'))) {
  process.stderr.write('data-cli-bench: run `npm run build` first\n');
  process.exit(2);
}
mkdirSync(WORK, { recursive: true });
const { x, y, flipped } = synthetic(n, D, K);
const npz = join(WORK, 'data-cli-bench.npz');
const model = join(WORK, 'data-cli-bench-mlp.onnx');
const out = join(WORK, 'data-cli-bench.json');
writeNpz(npz, { x: { data: x, shape: [n, D] }, y });
await import('node:fs').then((fs) => fs.writeFileSync(model, mlp()));

const args = [bin, 'data', npz, '--model', model, '-f', 'json', '-o', out];
const timed = existsSync('/usr/bin/time');
const t = performance.now();
const r = timed
  ? spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M', process.execPath, ...args], { encoding: 'utf8' })
  : spawnSync(process.execPath, args, { encoding: 'utf8' });
const wall = (performance.now() - t) / 1000;
if (r.status !== 0 && r.status !== 1) {
  process.stderr.write(`modelguard data failed (${r.status}):\n${r.stderr}`);
  process.exit(1);
}
const rssMB = Number(/MAXRSS (\d+)/.exec(r.stderr ?? '')?.[1] ?? Number.NaN) / 1024;
const report = JSON.parse(readFileSync(out, 'utf8'));
const found = new Set<number>(
  report.suspects
    .filter((s: { reasons: string[] }) => s.reasons.includes('label-issue'))
    .map((s: { index: number }) => s.index),
);
const tp = [...found].filter((i) => flipped.has(i)).length;
console.log(
  `modelguard data, ${n} samples × ${D} features, ${K} classes, ${flipped.size} labels flipped, with an ONNX MLP embedding (${H}-d head input)`,
);
for (const [name, c] of Object.entries(report.summaries ?? {}))
  console.log(`  ${name.padEnd(11)} ${(c as { seconds?: number }).seconds?.toFixed(3) ?? '—'} s`);
console.log(`  command     ${(report.durationMs / 1000).toFixed(2)} s (model load and embedding included)`);
console.log(`  wall        ${wall.toFixed(2)} s (process start included)`);
console.log(`  peak RSS    ${Number.isNaN(rssMB) ? 'unknown (no GNU time)' : `${rssMB.toFixed(0)} MB`}`);
console.log(
  `  label issues: ${found.size} flagged, precision ${(found.size ? tp / found.size : 0).toFixed(3)}, recall ${(tp / flipped.size).toFixed(3)}`,
);
console.log(`  load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`);
const pass = wall < 60 && (Number.isNaN(rssMB) || rssMB < 1024);
console.log(`targets: wall < 60 s and peak RSS < 1024 MB: ${pass ? 'PASS' : 'FAIL'}`);
