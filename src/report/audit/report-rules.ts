import type { RuleMeta } from '../../core/rule.js';
import { PROVENANCE_RULES } from '../../provenance/audit/rules.js';
import { ALL_RULES } from '../../scanners/rules.js';

/** Every rule an audit can report: the scanners' and the provenance rules of the signature check. */
export const REPORT_RULES: readonly RuleMeta[] = [...ALL_RULES, ...Object.values(PROVENANCE_RULES)];
