import type { BackdoorReport } from './types.js';

export const BACKDOOR_SCHEMA_ID = 'https://modelguard.dev/schemas/backdoor-v1.json';

/** The JSON backdoor report: two-space indent, trailing newline. Validates against schemas/backdoor.schema.json. */
export function renderBackdoorJson(report: BackdoorReport): string {
  return `${JSON.stringify({ $schema: BACKDOOR_SCHEMA_ID, ...report }, null, 2)}\n`;
}
