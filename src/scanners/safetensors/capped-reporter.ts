import { fmtInt } from '../../core/format-number.js';
import type { RuleMeta } from '../../core/rule.js';
import type { FindingInput, ScanContext } from '../types.js';

/** Findings of one rule reported per file before the rest are summarised. Stops finding floods. CWE-400. */
export const MAX_FINDINGS_PER_RULE = 20;

/**
 * Reports through a ScanContext, at most MAX_FINDINGS_PER_RULE per rule; `flush()` adds one finding per
 * rule that summarises the rest (`what` names the file kind in that message).
 */
export class CappedReporter {
  private readonly counts = new Map<RuleMeta, number>();
  constructor(
    private readonly ctx: ScanContext,
    private readonly what: string,
  ) {}

  report(rule: RuleMeta, finding: FindingInput): void {
    const n = (this.counts.get(rule) ?? 0) + 1;
    this.counts.set(rule, n);
    if (n <= MAX_FINDINGS_PER_RULE) this.ctx.report(rule, finding);
  }

  flush(): void {
    for (const [rule, n] of this.counts) {
      if (n > MAX_FINDINGS_PER_RULE)
        this.ctx.report(rule, {
          message: `${fmtInt(n - MAX_FINDINGS_PER_RULE)} more '${rule.id}' findings in this ${this.what} were not listed`,
        });
    }
    this.counts.clear();
  }
}
