import type { RuleMeta } from '../../core/rule.js';
import type { AuditReport } from '../../provenance/audit/types.js';
import { renderSarif, type SarifOptions } from '../sarif.js';
import { REPORT_RULES } from './report-rules.js';

interface SarifRun {
  automationDetails?: { id: string };
  invocations?: { executionSuccessful: boolean }[];
  properties?: Record<string, unknown>;
}

/**
 * SARIF 2.1.0 for an audit: the scan's results and the signature check's provenance results
 * (`provenance/file-modified` …) in one run, rendered by the same code as `scan --format sarif`; the
 * run is categorised `modelguard/audit/` and carries the verdict and signature status.
 */
export function renderAuditSarif(
  r: AuditReport,
  opts: SarifOptions,
  rules: readonly RuleMeta[] = REPORT_RULES,
): string {
  const findings = [...r.scan.findings, ...r.provenanceFindings];
  const log = JSON.parse(renderSarif({ ...r.scan, findings }, rules, opts)) as { runs: SarifRun[] };
  const ranCleanly = r.scan.summary.byVerdict.error === 0 && r.signature.status !== 'error' && r.bom !== null;
  for (const run of log.runs) {
    run.automationDetails = { id: 'modelguard/audit/' };
    run.invocations = [{ executionSuccessful: ranCleanly }];
    run.properties = { verdict: r.verdict, reasons: r.reasons, signature: r.signature.status };
  }
  return `${JSON.stringify(log, null, 2)}\n`;
}
