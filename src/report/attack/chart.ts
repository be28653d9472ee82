import { type Html, html } from '../html/escape.js';
import { short } from './format.js';
import type { AttackCurve } from './types.js';

const W = 640;
const H = 340;
const PAD = { left: 56, right: 150, top: 16, bottom: 44 };
/** Colours of the attack lines, in order (CSS classes c0…c7 in the page's stylesheet). */
export const SERIES_CLASSES = 8;

function xOf(eps: number, max: number): number {
  return PAD.left + (max > 0 ? eps / max : 0) * (W - PAD.left - PAD.right);
}

function yOf(acc: number): number {
  return PAD.top + (1 - Math.max(0, Math.min(1, acc))) * (H - PAD.top - PAD.bottom);
}

function points(eps: readonly number[], values: readonly number[], clean: number, max: number): string {
  const pts = [[0, clean], ...eps.map((e, i) => [e, values[i] ?? 0])] as [number, number][];
  return pts.map(([e, a]) => `${xOf(e, max).toFixed(1)},${yOf(a).toFixed(1)}`).join(' ');
}

/**
 * The accuracy-versus-ε curve as inline SVG (no script, no external fonts): a dashed clean line, one
 * line per attack starting at the clean accuracy at ε = 0, and a wide worst-case line under them. Colours come from
 * the page's stylesheet through classes; every label is escaped.
 */
export function accuracyChart(curve: AttackCurve): Html {
  const max = Math.max(0, ...curve.eps);
  const ticksY = [0, 0.25, 0.5, 0.75, 1];
  const ticksX = [0, ...curve.eps];
  // The worst case is drawn first, wide and translucent, so an attack line on top of it stays visible.
  const series = [
    { label: 'worst case', cls: 'line worst', values: curve.worstCase },
    ...curve.attacks.map((a, i) => ({
      label: a.name,
      cls: `line c${i % SERIES_CLASSES}`,
      values: a.robustAccuracy,
    })),
  ];
  const legendY = (i: number): number => PAD.top + 10 + i * 20;
  const right = W - PAD.right;
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-title" xmlns="http://www.w3.org/2000/svg">
<title id="chart-title">Accuracy versus ε: clean ${short(curve.clean * 100)}%, worst case ${curve.worstCase.map((v) => `${short(v * 100)}%`).join(', ')}</title>
<g class="grid">${ticksY.map(
    (t) =>
      html`<line x1="${PAD.left}" x2="${right}" y1="${yOf(t).toFixed(1)}" y2="${yOf(t).toFixed(1)}"/><text class="tick" x="${PAD.left - 6}" y="${(yOf(t) + 4).toFixed(1)}" text-anchor="end">${Math.round(t * 100)}%</text>`,
  )}${ticksX.map(
    (e) =>
      html`<line class="xtick" x1="${xOf(e, max).toFixed(1)}" x2="${xOf(e, max).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 5}"/><text class="tick" x="${xOf(e, max).toFixed(1)}" y="${H - PAD.bottom + 18}" text-anchor="middle">${short(e)}</text>`,
  )}</g>
<line class="axis" x1="${PAD.left}" x2="${right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>
<text class="axis-label" x="${(PAD.left + right) / 2}" y="${H - 6}" text-anchor="middle">ε</text>
<text class="axis-label" x="14" y="${(PAD.top + H - PAD.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})">accuracy</text>
<polyline class="line clean" points="${xOf(0, max).toFixed(1)},${yOf(curve.clean).toFixed(1)} ${xOf(max, max).toFixed(1)},${yOf(curve.clean).toFixed(1)}"><title>clean ${short(curve.clean * 100)}%</title></polyline>
${series.map(
  (s) =>
    html`<polyline class="${s.cls}" points="${points(curve.eps, s.values, curve.clean, max)}"><title>${s.label}</title></polyline>
${curve.eps.map((e, i) => html`<circle class="${s.cls}" cx="${xOf(e, max).toFixed(1)}" cy="${yOf(s.values[i] ?? 0).toFixed(1)}" r="3"><title>${s.label} ε=${short(e)}: ${short((s.values[i] ?? 0) * 100)}%</title></circle>`)}
`,
)}
<g class="legend">
<line class="line clean" x1="${right + 14}" x2="${right + 38}" y1="${legendY(0)}" y2="${legendY(0)}"/><text x="${right + 44}" y="${legendY(0) + 4}">clean</text>
${series.map(
  (s, i) =>
    html`<line class="${s.cls}" x1="${right + 14}" x2="${right + 38}" y1="${legendY(i + 1)}" y2="${legendY(i + 1)}"/><text x="${right + 44}" y="${legendY(i + 1) + 4}">${s.label}</text>
`,
)}</g>
</svg>`;
}
