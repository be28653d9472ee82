import type { DataReport } from './types.js';

export const DATA_SCHEMA_ID = 'https://modelguard.dev/schemas/data-v1.json';

/** The JSON data report: two-space indent, trailing newline. Validates against schemas/data.schema.json. */
export function renderDataJson(report: DataReport): string {
  return `${JSON.stringify({ $schema: DATA_SCHEMA_ID, ...report }, null, 2)}\n`;
}
