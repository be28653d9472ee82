import { createColors } from 'picocolors';
import { percent, queries, seconds, short } from './format.js';
import type { AttackReport } from './types.js';

export interface AttackTextOptions {
  color: boolean;
}

/** Control and bidi characters from file names shown as `[U+…]` so they cannot rewrite the terminal. */
function plain(s: string): string {
  return s.replace(
    /(?![\t])[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu,
    (c) => `[U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );
}

function table(rows: readonly string[][], right: ReadonlySet<number>): string[] {
  const widths = (rows[0] ?? []).map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
  return rows.map((r) =>
    r
      .map((cell, k) => (right.has(k) ? cell.padStart(widths[k] ?? 0) : cell.padEnd(widths[k] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * Human-readable attack report: warnings first, then clean and robust accuracy, one table row per
 * attack × ε, and the accuracy-versus-ε curve as numbers.
 */
export function renderAttackText(r: AttackReport, opts: AttackTextOptions): string {
  const c = createColors(opts.color);
  const out: string[] = [];
  for (const w of r.warnings) out.push(c.yellow(`warning: ${plain(w.message)} [${w.code}]`));
  if (r.warnings.length > 0) out.push('');
  const m = r.model;
  out.push(c.bold(`Adversarial robustness of ${plain(m.path)}`));
  out.push(
    `  model: ${m.format}, input [${m.inputShape.join(', ')}] in [${short(m.clipMin)}, ${short(m.clipMax)}], ${m.classes} classes, sha256 ${m.sha256.slice(0, 16)}…`,
  );
  out.push(`  data: ${plain(r.data.path)} (${r.data.samples} samples) · seed ${r.seed} · norm ${r.norm}`);
  if (r.preset) {
    const skipped = r.preset.skipped.map((s) => `${s.name} (${plain(s.reason)})`).join(', ');
    out.push(
      `  preset: ${r.preset.name} ${r.preset.version} ran ${r.preset.ran.join(', ') || 'nothing'}${skipped ? `; skipped ${skipped}` : ''}`,
    );
  }
  out.push('');
  const worst = r.robustAccuracy;
  const painted =
    r.failUnder !== null && worst < r.failUnder ? c.red(percent(worst)) : c.bold(percent(worst));
  out.push(`  clean accuracy:  ${percent(r.cleanAccuracy)}`);
  out.push(
    `  robust accuracy: ${painted} (worst case over every attack and ε${r.failUnder !== null ? `; --fail-under ${percent(r.failUnder)}` : ''})`,
  );
  out.push('');
  const header = ['attack', 'norm', 'ε', 'robust acc', 'success', 'mean pert', 'queries', 'seconds'];
  const rows = r.attacks.map((a) => [
    a.name,
    a.norm,
    short(a.eps),
    percent(a.robustAccuracy),
    `${percent(a.successRate)} (${a.fooled}/${a.attacked})`,
    short(a.meanPerturbation),
    queries(a.queries),
    seconds(a.seconds),
  ]);
  const lines = table([header, ...rows], new Set([2, 3, 4, 5, 6, 7]));
  out.push(...lines.map((l, i) => (i === 0 ? c.bold(`  ${l}`) : `  ${l}`)));
  if (r.attacks.length === 0) out.push(c.dim('  (no attack ran)'));
  if (r.curve.eps.length > 1) {
    out.push('', c.bold('  accuracy vs ε'));
    const head = ['ε', ...r.curve.eps.map(short)];
    const curveRows = [
      ['worst case', ...r.curve.worstCase.map(percent)],
      ...r.curve.attacks.map((a) => [a.name, ...a.robustAccuracy.map(percent)]),
    ];
    const right = new Set(head.map((_, k) => k).filter((k) => k > 0));
    out.push(...table([head, ...curveRows], right).map((l) => `  ${l}`));
  }
  out.push('');
  if (r.adversarialFile) out.push(`  adversarial examples written to ${plain(r.adversarialFile)}`);
  out.push(c.dim(`modelguard ${r.tool.version} · ${(r.durationMs / 1000).toFixed(1)} s`));
  return `${out.join('\n')}\n`;
}
