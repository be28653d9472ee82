import { createHash } from 'node:crypto';
import { relative, sep } from 'node:path';
import type { Finding } from '../core/finding.js';
import type { RuleMeta } from '../core/rule.js';
import type { Severity } from '../core/severity.js';
import type { ScanReport } from '../scanners/report-model.js';

/** GitHub code scanning bands: >9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low. */
const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '2.0',
  info: undefined,
};
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

export interface SarifOptions {
  /** Directory that result URIs are made relative to (the repository root in CI). */
  baseDir: string;
}

function uriOf(path: string, baseDir: string): string {
  const rel = relative(baseDir, path);
  const p = rel.startsWith('..') ? path : rel;
  return p.split(sep).join('/');
}

function ruleTags(rule: RuleMeta): string[] {
  const tags = ['security', ...rule.cwe.map((c) => `external/cwe/${c.toLowerCase()}`)];
  for (const a of rule.atlas) tags.push(`atlas/${a}`);
  for (const o of rule.owasp) tags.push(`owasp/${o}`);
  return tags.slice(0, 20);
}

function sarifRule(rule: RuleMeta) {
  const securitySeverity = SECURITY_SEVERITY[rule.severity];
  return {
    id: rule.id,
    name: rule.id.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description.slice(0, 1024) },
    help: {
      text: `${rule.description}\n\nRemediation: ${rule.remediation}`,
      markdown: `${rule.description}\n\n**Remediation:** ${rule.remediation}\n\nCWE: ${rule.cwe.join(', ') || '-'} · ATLAS: ${rule.atlas.join(', ') || '-'} · OWASP: ${rule.owasp.join(', ') || '-'}`,
    },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ruleTags(rule),
      precision: 'high',
      ...(securitySeverity === undefined ? {} : { 'security-severity': securitySeverity }),
    },
  };
}

function fingerprint(f: Finding, uri: string): string {
  return createHash('sha256')
    .update(`${f.ruleId}\0${uri}\0${f.location.member ?? ''}\0${f.location.offset ?? ''}\0${f.message}`)
    .digest('hex')
    .slice(0, 32);
}

/** SARIF 2.1.0 log with one run, as GitHub code scanning expects it. */
export function renderSarif(report: ScanReport, rules: readonly RuleMeta[], opts: SarifOptions): string {
  const used = new Set(report.findings.map((f) => f.ruleId));
  const driverRules = rules.filter((r) => used.has(r.id));
  const index = new Map(driverRules.map((r, i) => [r.id, i]));
  const artifacts = report.artifacts.map((a) => ({
    location: { uri: uriOf(a.path, opts.baseDir) },
    length: a.size,
    ...(a.sha256 ? { hashes: { 'sha-256': a.sha256 } } : {}),
    properties: { format: a.format, verdict: a.verdict },
  }));
  const artifactIndex = new Map(report.artifacts.map((a, i) => [a.path, i]));
  const results = report.findings.map((f) => {
    const uri = uriOf(f.location.path, opts.baseDir);
    const where = [
      f.location.member ? `member ${f.location.member}` : '',
      f.location.offset !== undefined ? `offset ${f.location.offset}` : '',
    ]
      .filter((s) => s)
      .join(', ');
    const ai = artifactIndex.get(f.location.path);
    const ri = index.get(f.ruleId);
    return {
      ruleId: f.ruleId,
      ...(ri === undefined ? {} : { ruleIndex: ri }),
      level: LEVEL[f.severity],
      message: {
        text: `${f.message}${where ? ` (${where})` : ''}${f.evidence ? `\nEvidence: ${f.evidence}` : ''}`,
      },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri, ...(ai === undefined ? {} : { index: ai }) },
            // A line belongs to the innermost member; on the archive itself it would point at the wrong text.
            region: { startLine: f.location.member === undefined ? (f.location.line ?? 1) : 1 },
          },
          ...(f.location.member
            ? { logicalLocations: [{ fullyQualifiedName: f.location.member, kind: 'member' }] }
            : {}),
        },
      ],
      partialFingerprints: { 'modelguard/v1': fingerprint(f, uri) },
      properties: {
        severity: f.severity,
        ...(f.location.offset === undefined ? {} : { offset: f.location.offset }),
        ...(f.location.line === undefined ? {} : { line: f.location.line }),
        ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
        cwe: f.cwe,
        atlas: f.atlas,
        owasp: f.owasp,
      },
    };
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'modelguard',
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules: driverRules.map(sarifRule),
          },
        },
        automationDetails: { id: 'modelguard/scan/' },
        invocations: [{ executionSuccessful: report.summary.byVerdict.error === 0 }],
        artifacts,
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
