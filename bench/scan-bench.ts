/**
 * `npm run bench` — wall time, throughput and peak RSS of `modelguard scan` on three inputs, side by side
 * with picklescan, modelscan and fickling when they can run here. A script, not a test: it always exits 0
 * unless it is called wrongly; the "targets" block says PASS/FAIL.
 *
 *   (a) bench/.work/benign_500mb.pt   torch zip, 250 float32 tensors x 500k (~500 MB)
 *   (b) bench/.work/many_tensors.pt   torch zip, 20,000 tensors (~7.5 MB, data.pkl ~2.3 MB / ~640k opcodes)
 *   (c) bench/.work/mixed/            200 mixed files (torch zip/legacy, npy/npz, joblib, pickles, text; 8 malicious)
 *
 * Usage: npm run bench -- [--runs N] [--peer-runs N] [--json] [--no-peers] [--only a,b,c] [--timeout SECONDS]
 *        --runs: runs per cell (default 3); --peer-runs: runs per peer cell (default: --runs)
 * Env:   MODELGUARD_PEERS  folder with the peers' sources (default bench/.work/peers; see bench/peers.sh)
 *
 * Each command runs under `/usr/bin/time -f '%e %M'` (GNU time) for its peak RSS; wall time is measured
 * here around the whole child (process start included). The page cache is warmed before timing.
 */
import { spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const PY = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const CLI = join(ROOT, 'bin', 'modelguard.js');
const TARGET_WALL_S = 0.3;
const TARGET_RSS_MB = 200;

type TargetId = 'a' | 'b' | 'c';
interface Target {
  id: TargetId;
  label: string;
  /** Relative to the repository root (shorter summaries). */
  path: string;
  bytes: number;
  files: number;
}

interface Invocation {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

interface Tool {
  name: string;
  /** Why it cannot run, or null when it can. */
  unavailable: string | null;
  note?: string;
  /** Why this tool does not apply to a target, or null when it does. */
  skip?(target: Target): string | null;
  command(target: Target): Invocation;
  summarize(out: string, err: string, code: number | null): string;
}

interface Run {
  wallS: number;
  rssMB: number | null;
  code: number | null;
  timedOut: boolean;
}

interface Result {
  tool: string;
  target: TargetId;
  available: boolean;
  reason?: string;
  runs: Run[];
  wallMinS?: number;
  wallMedianS?: number;
  mbPerS?: number;
  peakRssMB?: number | null;
  exit?: string;
  summary?: string;
}

// ------------------------------------------------------------------------------------------- arguments

const { values: opts } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    'peer-runs': { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-peers': { type: 'boolean', default: false },
    only: { type: 'string', default: 'a,b,c' },
    timeout: { type: 'string', default: '300' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  process.stdout.write(
    'usage: npm run bench -- [--runs N] [--peer-runs N] [--json] [--no-peers] [--only a,b,c] [--timeout SECONDS]\n',
  );
  process.exit(0);
}
const RUNS = Number(opts.runs);
const PEER_RUNS = Number(opts['peer-runs'] ?? opts.runs);
const TIMEOUT_S = Number(opts.timeout);
if (!Number.isInteger(RUNS) || RUNS < 1) usage(`--runs must be a positive integer, got "${opts.runs}"`);
if (!Number.isInteger(PEER_RUNS) || PEER_RUNS < 1)
  usage(`--peer-runs must be a positive integer, got "${opts['peer-runs']}"`);
if (!(TIMEOUT_S > 0)) usage(`--timeout must be a positive number of seconds, got "${opts.timeout}"`);
const ONLY = new Set(opts.only.split(',').map((s) => s.trim()));
for (const id of ONLY) if (!['a', 'b', 'c'].includes(id)) usage(`--only takes a, b, c; got "${id}"`);

function usage(msg: string): never {
  process.stderr.write(`bench: ${msg}\n`);
  process.exit(2);
}

/** Progress goes to stderr so that stdout holds only the table (or the JSON). */
function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

// ------------------------------------------------------------------------------------------- helpers

function sh(file: string, args: string[], env?: Record<string, string>) {
  return spawnSync(file, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 256 * 1024 * 1024,
  });
}

function treeSize(p: string): { bytes: number; files: number } {
  const st = statSync(p);
  if (!st.isDirectory()) return { bytes: st.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const n of readdirSync(p)) {
    const s = treeSize(join(p, n));
    bytes += s.bytes;
    files += s.files;
  }
  return { bytes, files };
}

/** Reads every byte once so that every tool (and every run) sees a warm page cache. */
function warmCache(p: string, buf = Buffer.allocUnsafe(8 << 20)): void {
  if (statSync(p).isDirectory()) {
    for (const n of readdirSync(p)) warmCache(join(p, n), buf);
    return;
  }
  const fd = openSync(p, 'r');
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function firstLine(text: string, re?: RegExp): string | undefined {
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t && (!re || re.test(t))) return t;
  }
  return undefined;
}

function clip(s: string, n = 72): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

// ------------------------------------------------------------------------------------------- inputs

function ensureModels(): Target[] | null {
  const a = join(WORK, 'benign_500mb.pt');
  const b = join(WORK, 'many_tensors.pt');
  const c = join(WORK, 'mixed');
  const complete = existsSync(a) && existsSync(b) && existsSync(c) && readdirSync(c).length >= 200;
  if (!complete) {
    const probe = sh(PY, ['-c', 'import torch, numpy, sklearn, joblib']);
    if (probe.status !== 0) {
      log(
        `bench: the models are generated with Debian's ${PY} and torch, numpy, scikit-learn, joblib, which it lacks:\n` +
          `  ${clip(probe.stderr || String(probe.error), 200)}\n` +
          '  install them:  apt-get install -y python3-torch python3-numpy python3-sklearn python3-joblib\n' +
          '  then run `npm run bench` again.',
      );
      return null;
    }
    log('bench: generating bench models (bench/make_bench_models.py) ...');
    const gen = spawnSync(PY, [join(ROOT, 'bench', 'make_bench_models.py'), WORK], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (gen.status !== 0) {
      log(`bench: make_bench_models.py failed (exit ${gen.status}); see above`);
      return null;
    }
  }
  const mk = (id: TargetId, label: string, abs: string): Target => ({
    id,
    label,
    path: relative(ROOT, abs),
    ...treeSize(abs),
  });
  return [
    mk('a', '(a) 500 MB checkpoint', a),
    mk('b', '(b) 20,000 tensors', b),
    mk('c', '(c) 200 mixed files', c),
  ];
}

// ------------------------------------------------------------------------------------------- tools

function modelguardTools(): Tool[] {
  const built = existsSync(join(ROOT, 'dist', 'cli', 'main.js'));
  let unavailable: string | null = built ? null : 'not built (run `npm run build`)';
  if (built) {
    const probe = sh(process.execPath, [CLI, '--version']);
    if (probe.status !== 0) unavailable = `--version failed: ${clip(probe.stderr || probe.stdout, 100)}`;
  }
  const summarize = (_out: string, err: string): string =>
    clip(
      (firstLine(err, /^Summary:/) ?? firstLine(err, /modelguard:/) ?? firstLine(err) ?? '').replace(
        /^Summary:\s*/,
        '',
      ),
      90,
    );
  return [
    {
      name: 'modelguard (text, no hash)',
      unavailable,
      command: (t) => ({ file: process.execPath, args: [CLI, 'scan', t.path, '--output', '/dev/null'] }),
      summarize,
    },
    {
      name: 'modelguard (json + sha256)',
      unavailable,
      command: (t) => ({
        file: process.execPath,
        args: [CLI, 'scan', t.path, '--format', 'json', '--output', '/dev/null'],
      }),
      summarize,
    },
  ];
}

function peersDir(): string {
  const env = process.env['MODELGUARD_PEERS'];
  return env ? resolve(ROOT, env) : join(WORK, 'peers');
}

function peerTools(): Tool[] {
  const peers = peersDir();
  const shim = join(dirname(peers), 'shim');
  // Set up the default folder on first use; a folder named by MODELGUARD_PEERS is used as it is.
  if (!existsSync(peers) && !process.env['MODELGUARD_PEERS'] && existsSync(join(ROOT, 'bench', 'peers.sh'))) {
    log(`bench: ${relative(ROOT, peers) || peers} missing; running bench/peers.sh to set the peers up ...`);
    const r = spawnSync('bash', [join(ROOT, 'bench', 'peers.sh'), peers], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
    });
    for (const l of `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')) if (l.trim()) log(`  ${l}`);
  }
  const probe = (pythonpath: string, mod: string): string | null => {
    if (!existsSync(PY)) return `${PY} not found`;
    const r = sh(PY, ['-c', `import ${mod}`], { PYTHONPATH: pythonpath });
    if (r.status === 0) return null;
    const why = firstLine((r.stderr || '').split('\n').reverse().join('\n')) ?? `exit ${r.status}`;
    return clip(why, 80);
  };
  const psPath = join(peers, 'picklescan', 'src');
  const msPath = join(peers, 'modelscan');
  const fkPath = `${shim}:${join(peers, 'fickling')}`;
  const psUnavailable = probe(psPath, 'picklescan.cli');
  const msUnavailable = probe(msPath, 'modelscan.cli');
  const fkUnavailable = probe(fkPath, 'fickling.cli');

  const num = (text: string, label: string): string | undefined =>
    new RegExp(`${label}:\\s*(\\d+)`).exec(text)?.[1];

  return [
    {
      name: 'picklescan',
      unavailable: psUnavailable,
      command: (t) => ({
        file: PY,
        args: ['-c', 'import sys; from picklescan.cli import main; sys.exit(main())', '-p', t.path],
        env: { PYTHONPATH: psPath },
      }),
      summarize: (out, err) => {
        const all = out + err;
        const scanned = num(all, 'Scanned files');
        if (scanned === undefined) return clip(firstLine(err) ?? firstLine(out) ?? '');
        const parseErrors = (all.match(/could not parse|ERROR: parsing/g) ?? []).length;
        return (
          `${scanned} scanned, ${num(all, 'Infected files')} infected, ` +
          `${num(all, 'Dangerous globals')} dangerous + ${num(all, 'Suspicious globals')} suspicious globals` +
          (parseErrors ? `, ${parseErrors} parse errors` : '')
        );
      },
    },
    {
      name: 'modelscan',
      unavailable: msUnavailable,
      command: (t) => ({
        file: PY,
        args: ['-c', 'from modelscan.cli import main; main()', '-p', t.path],
        env: { PYTHONPATH: msPath },
      }),
      summarize: (out, err) => {
        const all = out + err;
        const issues = /No issues found/.test(all) ? '0' : num(all, 'Total Issues');
        if (issues === undefined) return clip(firstLine(err, /Error|error/) ?? firstLine(out) ?? '');
        const crit = num(all, '- CRITICAL');
        const errors = (all.match(/^Error \d+:/gm) ?? []).length;
        const skipped = num(all, 'Total skipped');
        return `${issues} issues${crit ? ` (${crit} critical)` : ''}, ${errors} errors, ${skipped ?? 0} skipped`;
      },
    },
    {
      // The CLI answers "No pickle files detected" (exit 2) for torch zips; §D of the threats note scanned
      // zips with this API instead, so both are shown.
      name: 'fickling (zip API)',
      unavailable: fkUnavailable,
      note: 'fickling (zip API) = fickling.loader.scan_zip_archive(path, graceful=True), the way §D scanned torch zips',
      skip: (t) => (t.files === 1 ? null : 'n/a (scans one zip per call)'),
      command: (t) => ({
        file: PY,
        args: [
          '-c',
          [
            'import sys',
            'from fickling.loader import scan_zip_archive',
            'r = scan_zip_archive(sys.argv[1], graceful=True)',
            'w = max((v.severity for v in r.values()), key=lambda s: s.value[0], default=None)',
            'print(f"{len(r)} pickle member(s); worst: {w.name if w else None}")',
            'sys.exit(0 if w is None or w.value[0] == 0 else 1)',
          ].join('\n'),
          t.path,
        ],
        env: { PYTHONPATH: fkPath },
      }),
      summarize: (out, err) =>
        clip(
          firstLine(out, /pickle member/) ?? firstLine(err.split('\n').reverse().join('\n')) ?? '(no output)',
        ),
    },
    {
      name: 'fickling (CLI)',
      unavailable: fkUnavailable,
      note: 'fickling (CLI) has no directory mode: on (c) it runs once per file (200 interpreter starts)',
      command: (t) => {
        const env = { PYTHONPATH: fkPath };
        if (t.files === 1) return { file: PY, args: ['-m', 'fickling', '--check-safety', '-p', t.path], env };
        const loop =
          'n0=0; n1=0; n2=0; nx=0; for f in "$1"/*; do [ -f "$f" ] || continue; ' +
          '"$2" -m fickling --check-safety -p "$f" >/dev/null 2>&1; ' +
          'case $? in 0) n0=$((n0+1));; 1) n1=$((n1+1));; 2) n2=$((n2+1));; *) nx=$((nx+1));; esac; done; ' +
          'echo "per file: $n1 exit 1 (unsafe), $n2 exit 2 (error), $n0 exit 0, $nx other"; ' +
          '[ "$n1" -gt 0 ] && exit 1; [ "$n2" -gt 0 ] && exit 2; exit 0';
        return { file: '/bin/sh', args: ['-c', loop, 'fickling-loop', t.path, PY], env };
      },
      summarize: (out, err) =>
        clip(
          firstLine(out, /^per file:/) ??
            firstLine(out, /suspicious|unsafe|malicious|No issues|safe/i) ??
            firstLine(out + err, /failed|Error/) ??
            firstLine(out) ??
            '(no output)',
        ),
    },
  ];
}

// ------------------------------------------------------------------------------------------- measuring

const TIME_OUT_FILE = join(WORK, '.time.out');
const haveGnuTime = existsSync(GNU_TIME);

function measureOnce(inv: Invocation): { run: Run; out: string; err: string } {
  const timed = haveGnuTime
    ? { file: GNU_TIME, args: ['-f', '%e %M', '-o', TIME_OUT_FILE, '--', inv.file, ...inv.args] }
    : inv;
  rmSync(TIME_OUT_FILE, { force: true });
  const t0 = process.hrtime.bigint();
  const r = spawnSync(timed.file, timed.args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...inv.env, NO_COLOR: '1' },
    maxBuffer: 256 * 1024 * 1024,
    timeout: TIMEOUT_S * 1000,
    killSignal: 'SIGKILL',
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  let rssMB: number | null = null;
  let code = r.status;
  if (haveGnuTime && existsSync(TIME_OUT_FILE)) {
    const text = readFileSync(TIME_OUT_FILE, 'utf8');
    // GNU time prefixes "Command exited with non-zero status N" when the child fails.
    const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(text.trim());
    if (m) rssMB = (Number(m[2]) * 1024) / 1e6;
    const ex = /Command exited with non-zero status (\d+)/.exec(text);
    code = ex ? Number(ex[1]) : code;
  }
  const timedOut = r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
  return { run: { wallS, rssMB, code, timedOut }, out: r.stdout ?? '', err: r.stderr ?? '' };
}

function bench(tool: Tool, target: Target): Result {
  const reason = tool.unavailable ?? tool.skip?.(target) ?? null;
  if (reason !== null) return { tool: tool.name, target: target.id, available: false, reason, runs: [] };
  const inv = tool.command(target);
  const n = tool.name.startsWith('modelguard') ? RUNS : PEER_RUNS;
  const runs: Run[] = [];
  let out = '';
  let err = '';
  for (let i = 0; i < n; i++) {
    const m = measureOnce(inv);
    runs.push(m.run);
    out = m.out;
    err = m.err;
    log(
      `  ${tool.name} ${target.id} run ${i + 1}/${n}: ${m.run.wallS.toFixed(3)} s, ` +
        `${m.run.rssMB?.toFixed(0) ?? '?'} MB, exit ${m.run.timedOut ? 'timeout' : m.run.code}`,
    );
    if (m.run.timedOut) break; // a tool past the limit would only burn more minutes
  }
  const walls = runs.map((r) => r.wallS);
  const codes = [...new Set(runs.map((r) => (r.timedOut ? 'timeout' : String(r.code))))];
  const rss = runs.map((r) => r.rssMB).filter((x): x is number => x !== null);
  const wallMedianS = median(walls);
  return {
    tool: tool.name,
    target: target.id,
    available: true,
    runs,
    wallMinS: Math.min(...walls),
    wallMedianS,
    mbPerS: target.bytes / 1e6 / wallMedianS,
    peakRssMB: rss.length ? Math.max(...rss) : null,
    exit: codes.join('/'),
    summary: runs.some((r) => r.timedOut)
      ? `timed out after ${TIMEOUT_S} s`
      : tool.summarize(out, err, runs[0]!.code),
  };
}

/** An untimed JSON run of (c): do the 8 `malicious_*` files come out unsafe, and nothing else? */
function detectionCheck(target: Target): string | null {
  const out = join(WORK, 'mixed-report.json');
  const r = sh(process.execPath, [
    CLI,
    'scan',
    target.path,
    '--format',
    'json',
    '--output',
    out,
    '--no-hash',
  ]);
  if (!existsSync(out)) return `no report (exit ${r.status}): ${clip(r.stderr, 100)}`;
  try {
    const report = JSON.parse(readFileSync(out, 'utf8')) as {
      artifacts: { path: string; verdict: string }[];
    };
    const mal = report.artifacts.filter((a) => /(^|\/)malicious_[^/]*$/.test(a.path));
    const ben = report.artifacts.filter((a) => !/(^|\/)malicious_[^/]*$/.test(a.path));
    const missed = mal
      .filter((a) => a.verdict !== 'unsafe')
      .map((a) => `${a.path.split('/').pop()}=${a.verdict}`);
    const flagged = ben
      .filter((a) => a.verdict !== 'safe')
      .map((a) => `${a.path.split('/').pop()}=${a.verdict}`);
    return (
      `malicious files unsafe: ${mal.length - missed.length}/${mal.length}` +
      (missed.length ? ` (missed: ${missed.join(', ')})` : '') +
      `; benign files not safe: ${flagged.length}/${ben.length}` +
      (flagged.length ? ` (${flagged.slice(0, 8).join(', ')}${flagged.length > 8 ? ', …' : ''})` : '')
    );
  } catch (e) {
    return `unreadable report: ${(e as Error).message}`;
  }
}

// ------------------------------------------------------------------------------------------- output

function machine() {
  const py = sh(PY, ['--version']);
  const git = sh('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = sh('git', ['status', '--porcelain', '--untracked-files=no']);
  const mg = existsSync(join(ROOT, 'dist', 'cli', 'main.js'))
    ? sh(process.execPath, [CLI, '--version'])
    : null;
  return {
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGB: Math.round(totalmem() / 1e9),
    kernel: release(),
    node: process.version,
    python: py.status === 0 ? (py.stdout || py.stderr).trim() : 'not found',
    modelguard: mg?.status === 0 ? mg.stdout.trim() : 'not built',
    commit:
      git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() ? ' (+ uncommitted changes)' : ''}` : '?',
    gnuTime: haveGnuTime,
    /** 1-minute load average when timing started: other work on the machine skews the numbers. */
    load1: Number(loadavg()[0]!.toFixed(2)),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const numeric = new Set([2, 3, 4, 5, 6]);
  return rows
    .map((r, ri) =>
      r
        .map((cell, i) =>
          i === r.length - 1
            ? cell
            : numeric.has(i) && ri > 0
              ? cell.padStart(widths[i]!)
              : cell.padEnd(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function main(): void {
  mkdirSync(WORK, { recursive: true });
  // bench/** is in biome's includes (npm run lint) and biome formats .md/.yml: keep generated data out.
  const guard = join(WORK, 'biome.json');
  if (!existsSync(guard))
    writeFileSync(guard, '{ "root": false, "extends": "//", "files": { "includes": ["!**"] } }\n');
  const all = ensureModels();
  if (all === null) process.exit(0);
  const targets = all.filter((t) => ONLY.has(t.id));
  const tools = [...modelguardTools(), ...(opts['no-peers'] ? [] : peerTools())];
  const m = machine();
  if (m.load1 > 0.5 * m.nproc) {
    log(
      `bench: warning: load average ${m.load1} on ${m.nproc} CPU(s); timings will be inflated by other work`,
    );
  }
  log(`bench: ${RUNS} run(s) per modelguard cell, ${PEER_RUNS} per peer cell; warming the page cache ...`);
  for (const t of targets) warmCache(join(ROOT, t.path));

  const results: Result[] = [];
  for (const t of targets) for (const tool of tools) results.push(bench(tool, t));
  const mg = tools[0]!;
  const detection = mg.unavailable === null && ONLY.has('c') ? detectionCheck(all[2]!) : null;

  // Targets: the modelguard rows, median wall (process start included) and peak RSS over the runs.
  const checks: {
    mode: string;
    target: TargetId;
    metric: string;
    value: string;
    limit: string;
    pass: boolean | null;
  }[] = [];
  for (const tool of tools.filter((x) => x.name.startsWith('modelguard'))) {
    for (const t of targets) {
      const r = results.find((x) => x.tool === tool.name && x.target === t.id)!;
      if (t.id !== 'c') {
        checks.push({
          mode: tool.name,
          target: t.id,
          metric: 'wall (median)',
          value: r.available ? `${r.wallMedianS!.toFixed(3)} s` : 'n/a',
          limit: `< ${TARGET_WALL_S} s`,
          pass: r.available ? r.wallMedianS! < TARGET_WALL_S : null,
        });
      }
      checks.push({
        mode: tool.name,
        target: t.id,
        metric: 'peak RSS',
        value: r.available && r.peakRssMB != null ? `${r.peakRssMB.toFixed(1)} MB` : 'n/a',
        limit: `< ${TARGET_RSS_MB} MB`,
        pass: r.available && r.peakRssMB != null ? r.peakRssMB < TARGET_RSS_MB : null,
      });
    }
  }

  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ machine: m, runs: RUNS, peerRuns: PEER_RUNS, timeoutS: TIMEOUT_S, targets, results, detection, checks }, null, 2)}\n`,
    );
    return;
  }

  const lines: string[] = [];
  lines.push('modelguard scan benchmark');
  lines.push(
    `machine: ${m.nproc} CPU(s), ${m.cpu}, ${m.memGB} GB RAM, Linux ${m.kernel}; node ${m.node}; ${m.python}; ` +
      `modelguard ${m.modelguard} @ ${m.commit}; load average ${m.load1} at start`,
  );
  lines.push(
    `method: ${RUNS} run(s) per modelguard cell, ${PEER_RUNS} per peer cell, page cache warm; wall = child process incl. start (measured by the bench), ` +
      `peak RSS = max over runs of GNU time %M${haveGnuTime ? '' : ' (GNU time missing: n/a)'}; ` +
      'MB/s = target bytes / median wall; MB = 10^6 bytes',
  );
  lines.push('targets:');
  for (const t of all) {
    lines.push(
      `  ${t.label.padEnd(24)} ${t.path}  ${(t.bytes / 1e6).toFixed(1)} MB${t.files > 1 ? `, ${t.files} files` : ''}` +
        (ONLY.has(t.id) ? '' : '  (skipped: --only)'),
    );
  }
  lines.push('');
  const rows: string[][] = [
    ['tool', 'target', 'wall min s', 'wall med s', 'MB/s', 'peak RSS MB', 'exit', 'verdict summary'],
  ];
  for (const r of results) {
    if (!r.available) {
      rows.push([r.tool, r.target, '-', '-', '-', '-', '-', `not available: ${r.reason}`]);
      continue;
    }
    rows.push([
      r.tool,
      r.target,
      r.wallMinS!.toFixed(3),
      r.wallMedianS!.toFixed(3),
      r.mbPerS! >= 100 ? r.mbPerS!.toFixed(0) : r.mbPerS!.toFixed(1),
      r.peakRssMB != null ? r.peakRssMB.toFixed(1) : 'n/a',
      r.exit!,
      r.summary!,
    ]);
  }
  lines.push(table(rows));
  const notes = tools.filter((t) => t.note && t.unavailable === null).map((t) => t.note!);
  if (notes.length) lines.push('', ...notes.map((n) => `note: ${n}`));
  if (detection) lines.push('', `detection check on (c), untimed modelguard JSON run: ${detection}`);
  lines.push(
    '',
    `targets for modelguard ((a), (b) wall < ${TARGET_WALL_S} s incl. process start; RSS < ${TARGET_RSS_MB} MB in all three):`,
  );
  const crow: string[][] = [['mode', 'target', 'metric', 'value', 'limit', 'result']];
  for (const c of checks) {
    crow.push([
      c.mode,
      c.target,
      c.metric,
      c.value,
      c.limit,
      c.pass === null ? 'n/a' : c.pass ? 'PASS' : 'FAIL',
    ]);
  }
  lines.push(
    crow
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(Math.max(...crow.map((x) => (x[i] ?? '').length))))
          .join('  ')
          .trimEnd(),
      )
      .map((l) => `  ${l}`)
      .join('\n'),
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

main();
