import { checkLine, className } from './summary.js';
import type { DataReport } from './types.js';

/** Suspects listed in the text report. */
export const TEXT_SUSPECTS = 20;

/** Plain-text data report: the dataset, one line per check, then the top suspects. */
export function renderDataText(r: DataReport): string {
  const out: string[] = [];
  const d = r.dataset;
  out.push(`modelguard data ${d.path}`);
  out.push(
    `  ${d.samples} samples, ${d.classes} classes, ${d.format}${d.sampleShape.length ? ` [${d.sampleShape.join(', ')}]` : ''}`,
  );
  if (r.model)
    out.push(
      `  model ${r.model.path}: embeddings from ${r.model.embeddingLayer} (${r.model.embeddingDims} dims)`,
    );
  out.push('');
  out.push('Checks');
  for (const c of r.checks) out.push(`  ${c.padEnd(11)} ${checkLine(r, c)}`);
  const b = r.summaries.balance;
  if (b) {
    out.push('');
    out.push('Classes');
    for (const k of b.classes)
      out.push(
        `  ${className(r, k.index).padEnd(16)} ${String(k.count).padStart(7)} (${(k.share * 100).toFixed(1)}%)  suspects ${k.suspects}`,
      );
  }
  out.push('');
  out.push(`Suspects: ${r.suspects.length} of ${d.samples} samples`);
  for (const s of r.suspects.slice(0, TEXT_SUSPECTS))
    out.push(
      `  #${String(s.index).padEnd(7)} label ${className(r, s.label).padEnd(12)} score ${s.score.toFixed(3)}  ${s.reasons.join(', ')}`,
    );
  if (r.suspects.length > TEXT_SUSPECTS)
    out.push(`  … ${r.suspects.length - TEXT_SUSPECTS} more (use --format json for all)`);
  if (r.exportClean)
    out.push(
      '',
      `Clean copy: ${r.exportClean.path} (${r.exportClean.kept} kept, ${r.exportClean.removed} removed)`,
    );
  return `${out.join('\n')}\n`;
}
