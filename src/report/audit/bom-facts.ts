import { fmtBytes } from '../../core/format-number.js';
import type { BomSummaryLike } from '../../provenance/audit/types.js';

/** Label and value of each fact of a BOM summary, in display order (text and HTML reports). */
export function bomFacts(summary: BomSummaryLike): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(summary)) {
    out.push([key, key === 'bytes' && typeof value === 'number' ? fmtBytes(value) : show(value)]);
  }
  return out;
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (Array.isArray(v)) return v.length === 0 ? '—' : v.map(show).join(', ');
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}: ${show(x)}`)
      .join(', ');
  }
  return String(v);
}
