/** One line per check, shared by the text and HTML data reports. */
import type { DataReport, DataReportCheck } from './types.js';

function f(v: number, digits = 3): string {
  return String(Number(v.toFixed(digits)));
}

/** `labels` → "12 label issues (cross-validated accuracy 0.91, 5 folds on embeddings)". */
export function checkLine(r: DataReport, c: DataReportCheck): string {
  const s = r.summaries;
  const time = (sec: number) => ` [${f(sec, 2)} s]`;
  if (c === 'labels' && s.labels) {
    const l = s.labels;
    if (l.skipped) return `skipped: ${l.skipped}`;
    return `${l.flagged} label issues (out-of-sample accuracy ${f(l.crossValAccuracy)}, ${l.parameters.folds}-fold logistic regression on ${l.parameters.features}, ${l.parameters.dims} dims)${time(l.seconds)}`;
  }
  if (c === 'duplicates' && s.duplicates) {
    const d = s.duplicates;
    return `${d.flagged} flagged: ${d.exactGroups} exact and ${d.nearGroups} near-duplicate groups, ${d.conflictingGroups} with conflicting labels (${d.parameters.mode})${time(d.seconds)}`;
  }
  if (c === 'outliers' && s.outliers) {
    const o = s.outliers;
    if (o.skipped) return `skipped: ${o.skipped}`;
    return `${o.flagged} outliers (isolation forest on ${o.parameters.features}, score ≥ ${f(o.cut)}, mean ${f(o.meanScore)})${time(o.seconds)}`;
  }
  if (c === 'balance' && s.balance) {
    const b = s.balance;
    const empty = b.emptyClasses.length ? `, empty classes ${b.emptyClasses.join(', ')}` : '';
    return `${b.classes.length} classes, largest/smallest ${f(b.imbalanceRatio, 2)}${empty}`;
  }
  const p = c === 'spectral' ? s.spectral : c === 'clustering' ? s.clustering : undefined;
  if (p) {
    const hit = p.classes.filter((k) => k.flagged > 0).map((k) => `${k.label} (${k.flagged}/${k.size})`);
    return `${p.flagged} flagged by ${p.detector} on ${p.layer} (${p.features} features)${hit.length ? `; classes ${hit.join(', ')}` : ''}${time(p.seconds)}`;
  }
  return 'did not run';
}

export function className(r: DataReport, k: number): string {
  const name = r.dataset.classNames?.[k];
  return name === undefined || name === String(k) ? String(k) : `${k} (${name})`;
}
