import type { RuleMeta } from '../core/rule.js';
import { ENGINE_RULES } from './engine-rules.js';

/** Every rule of every scanner; docs/rules.md and SARIF rule metadata are generated from this list. */
export const ALL_RULES: readonly RuleMeta[] = [...Object.values(ENGINE_RULES)];
