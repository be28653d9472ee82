import type { AttackReport } from './types.js';

export const ATTACK_SCHEMA_ID = 'https://modelguard.dev/schemas/attack-v1.json';

/** The JSON attack report: two-space indent, trailing newline. Validates against schemas/attack.schema.json. */
export function renderAttackJson(report: AttackReport): string {
  return `${JSON.stringify({ $schema: ATTACK_SCHEMA_ID, ...report }, null, 2)}\n`;
}
