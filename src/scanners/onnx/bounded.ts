import { fmtInt } from '../../core/format-number.js';
import type { RuleMeta } from '../../core/rule.js';
import type { FindingInput, ScanContext } from '../types.js';

/** Findings of one rule reported per model before the rest are summarised. Stops finding floods. CWE-400. */
export const MAX_MODEL_FINDINGS_PER_RULE = 20;

/** Reports through a ScanContext, at most MAX_MODEL_FINDINGS_PER_RULE per rule; `flush()` summarises the rest. */
export class ModelReporter {
  private readonly counts = new Map<RuleMeta, number>();
  constructor(private readonly ctx: ScanContext) {}

  report(rule: RuleMeta, finding: FindingInput): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n <= MAX_MODEL_FINDINGS_PER_RULE) this.ctx.report(rule, finding);
  }

  flush(): void {
    for (const [rule, n] of this.counts) {
      if (n > MAX_MODEL_FINDINGS_PER_RULE) {
        this.ctx.report(rule, {
          message: `${fmtInt(n - MAX_MODEL_FINDINGS_PER_RULE)} more '${rule.id}' findings in this model were not listed`,
        });
      }
    }
    this.counts.clear();
  }
}

/** A name from the model, quoted and cut for messages (control characters escaped by JSON). */
export function quote(s: string, max = 120): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
}

/** The first `max` items joined, with a count of the rest. */
export function listSome(items: readonly string[], max = 8): string {
  const shown = items.slice(0, max).join(', ');
  return items.length > max ? `${shown}, … (${fmtInt(items.length - max)} more)` : shown;
}
