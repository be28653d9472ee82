/**
 * ONNX scan benchmark: a ~1.9 GB ONNX model with in-file tensors must scan in < 0.5 s wall and
 * < 200 MB RSS, i.e. the walker must skip raw_data payloads without reading them.
 *
 * Builds bench/.work/onnx/big_infile.onnx (never committed) as a sparse file: a real ModelProto
 * (ir_version 8, opset 17, 2,000 nodes incl. one custom-domain op, 304 FLOAT initializers: 4 × 400 MB +
 * 300 × 1 MB of raw_data) whose raw_data payloads are file holes — the bytes are zeros on read, and
 * onnx.load accepts the file (check with --verify, which loads it with python3-onnx: slow, ~4 GB RAM).
 * Then scans it --runs times in fresh child processes under GNU time and prints wall and peak RSS:
 *   - library: scanPaths() through tsx (as `modelguard scan` with text output, i.e. without hashing);
 *     wall of the scan itself, and of the whole process (node + tsx start included);
 *   - CLI: `modelguard scan FILE --output /dev/null` from an esbuild bundle of src/cli/main.ts made under
 *     bench/.work/onnx/cli (the same bundling as scripts/bundle.mjs, without touching dist/).
 *
 * Usage: npx tsx bench/onnx-bench.ts [--runs N] [--verify] [--keep] [--no-cli]
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work', 'onnx');
const FILE = join(WORK, 'big_infile.onnx');
const TARGET_WALL_S = 0.5;
const TARGET_RSS_MB = 200;

// --- a tiny protobuf encoder (the bench must not depend on test/) ---
function varint(v: number): number[] {
  const out: number[] = [];
  let x = v;
  while (x >= 0x80) {
    out.push((x % 128) | 0x80);
    x = Math.floor(x / 128);
  }
  out.push(x);
  return out;
}
const enc = new TextEncoder();
function field(no: number, payload: number[]): number[] {
  return [...varint(no * 8 + 2), ...varint(payload.length), ...payload];
}
function str(no: number, s: string): number[] {
  return field(no, [...enc.encode(s)]);
}
function int(no: number, v: number): number[] {
  return [...varint(no * 8), ...varint(v)];
}

interface Init {
  header: number[];
  rawLength: number;
}

/** TensorProto without its raw_data payload: dims, data_type FLOAT, name, raw_data tag and length. */
function initializer(name: string, dims: number[]): Init {
  const rawLength = dims.reduce((a, b) => a * b, 1) * 4;
  const body = [
    ...dims.flatMap((d) => int(1, d)),
    ...int(2, 1),
    ...str(8, name),
    ...varint(9 * 8 + 2),
    ...varint(rawLength),
  ];
  const tensorLength = body.length + rawLength;
  return { header: [...varint(5 * 8 + 2), ...varint(tensorLength), ...body], rawLength };
}

function buildModel(path: string): { bytes: number; nodes: number; initializers: number } {
  const inits: Init[] = [];
  for (let i = 0; i < 4; i++) inits.push(initializer(`big.${i}.weight`, [10_000, 10_000]));
  for (let i = 0; i < 300; i++) inits.push(initializer(`layer.${i}.weight`, [512, 512]));
  const ops = ['MatMul', 'Add', 'Relu', 'LayerNormalization', 'Softmax', 'Transpose', 'Reshape', 'Gather'];
  const nodes: number[] = [];
  const nodeCount = 2000;
  for (let i = 0; i < nodeCount; i++) {
    const op = i === 1234 ? 'BenchCustom' : (ops[i % ops.length] as string);
    const node = [
      ...str(1, `t${i}`),
      ...str(1, `layer.${i % 300}.weight`),
      ...str(2, `t${i + 1}`),
      ...str(3, `/layers.${i}/${op}`),
      ...str(4, op),
      ...(op === 'BenchCustom' ? str(7, 'com.bench.custom') : []),
    ];
    nodes.push(...field(1, node));
  }
  const graphHead = [...nodes, ...str(2, 'main_graph')];
  const graphLength = graphHead.length + inits.reduce((n, i) => n + i.header.length + i.rawLength, 0);
  const head = [
    ...int(1, 8),
    ...str(2, 'modelguard-bench'),
    ...str(3, '1.0'),
    ...varint(7 * 8 + 2),
    ...varint(graphLength),
    ...graphHead,
  ];
  const tail = [
    ...field(8, [...str(1, ''), ...int(2, 17)]),
    ...field(8, [...str(1, 'com.bench.custom'), ...int(2, 1)]),
  ];

  mkdirSync(dirname(path), { recursive: true });
  rmSync(path, { force: true });
  const fd = openSync(path, 'w');
  let pos = 0;
  const put = (b: number[]): void => {
    const buf = Uint8Array.from(b);
    writeSync(fd, buf, 0, buf.length, pos);
    pos += buf.length;
  };
  put(head);
  for (const i of inits) {
    put(i.header);
    pos += i.rawLength; // a hole: raw_data reads as zeros and costs no disk
  }
  put(tail);
  ftruncateSync(fd, pos);
  closeSync(fd);
  if (pos >= 2 ** 31) throw new Error(`model of ${pos} bytes exceeds protobuf's 2 GiB limit`);
  return { bytes: pos, nodes: nodeCount, initializers: inits.length };
}

