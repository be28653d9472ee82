/**
 * CPU profile of one `modelguard scan`, summarised: the functions with the most self time (mapped back to
 * src/*.ts through dist's source maps), their inclusive time, and self time per source file.
 *
 *   npx tsx bench/profile.ts [--top N] [--interval US] TARGET... [-- SCAN FLAGS...]
 *       runs `node --cpu-prof bin/modelguard.js scan TARGET... [SCAN FLAGS] --output /dev/null` (profile
 *       kept in bench/.work/prof/) and prints the summary; e.g. `... bench/.work/benign_500mb.pt -- --format json`
 *   npx tsx bench/profile.ts --file PROFILE.cpuprofile [--top N]
 *       summarises an existing profile
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const { values: opts, positionals } = parseArgs({
  options: {
    file: { type: 'string' },
    top: { type: 'string', default: '25' },
    interval: { type: 'string', default: '100' },
  },
  allowPositionals: true,
  strict: true,
});
const TOP = Number(opts.top);

function profileFile(): string {
  if (opts.file) return opts.file;
  if (positionals.length === 0) {
    process.stderr.write(
      'usage: tsx bench/profile.ts [--top N] [--interval US] TARGET... [-- SCAN FLAGS] | --file P\n',
    );
    process.exit(2);
  }
  const dir = join(ROOT, 'bench', '.work', 'prof');
  mkdirSync(dir, { recursive: true });
  const before = new Set(readdirSync(dir));
  const args = [
    '--cpu-prof',
    '--cpu-prof-dir',
    dir,
    '--cpu-prof-interval',
    String(opts.interval),
    join(ROOT, 'bin', 'modelguard.js'),
    'scan',
    ...positionals,
    '--output',
    '/dev/null',
  ];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    `$ node ${args.map((a) => (a.startsWith(`${ROOT}/`) ? relative(ROOT, a) : a)).join(' ')}\n` +
      `exit ${r.status}, ${wall.toFixed(3)} s wall (profiling on); ${r.stderr.trim().split('\n')[0] ?? ''}\n`,
  );
  const made = readdirSync(dir).filter((n) => n.endsWith('.cpuprofile') && !before.has(n));
  if (made.length === 0) throw new Error('no .cpuprofile written');
  const newest = made.map((n) => join(dir, n)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
  process.stdout.write(`profile: ${relative(ROOT, newest)}\n`);
  return newest;
}

const maps = new Map<string, SourceMap | null>();
function sourceMapFor(url: string): SourceMap | null {
  if (!maps.has(url)) {
    let sm: SourceMap | null = null;
    try {
      const file = fileURLToPath(url);
      if (existsSync(`${file}.map`)) sm = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      sm = null;
    }
    maps.set(url, sm);
  }
  return maps.get(url) ?? null;
}

/**
 * esbuild bundles (dist/bundle/*.js, no source maps) mark each inlined module with a `// dist/x/y.js`
 * comment line: the nearest one above a line names the module it came from.
 */
const bundles = new Map<string, { line: number; module: string }[]>();
function bundleModuleAt(file: string, line: number): string | undefined {
  if (!bundles.has(file)) {
    const marks: { line: number; module: string }[] = [];
    try {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((text, i) => {
          const m = /^\/\/ (dist\/\S+\.js)$/.exec(text);
          if (m) marks.push({ line: i, module: m[1]! });
        });
    } catch {
      // unreadable: no mapping
    }
    bundles.set(file, marks);
  }
  let found: string | undefined;
  for (const m of bundles.get(file)!) {
    if (m.line > line) break;
    found = m.module;
  }
  return found?.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts');
}

