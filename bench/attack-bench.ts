/**
 * Attack benchmark (issue 5, item 9): PGD-40 L∞ without random start (BIM; ART update order, robustness.md
 * §B.2, α = 2.5·ε/40) on the digits CNN (test/fixtures/attack/digits_cnn.onnx) over the 450 test points:
 * modelguard (onnxruntime-node backend, gradient graph from the ONNX builder) against PyTorch running the same
 * attack on the same weights (bench/attack_ref.py), in the same run, on the same number of threads.
 * Both sides attack the clean-correct points only (as modelguard's runner does); throughput is
 * attacked points × steps ÷ median wall seconds (images·steps/s). Target: modelguard ≥ 2× PyTorch.
 * Runs alternate between the sides (each PyTorch run is a fresh process, start-up and warm-up untimed), and
 * CPU seconds (user + system, all threads) are printed too, since wall time on a shared machine is noisy.
 *
 * Idle threads sleep on both sides by default (onnxruntime allow_spinning=0, OMP_WAIT_POLICY=PASSIVE for
 * torch); --spin makes both spin (onnxruntime's and OpenMP's usual default, best on an idle machine).
 *
 * ART's ProjectedGradientDescent (num_random_init=0, PyTorch estimator) runs as a third side when its source
 * has been exported to bench/.work/art (bench/attack_ref.py --art).
 *
 * Usage: npx tsx bench/attack-bench.ts [--threads 2] [--eps 0.1] [--steps 40] [--batch 256] [--runs 5] [--spin]
 * Always exits 0 (2 for a bad option); prints PASS/FAIL for the target.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ATTACKS } from '../src/attacks/registry.js';
import { loadOnnxClassifier } from '../src/ml/ort/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIX = join(ROOT, 'test', 'fixtures', 'attack');
const TARGET_RATIO = 2;

/** x and y of numpy's uncompressed digits_test.npz (float32 x [450,1,8,8], int64 y [450]). */
function readDigits(): { x: Float32Array; y: Int32Array } {
  const buf = readFileSync(join(FIX, 'digits_test.npz'));
  const arrays = new Map<string, Buffer>();
  let off = 0;
  while (off + 30 <= buf.length && buf.readUInt32LE(off) === 0x04034b50) {
    const size = buf.readUInt32LE(off + 18);
    const nameLen = buf.readUInt16LE(off + 26);
    const start = off + 30 + nameLen + buf.readUInt16LE(off + 28);
    const npy = buf.subarray(start, start + size);
    const hlen = npy.readUInt16LE(8);
    arrays.set(buf.subarray(off + 30, off + 30 + nameLen).toString(), npy.subarray(10 + hlen));
    off = start + size;
  }
  const xb = arrays.get('x.npy');
  const yb = arrays.get('y.npy');
  if (!xb || !yb) throw new Error('digits_test.npz: x or y missing');
  const x = new Float32Array(new Uint8Array(xb).buffer);
  const y = Int32Array.from(new BigInt64Array(new Uint8Array(yb).buffer), (v) => Number(v));
  return { x, y };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function main(): Promise<void> {
  let args: { threads: number; eps: number; steps: number; batch: number; runs: number };
  let spinning = false;
  try {
    const { values } = parseArgs({
      options: {
        threads: { type: 'string', default: '2' },
        eps: { type: 'string', default: '0.1' },
        steps: { type: 'string', default: '40' },
        batch: { type: 'string', default: '256' },
        runs: { type: 'string', default: '5' },
        spin: { type: 'boolean', default: false },
      },
    });
    spinning = values.spin;
    args = {
      threads: Number(values.threads),
      eps: Number(values.eps),
      steps: Number(values.steps),
      batch: Number(values.batch),
      runs: Number(values.runs),
    };
    if (Object.values(args).some((v) => !(v > 0))) throw new Error('options must be positive numbers');
  } catch (e) {
    process.stderr.write(`attack-bench: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const { x, y } = readDigits();
  const n = y.length;
  const data = { data: x, shape: [n, 1, 8, 8] };
  const opts = {
    norm: 'linf' as const,
    eps: args.eps,
    steps: args.steps,
    stepSize: (2.5 * args.eps) / args.steps,
    seed: 0,
    batchSize: args.batch,
  };

  // modelguard's default (data-parallel worker threads) and, for comparison, one session with intra-op threads.
  const mgSides: { side: Side; clf: Awaited<ReturnType<typeof loadOnnxClassifier>> }[] = [];
  for (const workers of [true, false]) {
    const clf = await loadOnnxClassifier(
      join(FIX, 'digits_cnn.onnx'),
      undefined,
      workers ? { threads: args.threads, spinning } : { intraOpNumThreads: args.threads, spinning },
    );
    await ATTACKS.bim.run(clf, data, y, { ...opts, steps: 2 }); // warm-up (session creation, first-run allocations)
    const name = workers
      ? `modelguard (onnxruntime-node, ${args.threads} thread${args.threads > 1 ? 's, data parallel' : ''}, step loop)`
      : `modelguard (onnxruntime-node, 1 session, ${args.threads} intra-op threads)`;
    mgSides.push({ side: { name, wall: [], cpu: [], attacked: 0, robust: 0 }, clf });
  }
  const mg = (mgSides[0] as (typeof mgSides)[number]).side;
  let torch: Side | undefined = { name: 'PyTorch', wall: [], cpu: [], attacked: 0, robust: 0 };
  // ART runs too when its source has been exported to bench/.work/art (see bench/attack_ref.py).
  let art: Side | undefined = existsSync(join(ROOT, 'bench', '.work', 'art', 'art'))
    ? { name: 'ART', wall: [], cpu: [], attacked: 0, robust: 0 }
    : undefined;
  // Runs alternate between the sides so that all see the same machine load. CPU time of the worker
  // threads counts: process.cpuUsage covers every thread of the process.
  for (let r = 0; r < args.runs; r++) {
    for (const { side, clf } of mgSides) {
      const before = clf.queries.gradient;
      const c0 = process.cpuUsage();
      const t = performance.now();
      const res = await ATTACKS.bim.run(clf, data, y, opts);
      side.wall.push((performance.now() - t) / 1000);
      const c = process.cpuUsage(c0);
      side.cpu.push((c.user + c.system) / 1e6);
      side.attacked = (clf.queries.gradient - before) / args.steps;
      side.robust = res.fooled.reduce((a, f) => a + (f ? 0 : 1), 0) / n;
    }
    if (torch) torch = runTorch(args, spinning, torch, false);
    if (art) art = runTorch(args, spinning, art, true);
  }
  for (const { clf } of mgSides) await clf.dispose();

  const rate = (s: Side, v: number[]) => (s.attacked * args.steps) / median(v);
  const sides = [...mgSides.map((m) => m.side), ...(torch ? [torch] : []), ...(art ? [art] : [])];
  const rows: string[][] = [
    [
      'side',
      'wall median s',
      'wall min s',
      'CPU median s',
      'attacked',
      'images·steps/s (wall)',
      'robust acc',
    ],
    ...sides.map((s) => [
      s.name,
      median(s.wall).toFixed(3),
      Math.min(...s.wall).toFixed(3),
      median(s.cpu).toFixed(3),
      String(s.attacked),
      rate(s, s.wall).toFixed(0),
      s.robust.toFixed(4),
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(
    `PGD-${args.steps} L∞ (no random start) ε=${args.eps} α=${opts.stepSize} on digits_cnn, ${n} test points, ` +
      `batch ${args.batch}, ${args.runs} alternating runs per side, idle threads ${spinning ? 'spin' : 'sleep'}, load average ${loadavg()[0]!.toFixed(1)}\n`,
  );
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`);
  for (const peer of [torch, art]) {
    if (!peer) continue;
    const ratio = rate(mg, mg.wall) / rate(peer, peer.wall);
    const cpuRatio = rate(mg, mg.cpu) / rate(peer, peer.cpu);
    process.stdout.write(
      `speed-up modelguard / ${peer.name.split(' ')[0]}: ${ratio.toFixed(2)}× wall, ${cpuRatio.toFixed(2)}× CPU time — ` +
        `${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'} (target ≥ ${TARGET_RATIO}× wall)\n`,
    );
  }
}

interface Side {
  name: string;
  wall: number[];
  cpu: number[];
  attacked: number;
  robust: number;
}

/** One timed PyTorch or ART run (bench/attack_ref.py --runs 1 [--art]; its own warm-up is not timed); undefined if it fails. */
function runTorch(
  args: { threads: number; eps: number; steps: number; batch: number },
  spinning: boolean,
  side: Side,
  art: boolean,
): Side | undefined {
  const flags = ['--threads', args.threads, '--eps', args.eps, '--steps', args.steps, '--batch', args.batch];
  const py = spawnSync(
    '/usr/bin/python3',
    [join(ROOT, 'bench', 'attack_ref.py'), ...flags.map(String), '--runs', '1', ...(art ? ['--art'] : [])],
    {
      encoding: 'utf8',
      // torch's OpenMP threads wait as modelguard's onnxruntime threads do (spinning or sleeping)
      env: {
        ...process.env,
        OMP_NUM_THREADS: String(args.threads),
        OMP_WAIT_POLICY: spinning ? 'ACTIVE' : 'PASSIVE',
      },
    },
  );
  try {
    const r = JSON.parse(py.stdout.trim().split('\n').pop() ?? '') as {
      seconds: number[];
      cpuSeconds: number[];
      attacked: number;
      robustAccuracy: number;
      torch: string;
    };
    return {
      name: `${art ? 'ART (PGD, PyTorch estimator)' : 'PyTorch'} ${r.torch} (${args.threads} threads)`,
      wall: [...side.wall, ...r.seconds],
      cpu: [...side.cpu, ...r.cpuSeconds],
      attacked: r.attacked,
      robust: r.robustAccuracy,
    };
  } catch {
    process.stdout.write(`PyTorch reference did not run (exit ${py.status}): ${py.stderr.slice(-500)}\n`);
    return undefined;
  }
}

await main();