/** Child mode: scan one file through the library and print JSON. */
async function child(file: string): Promise<void> {
  const { scanPaths } = await import('../src/scanners/engine.js');
  const t0 = performance.now();
  const report = await scanPaths([file], { hash: false, failOn: 'never' });
  const scanMs = performance.now() - t0;
  const findings = report.findings.map((f) => `${f.severity} ${f.ruleId}`);
  process.stdout.write(
    `${JSON.stringify({ scanMs, format: report.artifacts[0]?.format, verdict: report.artifacts[0]?.verdict, findings })}\n`,
  );
}

/** Bundles the CLI from source into bench/.work/onnx/cli and times `modelguard scan FILE` with it. */
async function cliRuns(runs: number, useTime: boolean): Promise<void> {
  const { build } = await import('esbuild');
  const out = join(WORK, 'cli');
  await build({
    entryPoints: { modelguard: join(ROOT, 'src', 'cli', 'main.ts') },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir: out,
    packages: 'external',
    logLevel: 'error',
  });
  const launcher = join(out, 'run.mjs');
  writeFileSync(
    launcher,
    "import { run } from './modelguard.js';\nprocess.exitCode = await run(process.argv);\n",
  );
  const walls: number[] = [];
  const rss: number[] = [];
  let exit = -1;
  for (let i = 0; i < runs; i++) {
    const args = [process.execPath, launcher, 'scan', FILE, '--output', '/dev/null'];
    const t0 = performance.now();
    const r = useTime
      ? spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8', cwd: ROOT })
      : spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', cwd: ROOT });
    walls.push((performance.now() - t0) / 1000);
    exit = r.status ?? -1;
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr.trim());
    if (m) rss.push(Number(m[2]) / 1024);
  }
  const wall = median(walls);
  const peak = rss.length > 0 ? Math.max(...rss) : Number.NaN;
  process.stdout.write(
    `CLI \`modelguard scan\` (bundle, text output, exit ${exit}): wall median ${wall.toFixed(3)} s [min ${Math.min(...walls).toFixed(3)}], peak RSS ${peak.toFixed(1)} MB — ` +
      `targets: wall < ${TARGET_WALL_S} s ${wall < TARGET_WALL_S ? 'PASS' : 'FAIL'}; RSS < ${TARGET_RSS_MB} MB ${peak < TARGET_RSS_MB ? 'PASS' : 'FAIL'}\n`,
  );
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      verify: { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'no-cli': { type: 'boolean', default: false },
      child: { type: 'string' },
    },
  });
  if (values.child !== undefined) return child(values.child);
  const runs = Math.max(1, Number(values.runs));
  const tb = performance.now();
  const built = buildModel(FILE);
  const st = statSync(FILE);
  process.stdout.write(
    `built ${FILE}: ${(built.bytes / 1e9).toFixed(2)} GB (${built.initializers} initializers, ${built.nodes} nodes; ${((st.blocks * 512) / 2 ** 20).toFixed(1)} MiB on disk, sparse) in ${((performance.now() - tb) / 1000).toFixed(1)} s\n`,
  );
  if (values.verify) {
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        `import onnx; m = onnx.load(${JSON.stringify(FILE)}); print('onnx.load ok:', len(m.graph.node), 'nodes,', len(m.graph.initializer), 'initializers')`,
      ],
      { encoding: 'utf8' },
    );
    process.stdout.write(py.stdout || py.stderr);
  }
  const walls: number[] = [];
  const scans: number[] = [];
  const rss: number[] = [];
  let last = '';
  const useTime = existsSync('/usr/bin/time');
  for (let i = 0; i < runs; i++) {
    const args = [process.execPath, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', FILE];
    const t0 = performance.now();
    const r = useTime
      ? spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8', cwd: ROOT })
      : spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8', cwd: ROOT });
    walls.push((performance.now() - t0) / 1000);
    const out = r.stdout.trim().split('\n').pop() ?? '';
    last = out;
    const parsed = JSON.parse(out) as { scanMs: number };
    scans.push(parsed.scanMs / 1000);
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(r.stderr.trim());
    if (m) rss.push(Number(m[2]) / 1024);
  }
  const scanMed = median(scans);
  const rssMax = rss.length > 0 ? Math.max(...rss) : Number.NaN;
  process.stdout.write(`result: ${last}\n`);
  process.stdout.write(
    `scan wall (in process, median of ${runs}): ${scanMed.toFixed(3)} s   [min ${Math.min(...scans).toFixed(3)}]\n` +
      `process wall incl. node + tsx start (median): ${median(walls).toFixed(3)} s\n` +
      `peak RSS (max over runs, whole process): ${rssMax.toFixed(1)} MB\n` +
      `targets: scan wall < ${TARGET_WALL_S} s ${scanMed < TARGET_WALL_S ? 'PASS' : 'FAIL'}; RSS < ${TARGET_RSS_MB} MB ${rssMax < TARGET_RSS_MB ? 'PASS' : 'FAIL'}\n`,
  );
  if (!values['no-cli']) await cliRuns(runs, useTime);
  if (!values.keep) rmSync(FILE, { force: true });
}

await main();