/** "src/formats/pickle/vm.ts:123" for our code, "node:internal/..." or "(program)" otherwise. */
function where(cf: CallFrame): { file: string; loc: string } {
  if (!cf.url) {
    const name = cf.functionName || 'native';
    return { file: name.startsWith('(') ? name : `(${name})`, loc: '' };
  }
  if (cf.url.startsWith('file://')) {
    const sm = sourceMapFor(cf.url);
    const entry = sm?.findEntry(cf.lineNumber, cf.columnNumber) as
      | { originalSource?: string; originalLine?: number }
      | undefined;
    if (entry?.originalSource) {
      const src = relative(ROOT, fileURLToPath(new URL(entry.originalSource, cf.url)));
      return { file: src, loc: `${src}:${(entry.originalLine ?? 0) + 1}` };
    }
    const abs = fileURLToPath(cf.url);
    const file = relative(ROOT, abs);
    const mod = file.startsWith('dist/bundle/') ? bundleModuleAt(abs, cf.lineNumber) : undefined;
    if (mod) return { file: mod, loc: `${mod} (${file}:${cf.lineNumber + 1})` };
    return { file, loc: `${file}:${cf.lineNumber + 1}` };
  }
  return { file: cf.url, loc: `${cf.url}:${cf.lineNumber + 1}` };
}

function main(): void {
  const path = profileFile();
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // Sample i lasts until sample i+1 (Chrome DevTools' convention); the last one until endTime.
  const selfUs = new Map<number, number>();
  let t = p.startTime;
  const stamps = p.timeDeltas.map((d) => (t += d));
  for (let i = 0; i < p.samples.length; i++) {
    const dur = (i + 1 < stamps.length ? stamps[i + 1]! : p.endTime) - stamps[i]!;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + Math.max(0, dur));
  }
  const total = p.endTime - p.startTime;

  const key = (n: ProfileNode): string => {
    const w = where(n.callFrame);
    return `${n.callFrame.functionName || '(anonymous)'}  ${w.loc}`;
  };
  const parentOf = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  // Self time of a function split by its direct caller (for the top entries).
  const callers = new Map<string, Map<string, number>>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    const parent = parentOf.has(id) ? byId.get(parentOf.get(id)!) : undefined;
    const k = key(n);
    const byCaller = callers.get(k) ?? new Map<string, number>();
    const ck = parent ? key(parent) : '(root)';
    byCaller.set(ck, (byCaller.get(ck) ?? 0) + us);
    callers.set(k, byCaller);
  }
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const perFile = new Map<string, number>();
  // Inclusive time: a node's self plus its subtree, counted once per function even under recursion.
  const walk = (id: number, onStack: Set<string>): number => {
    const n = byId.get(id)!;
    const k = key(n);
    const s = selfUs.get(id) ?? 0;
    self.set(k, (self.get(k) ?? 0) + s);
    const f = where(n.callFrame).file;
    perFile.set(f, (perFile.get(f) ?? 0) + s);
    const recursive = onStack.has(k);
    onStack.add(k);
    let sub = s;
    for (const c of n.children ?? []) sub += walk(c, onStack);
    if (!recursive) {
      onStack.delete(k);
      incl.set(k, (incl.get(k) ?? 0) + sub);
    }
    return sub;
  };
  const root = p.nodes[0]!;
  walk(root.id, new Set());

  const ms = (us: number): string => (us / 1000).toFixed(1).padStart(8);
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const out: string[] = [];
  out.push(`profiled ${(total / 1000).toFixed(1)} ms, ${p.samples.length} samples`, '');
  out.push(
    `top ${TOP} by self time:`,
    `${'self ms'.padStart(8)}  ${'self'.padStart(6)}  ${'incl ms'.padStart(8)}  function  location`,
  );
  for (const [k, s] of [...self].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    out.push(`${ms(s)}  ${pct(s)}  ${ms(incl.get(k) ?? 0)}  ${k}`);
  }
  out.push('', `callers of the top ${Math.min(TOP, 12)} (self time by direct caller):`);
  for (const [k] of [...self]
    .filter(([k]) => !k.startsWith('('))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Math.min(TOP, 12))) {
    out.push(`  ${k}`);
    for (const [c, us] of [...(callers.get(k) ?? [])].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
      out.push(`    ${ms(us)}  <- ${c}`);
    }
  }
  out.push('', 'self time by file:');
  for (const [f, s] of [...perFile].sort((a, b) => b[1] - a[1]).slice(0, TOP))
    out.push(`${ms(s)}  ${pct(s)}  ${f}`);
  out.push('', `top ${TOP} by inclusive time (src/ only):`);
  for (const [k, s] of [...incl]
    .filter(([k]) => k.includes(' src/'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP)) {
    out.push(`${ms(s)}  ${pct(s)}  ${k}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
