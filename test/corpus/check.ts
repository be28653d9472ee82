/**
 * The contract every corpus, fixture and peer-corpus test applies to a scan report, as a list of
 * problems (empty = pass) so a failing test shows everything that is wrong at once.
 */
import type { Finding } from '../../src/core/finding.js';
import { atLeast } from '../../src/core/severity.js';
import type { Artifact, ScanReport } from '../../src/scanners/report-model.js';
import type { Expect } from './types.js';

function findingsOf(report: ScanReport, artifact: Artifact): Finding[] {
  return report.findings.filter((f) => f.location.path === artifact.path);
}

function mentions(f: Finding, text: string): boolean {
  return f.message.includes(text) || (f.evidence ?? '').includes(text);
}

/** One line per artifact and finding: what the scanner said, for assertion messages. */
export function describeReport(report: ScanReport): string {
  const lines: string[] = [];
  for (const a of report.artifacts) {
    lines.push(
      `${a.path}: verdict ${a.verdict}, format [${a.format.join(', ')}]${a.error ? `, error: ${a.error}` : ''}`,
    );
    for (const f of findingsOf(report, a)) {
      const where = [f.location.member, f.location.offset === undefined ? undefined : `@${f.location.offset}`]
        .filter((x) => x !== undefined)
        .join(' ');
      const evidence = f.evidence ? ` | ${f.evidence.slice(0, 160)}` : '';
      lines.push(
        `  ${f.severity} ${f.ruleId}${where ? ` (${where})` : ''}: ${f.message.slice(0, 200)}${evidence}`,
      );
    }
  }
  return lines.join('\n');
}

/** Problems with `report` against `expect` (see types.ts); `minArtifacts` guards against silent skips. */
export function checkReport(
  report: ScanReport,
  expect: Expect,
  mustMention?: string,
  minArtifacts = 1,
): string[] {
  const problems: string[] = [];
  if (report.artifacts.length < minArtifacts) {
    problems.push(`expected at least ${minArtifacts} artifact(s), got ${report.artifacts.length}`);
  }
  for (const a of report.artifacts) {
    const own = findingsOf(report, a);
    const name = a.path;
    if (a.verdict === 'error' && expect !== 'review') {
      problems.push(
        `${name}: verdict 'error' (${a.error ?? 'no message'}); a scan must not fail on this input`,
      );
      continue;
    }
    switch (expect) {
      case 'unsafe':
        if (!own.some((f) => atLeast(f.severity, 'high')))
          problems.push(`${name}: no finding at high or critical`);
        if (a.verdict !== 'unsafe') problems.push(`${name}: verdict '${a.verdict}', expected 'unsafe'`);
        break;
      case 'suspicious':
        if (!own.some((f) => atLeast(f.severity, 'medium')))
          problems.push(`${name}: no finding at medium or above`);
        if (a.verdict !== 'suspicious' && a.verdict !== 'unsafe') {
          problems.push(`${name}: verdict '${a.verdict}', expected 'suspicious' or 'unsafe'`);
        }
        break;
      case 'safe': {
        const loud = own.filter((f) => atLeast(f.severity, 'medium'));
        if (loud.length > 0) {
          problems.push(
            `${name}: ${loud.length} finding(s) at medium or above: ${loud.map((f) => f.ruleId).join(', ')}`,
          );
        }
        if (a.verdict !== 'safe') problems.push(`${name}: verdict '${a.verdict}', expected 'safe'`);
        break;
      }
      case 'review':
        if (a.verdict === 'error' && (a.error === undefined || a.error.trim() === '')) {
          problems.push(`${name}: verdict 'error' without a message`);
        }
        if (a.format.length === 0)
          problems.push(`${name}: artifact has no format (must say what the file is)`);
        break;
    }
    if (mustMention !== undefined && expect !== 'safe' && !own.some((f) => mentions(f, mustMention))) {
      problems.push(`${name}: no finding's message or evidence mentions '${mustMention}'`);
    }
  }
  return problems;
}
