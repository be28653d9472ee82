/**
 * `npx tsx bench/data-bench.ts` — runDataChecks on a synthetic tabular set (issue 6 item 5): 50,000 samples
 * × 64 features, 10 Gaussian classes (seeded), 5% of the labels flipped to another class, the features
 * passed as the embedding. Prints seconds per check, peak RSS, and the label check's precision/recall on
 * the flips (bench/data-cli-bench.ts runs the whole command with an ONNX model). A script, not a test: the "targets" line says PASS/FAIL (< 60 s wall, < 1 GB). Wall seconds
 * depend on what else runs; the CPU seconds and load average are printed beside them.
 *
 * Usage: npx tsx bench/data-bench.ts [--samples N] [--features D] [--classes K] [--json]
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runDataChecks } from '../src/defenses/data/index.js';
import { synthetic } from './data-synthetic.js';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '50000' },
    features: { type: 'string', default: '64' },
    classes: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
  },
});
const n = Number(values.samples);
const d = Number(values.features);
const k = Number(values.classes);
const { x, y, flipped } = synthetic(n, d, k);
const dataset = { x: { data: x, shape: [n, d] }, y };
const cpu0 = process.cpuUsage();
const t = performance.now();
const result = runDataChecks(dataset, { embeddings: dataset.x, seed: 0, folds: 5 });
const total = (performance.now() - t) / 1000;
const cpu = process.cpuUsage(cpu0);
const cpuSeconds = Math.round((cpu.user + cpu.system) / 1000) / 1000;
const rssMB = process.resourceUsage().maxRSS / 1024;
const issues = result.checks.labels?.issues ?? [];
const found = new Set(result.suspects.filter((s) => s.reasons.includes('label-issue')).map((s) => s.index));
const tp = [...found].filter((i) => flipped.has(i)).length;
const report = {
  samples: n,
  features: d,
  classes: k,
  flipped: flipped.size,
  seconds: {
    labels: result.checks.labels?.seconds,
    duplicates: result.checks.duplicates?.seconds,
    outliers: result.checks.outliers?.seconds,
    balance: result.checks.balance?.seconds,
    total: Math.round(total * 1000) / 1000,
  },
  cpuSeconds,
  loadAverage: loadavg()[0],
  peakRssMB: Math.round(rssMB),
  labelIssues: {
    flagged: found.size,
    listed: issues.length,
    precision: found.size ? tp / found.size : 0,
    recall: tp / flipped.size,
    crossValAccuracy: result.checks.labels?.crossValAccuracy,
  },
  duplicates: result.checks.duplicates?.flagged,
  outliers: result.checks.outliers?.flagged,
  suspects: result.suspects.length,
};
const pass = total < 60 && rssMB < 1024;
if (values.json) console.log(JSON.stringify({ ...report, pass }, null, 1));
else {
  console.log(`runDataChecks: ${n} samples × ${d} features, ${k} classes, ${flipped.size} labels flipped`);
  for (const [name, s] of Object.entries(report.seconds)) console.log(`  ${name.padEnd(11)} ${s} s`);
  console.log(
    `  cpu (user+system) ${cpuSeconds} s; 1-min load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores`,
  );
  console.log(`  peak RSS    ${report.peakRssMB} MB`);
  const l = report.labelIssues;
  console.log(
    `  label issues: ${l.flagged} flagged, precision ${l.precision.toFixed(3)}, recall ${l.recall.toFixed(3)} (cv accuracy ${l.crossValAccuracy?.toFixed(3)})`,
  );
  console.log(`  duplicates flagged ${report.duplicates}, outliers flagged ${report.outliers}`);
  console.log(`targets: total < 60 s and peak RSS < 1024 MB: ${pass ? 'PASS' : 'FAIL'}`);
}
