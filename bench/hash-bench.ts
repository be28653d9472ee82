/**
 * `npx tsx bench/hash-bench.ts` — throughput and peak RSS of the provenance hashing engine, hashing a model
 * as `sign` does, side by side with coreutils `sha256sum` on the same files in the same run. A script, not
 * a test: it exits 0 unless called wrongly; the "targets" block says PASS/FAIL.
 *
 *   folder: bench/.work/hash/model/   4 files x 512 MiB (2 GiB), written once and reused
 *   single: bench/.work/hash/single/  1 file of 2 GiB (parallel within a file needs shards)
 *
 * Each command runs under GNU `/usr/bin/time -f '%e %M'` (peak RSS); wall time is measured here around the
 * whole child process, so Node's start-up counts against modelguard. The page cache is warmed first.
 * modelguard runs as an esbuild bundle of bench/hash-child.ts (as the CLI ships: threads from a bundle).
 *
 * Usage: npx tsx bench/hash-bench.ts [--runs N] [--no-single] [--json]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work', 'hash');
const GNU_TIME = '/usr/bin/time';
const MiB = 1024 * 1024;
const FILE_SIZE = 512 * MiB;
const FOLDER = join(WORK, 'model');
const FOLDER_FILES = [1, 2, 3, 4].map((i) => join(FOLDER, `model-0000${i}-of-00004.safetensors`));
const SINGLE = join(WORK, 'single');
const SINGLE_FILE = join(SINGLE, 'model.bin');
const TARGET_RATIO = 1.6;
const TARGET_RSS_MB = 200;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'no-single': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  process.stderr.write('--runs must be a positive integer\n');
  process.exit(2);
}

/** Writes `size` bytes of random-looking data once (a random 16 MiB block, each copy stamped). */
function ensureFile(path: string, size: number, seed: number): void {
  if (existsSync(path) && statSync(path).size === size) return;
  mkdirSync(dirname(path), { recursive: true });
  const block = randomBytes(16 * MiB);
  const fd = openSync(path, 'w');
  try {
    for (let off = 0, i = 0; off < size; off += block.length, i++) {
      block.writeUInt32LE(seed, 0);
      block.writeUInt32LE(i, 4);
      writeSync(fd, block, 0, Math.min(block.length, size - off));
    }
  } finally {
    closeSync(fd);
  }
}

interface Run {
  wall: number;
  /** User + system CPU seconds of the child (all its threads and processes). */
  cpu: number;
  rssMB: number;
  stdout: string;
}

function timed(cmd: string, args: string[]): Run {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%e %M %U %S', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1) ?? '';
  const [, rssKiB, user, sys] = last.split(' ').map(Number) as [number, number, number, number];
  return { wall, cpu: user + sys, rssMB: (rssKiB * 1024) / 1e6, stdout: r.stdout };
}

interface Row {
  input: string;
  tool: string;
  bytes: number;
  wallMedian: number;
  wallMin: number;
  cpuMedian: number;
  hashSeconds?: number;
  mbps: number;
  rssMB: number;
}

