import type { Finding } from '../../core/finding.js';
import type { RuleMeta } from '../../core/rule.js';
import type { AuditBom, AuditReport, AuditVerdict, SignatureCheck } from '../../provenance/audit/types.js';
import { scanVerdict } from '../../provenance/audit/verdict.js';
import type { ScanReport } from '../../scanners/report-model.js';
import { REPORT_RULES } from '../audit/report-rules.js';

/** Everything a report page shows, for an audit or a plain scan. */
export interface ReportView {
  readonly kind: 'audit' | 'scan';
  readonly version: string;
  readonly targets: readonly string[];
  readonly verdict: AuditVerdict;
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
  /** Scan findings, then the provenance findings of the signature check. */
  readonly findings: readonly Finding[];
  readonly scan: ScanReport;
  /** Audit only. */
  readonly signature?: SignatureCheck;
  /** Audit only; null when the BOM could not be built. */
  readonly bom?: AuditBom | null;
  readonly durationMs: number;
  readonly rules: ReadonlyMap<string, RuleMeta>;
}

export function isAuditReport(r: ScanReport | AuditReport): r is AuditReport {
  return 'scan' in r && 'signature' in r;
}

export function toView(r: ScanReport | AuditReport, rules: readonly RuleMeta[] = REPORT_RULES): ReportView {
  const byId = new Map(rules.map((x) => [x.id, x]));
  if (isAuditReport(r)) {
    return {
      kind: 'audit',
      version: r.tool.version,
      targets: [r.target],
      verdict: r.verdict,
      reasons: r.reasons,
      notes: r.notes,
      findings: [...r.scan.findings, ...r.provenanceFindings],
      scan: r.scan,
      signature: r.signature,
      bom: r.bom,
      durationMs: r.durationMs,
      rules: byId,
    };
  }
  const v = scanVerdict(r);
  return {
    kind: 'scan',
    version: r.tool.version,
    targets: r.targets,
    verdict: v.verdict,
    reasons: v.reasons,
    notes: v.notes,
    findings: r.findings,
    scan: r,
    durationMs: r.summary.durationMs,
    rules: byId,
  };
}
