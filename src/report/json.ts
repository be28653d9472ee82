import type { ScanReport } from '../scanners/report-model.js';

/** The JSON report: stable field order, two-space indent, trailing newline. Validates against schemas/report.schema.json. */
export function renderJson(report: ScanReport): string {
  return `${JSON.stringify({ $schema: SCHEMA_ID, ...report }, null, 2)}\n`;
}

export const SCHEMA_ID = 'https://modelguard.dev/schemas/report-v1.json';
