import type { BackdoorReport } from './types.js';

function f(v: number, digits = 2): string {
  return v.toFixed(digits);
}

/** One line saying what was found, shared by the text and HTML reports. */
export function verdictLine(r: BackdoorReport): string {
  if (r.flagged.length === 0)
    return `No class flagged: no reversed trigger is an outlier (anomaly index > ${r.threshold} below the median).`;
  return `Flagged as backdoor target${r.flagged.length > 1 ? 's' : ''}: class ${r.flagged.join(', ')} (anomaly index > ${r.threshold}, trigger smaller than the median).`;
}

/** Plain-text backdoor report: one row per class, the statistics, the verdict. */
export function renderBackdoorText(r: BackdoorReport): string {
  const out: string[] = [];
  out.push(`modelguard backdoor ${r.model.path}`);
  out.push(
    `  Neural Cleanse on ${r.data.samples} samples of ${r.data.path} (${r.settings.samples} per step, batch ${r.settings.batch}, up to ${r.settings.steps} steps, seed ${r.settings.seed}), ${f(r.seconds, 1)} s`,
  );
  out.push(`  mask ${r.geometry.height}×${r.geometry.width}, pattern ${r.geometry.channels} channel(s)`);
  out.push('');
  out.push('  class   mask L1   anomaly  success  steps  flagged');
  for (const c of r.classes)
    out.push(
      `  ${String(c.class).padEnd(5)} ${f(c.maskL1).padStart(9)} ${f(c.anomalyIndex).padStart(9)} ${f(c.success, 3).padStart(8)}${c.reached ? ' ' : '*'} ${String(c.steps).padStart(5)}  ${c.flagged ? 'FLAGGED' : ''}${c.asr === undefined ? '' : ` (stamped trigger success on other classes ${f(c.asr * 100, 1)}%)`}`,
    );
  if (r.classes.some((c) => !c.reached)) out.push('  * did not reach 0.99 success; the last mask is shown');
  out.push('');
  out.push(`  median L1 ${f(r.median)}, MAD ${f(r.mad)} (1.4826 · median absolute deviation)`);
  out.push(verdictLine(r));
  for (const w of r.warnings) out.push(`warning: ${w}`);
  return `${out.join('\n')}\n`;
}