/** One (input, tool) cell: its command and its runs. */
interface Cell {
  input: string;
  tool: string;
  bytes: number;
  cmd: string;
  args: string[];
  runs: Run[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function sha256sumDigests(stdout: string): Map<string, string> {
  return new Map(
    stdout
      .trim()
      .split('\n')
      .map((l) => {
        const [d, p] = l.split(/ [ *]/) as [string, string];
        return [p, d];
      }),
  );
}

// --- inputs -------------------------------------------------------------------------------------------
for (const [i, p] of FOLDER_FILES.entries()) ensureFile(p, FILE_SIZE, i + 1);
if (!values['no-single']) ensureFile(SINGLE_FILE, 4 * FILE_SIZE, 9);
const inputs = [{ name: 'folder 4 x 512 MiB', dir: FOLDER, files: FOLDER_FILES }];
if (!values['no-single']) inputs.push({ name: 'single 2 GiB file', dir: SINGLE, files: [SINGLE_FILE] });

const child = join(WORK, 'hash-child.mjs');
await build({
  entryPoints: [join(ROOT, 'bench', 'hash-child.ts')],
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outfile: child,
  logLevel: 'warning',
});

// Warm the page cache (untimed).
for (const inp of inputs) spawnSync('cat', inp.files, { stdio: ['ignore', 'ignore', 'inherit'] });

// --- runs -------------------------------------------------------------------------------------------
// Runs are interleaved (every cell once, then again…) so a burst of load elsewhere spreads over all cells.
const cells: Cell[] = [];
for (const inp of inputs) {
  const bytes = inp.files.reduce((s, p) => s + statSync(p).size, 0);
  const cell = (tool: string, cmd: string, args: string[]): void => {
    cells.push({ input: inp.name, tool, bytes, cmd, args, runs: [] });
  };
  cell('sha256sum (1 process)', 'sha256sum', inp.files);
  if (inp.files.length > 1) {
    const list = inp.files.map((f) => `'${f}'`).join(' ');
    cell('sha256sum (xargs -P2)', 'bash', ['-c', `printf '%s\\0' ${list} | xargs -0 -n1 -P2 sha256sum`]);
  }
  cell('modelguard files', process.execPath, [child, inp.dir, 'files', '0', '0']);
  cell('modelguard files, 1 thread', process.execPath, [child, inp.dir, 'files', '0', '1']);
  cell('modelguard shards 1 GB', process.execPath, [child, inp.dir, 'shards', '1000000000', '0']);
  cell('modelguard shards 100 MB', process.execPath, [child, inp.dir, 'shards', '100000000', '0']);
}
const load0 = loadavg()[0]!;
for (let i = 0; i < RUNS; i++) for (const c of cells) c.runs.push(timed(c.cmd, c.args));
const load1 = loadavg()[0]!;

const rows: Row[] = [];
const problems: string[] = [];
for (const c of cells) {
  const walls = c.runs.map((r) => r.wall);
  const row: Row = {
    input: c.input,
    tool: c.tool,
    bytes: c.bytes,
    wallMedian: median(walls),
    wallMin: Math.min(...walls),
    cpuMedian: median(c.runs.map((r) => r.cpu)),
    mbps: c.bytes / 1e6 / median(walls),
    rssMB: Math.max(...c.runs.map((r) => r.rssMB)),
  };
  if (c.cmd === process.execPath) {
    const outs = c.runs.map(
      (r) => JSON.parse(r.stdout) as { seconds: number; maxRssKiB: number; digests: Record<string, string> },
    );
    row.hashSeconds = median(outs.map((o) => o.seconds));
    row.rssMB = Math.max(row.rssMB, ...outs.map((o) => (o.maxRssKiB * 1024) / 1e6));
    const inp = inputs.find((x) => x.name === c.input)!;
    const ref = cells.find((x) => x.input === c.input && x.cmd === 'sha256sum')!;
    const expected = sha256sumDigests(ref.runs[0]!.stdout);
    if (c.args[2] === 'files')
      for (const f of inp.files) {
        const name = f.slice(inp.dir.length + 1);
        if (outs.some((o) => o.digests[name] !== expected.get(f)))
          problems.push(`${c.tool}: ${name} digest differs from sha256sum`);
      }
  }
  rows.push(row);
}

// --- report -------------------------------------------------------------------------------------------
const base = (input: string): Row =>
  rows.find((r) => r.input === input && r.tool === 'sha256sum (1 process)')!;
if (values.json)
  process.stdout.write(
    `${JSON.stringify({ rows, problems, loadBefore: load0, loadAfter: load1 }, null, 2)}\n`,
  );
else {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    `Hashing benchmark — ${availableParallelism()} cores (${cpu}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
      `node ${process.version}, ${RUNS} run(s) per cell (interleaved), warm page cache, MB = 10^6 bytes, ` +
      `1-min load average ${load0.toFixed(2)} before, ${load1.toFixed(2)} after\n\n`,
  );
  const head = [
    'input',
    'tool',
    'wall med s',
    'wall min s',
    'hash s',
    'MB/s',
    'x sha256sum',
    'CPU s',
    'MB/CPU-s',
    'peak RSS MB',
  ];
  const table = rows.map((r) => [
    r.input,
    r.tool,
    r.wallMedian.toFixed(3),
    r.wallMin.toFixed(3),
    r.hashSeconds === undefined ? '' : r.hashSeconds.toFixed(3),
    r.mbps.toFixed(0),
    (base(r.input).wallMedian / r.wallMedian).toFixed(2),
    r.cpuMedian.toFixed(2),
    (r.bytes / 1e6 / r.cpuMedian).toFixed(0),
    r.rssMB.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]): string => `${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}\n`;
  process.stdout.write(line(head) + table.map(line).join(''));
  process.stdout.write(
    '\n"wall" includes process start (Node ≈ 0.05 s); "hash s" is hashModel() alone inside the child; "CPU s" is\n' +
      'user + system time of the child (GNU time), which other load on the machine barely changes.\n',
  );
}
const target = rows.find((r) => r.input === inputs[0]!.name && r.tool === 'modelguard files')!;
const ratio = base(target.input).wallMedian / target.wallMedian;
const maxRss = Math.max(...rows.filter((r) => r.tool.startsWith('modelguard')).map((r) => r.rssMB));
process.stdout.write(
  `\ntargets:\n` +
    `  ${ratio >= TARGET_RATIO ? 'PASS' : 'FAIL'} folder, files mode: ${ratio.toFixed(2)}x sha256sum single-process throughput (target >= ${TARGET_RATIO}x)\n` +
    `  ${maxRss < TARGET_RSS_MB ? 'PASS' : 'FAIL'} peak RSS of every modelguard run: ${maxRss.toFixed(0)} MB (target < ${TARGET_RSS_MB} MB)\n` +
    `  ${problems.length === 0 ? 'PASS' : 'FAIL'} digests equal sha256sum's${problems.length ? `: ${problems.join('; ')}` : ''}\n`,
);
