import { type Html, html } from '../html/escape.js';
import type { BackdoorReport } from './types.js';

const W = 640;
const H = 300;
const PAD = { left: 56, right: 16, top: 16, bottom: 44 };

/**
 * The mask norms as an inline SVG bar chart (no script): one bar per class, flagged bars marked, a line at
 * the median and a dashed line at the flagging cut `median − threshold · MAD`.
 */
export function normChart(r: BackdoorReport): Html {
  const n = r.classes.length;
  const max = Math.max(1e-9, ...r.classes.map((c) => c.maskL1), r.median);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, n);
  const yOf = (v: number) => PAD.top + (1 - Math.max(0, v) / max) * plotH;
  const cut = r.median - r.threshold * r.mad;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((t) => t * max);
  const everyLabel = Math.max(1, Math.ceil(n / 40));
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="norms-title" xmlns="http://www.w3.org/2000/svg">
<title id="norms-title">Mask L1 norm per class; median ${r.median.toFixed(2)}${r.flagged.length ? `; flagged ${r.flagged.join(', ')}` : ''}</title>
<g class="grid">${ticks.map(
    (t) =>
      html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${yOf(t).toFixed(1)}" y2="${yOf(t).toFixed(1)}"/><text class="tick" x="${PAD.left - 6}" y="${(yOf(t) + 4).toFixed(1)}" text-anchor="end">${t.toPrecision(3)}</text>`,
  )}</g>
${r.classes.map((c, i) => {
  const x = PAD.left + i * slot + slot * 0.15;
  const y = yOf(c.maskL1);
  return html`<rect class="bar${c.flagged ? ' flagged' : ''}" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${(PAD.top + plotH - y).toFixed(1)}"><title>class ${c.class}: L1 ${c.maskL1.toFixed(2)}, anomaly index ${c.anomalyIndex.toFixed(2)}${c.flagged ? ' (flagged)' : ''}</title></rect>${i % everyLabel === 0 ? html`<text class="tick" x="${(x + slot * 0.35).toFixed(1)}" y="${H - PAD.bottom + 16}" text-anchor="middle">${c.class}</text>` : false}`;
})}
<line class="median" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yOf(r.median).toFixed(1)}" y2="${yOf(r.median).toFixed(1)}"><title>median ${r.median.toFixed(2)}</title></line>
${cut > 0 ? html`<line class="cut" x1="${PAD.left}" x2="${W - PAD.right}" y1="${yOf(cut).toFixed(1)}" y2="${yOf(cut).toFixed(1)}"><title>flagged below ${cut.toFixed(2)} (median − ${r.threshold}·MAD)</title></line>` : false}
<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/>
<line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>
<text class="axis-label" x="${(PAD.left + W - PAD.right) / 2}" y="${H - 6}" text-anchor="middle">class</text>
<text class="axis-label" x="14" y="${(PAD.top + H - PAD.bottom) / 2}" text-anchor="middle" transform="rotate(-90 14 ${(PAD.top + H - PAD.bottom) / 2})">mask L1</text>
</svg>`;
}
