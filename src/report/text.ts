import { createColors } from 'picocolors';
import type { Finding } from '../core/finding.js';
import { SEVERITIES, type Severity } from '../core/severity.js';
import type { Artifact, ScanReport, Verdict } from '../scanners/report-model.js';

export interface TextOptions {
  color: boolean;
  /** Also show info-level findings (call lists …). */
  verbose: boolean;
  /** List safe files too (default: only files with something to say). */
  showSafe: boolean;
}

type Colors = ReturnType<typeof createColors>;

function severityLabel(c: Colors, s: Severity): string {
  const label = s.toUpperCase().padEnd(8);
  switch (s) {
    case 'critical':
      return c.bold(c.red(label));
    case 'high':
      return c.red(label);
    case 'medium':
      return c.yellow(label);
    case 'low':
      return c.cyan(label);
    default:
      return c.dim(label);
  }
}

function verdictLabel(c: Colors, v: Verdict): string {
  switch (v) {
    case 'unsafe':
      return c.bold(c.red('UNSAFE'));
    case 'suspicious':
      return c.yellow('SUSPICIOUS');
    case 'error':
      return c.magenta('ERROR');
    default:
      return c.green('safe');
  }
}

function findingLines(c: Colors, f: Finding): string[] {
  const where = [
    f.location.member ? `in ${f.location.member}` : '',
    f.location.offset !== undefined ? `at offset ${f.location.offset}` : '',
  ]
    .filter((s) => s.length > 0)
    .join(' ');
  const lines = [`  ${severityLabel(c, f.severity)} ${c.bold(f.ruleId)}  ${f.message}`];
  if (where) lines.push(`           ${c.dim(where)}`);
  if (f.evidence) {
    for (const e of f.evidence.split('\n')) lines.push(`           ${c.cyan(e)}`);
  }
  return lines;
}

/** Human-readable report: one block per file with findings, then a summary and the CI result. */
export function renderText(report: ScanReport, opts: TextOptions): string {
  const c = createColors(opts.color);
  const out: string[] = [];
  const byPath = new Map<string, Finding[]>();
  for (const f of report.findings) {
    if (!opts.verbose && f.severity === 'info') continue;
    const list = byPath.get(f.location.path) ?? [];
    list.push(f);
    byPath.set(f.location.path, list);
  }
  const s = report.summary;
  out.push(
    c.dim(
      `modelguard ${report.tool.version} · ${s.files} file${s.files === 1 ? '' : 's'} scanned in ${s.durationMs} ms`,
    ),
  );
  out.push('');
  for (const a of report.artifacts) {
    const list = byPath.get(a.path) ?? [];
    if (list.length === 0 && a.verdict === 'safe' && !opts.showSafe) continue;
    out.push(artifactHeader(c, a));
    if (a.error) out.push(`  ${c.magenta(a.error)}`);
    for (const f of list) out.push(...findingLines(c, f));
    out.push('');
  }
  out.push(...summaryLines(report, opts.color));
  return `${out.join('\n')}\n`;
}

function artifactHeader(c: Colors, a: Artifact): string {
  const mark = a.verdict === 'safe' ? c.green('✓') : a.verdict === 'suspicious' ? c.yellow('!') : c.red('✗');
  const fmt = a.format.length > 0 ? c.dim(`[${a.format.join(', ')}]`) : '';
  return `${mark} ${c.bold(a.path)}  ${fmt}  ${verdictLabel(c, a.verdict)}`;
}

/** The closing summary and CI result lines. */
export function summaryLines(report: ScanReport, color: boolean): string[] {
  const c = createColors(color);
  const s = report.summary;
  const sev = SEVERITIES.filter((x) => s.bySeverity[x] > 0)
    .map((x) => `${s.bySeverity[x]} ${x}`)
    .join(', ');
  const lines = [
    `${c.bold('Summary')}: ${s.files} files: ${s.byVerdict.unsafe} unsafe, ${s.byVerdict.suspicious} suspicious, ${s.byVerdict.safe} safe, ${s.byVerdict.error} error · findings: ${sev || 'none'}`,
  ];
  if (s.failOn === 'never') lines.push(`Result: ${c.dim('not gated (--fail-on never)')}`);
  else if (s.failed) lines.push(`Result: ${c.bold(c.red('FAIL'))} (findings at or above ${s.failOn})`);
  else lines.push(`Result: ${c.green('PASS')} (nothing at or above ${s.failOn})`);
  return lines;
}
