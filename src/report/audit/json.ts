import type { AuditReport } from '../../provenance/audit/types.js';

export const AUDIT_SCHEMA_ID = 'https://modelguard.dev/schemas/audit-v1.json';

/** The JSON audit report: two-space indent, trailing newline. Validates against schemas/audit.schema.json. */
export function renderAuditJson(report: AuditReport): string {
  return `${JSON.stringify({ $schema: AUDIT_SCHEMA_ID, ...report }, null, 2)}\n`;
}
