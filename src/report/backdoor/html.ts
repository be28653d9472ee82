import { imageGeometry, samplePng } from '../attack/image.js';
import { ATTACK_STYLES } from '../attack/styles.js';
import { type Html, html } from '../html/escape.js';
import { htmlPage } from '../html/page.js';
import { normChart } from './chart.js';
import { verdictLine } from './text.js';
import type { BackdoorReport, BackdoorTriggerImages } from './types.js';

/** Reversed triggers drawn (flagged classes first, then by norm). */
export const HTML_TRIGGERS = 64;

const BACKDOOR_STYLES = `${ATTACK_STYLES}
.chart .bar { fill: #0969da; fill-opacity: .75; }
.chart .bar.flagged { fill: var(--fail); fill-opacity: 1; }
.chart .median { stroke: var(--fg); stroke-width: 1.5; }
.chart .cut { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 6 4; }
tr.flagged td { font-weight: 600; color: var(--fail); }
.triggers { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 12px; }
`;

function cards(r: BackdoorReport): Html {
  const card = (n: string, l: string, cls = '') =>
    html`<div class="card ${cls}"><span class="n">${n}</span><span class="l">${l}</span></div>`;
  return html`<div class="cards">
${card(String(r.classes.length), 'classes examined')}
${card(String(r.flagged.length), 'flagged', r.flagged.length ? 'st-fail' : '')}
${card(r.median.toFixed(2), 'median mask L1')}
${card(`${r.seconds.toFixed(1)} s`, 'time')}
</div>`;
}

function classTable(r: BackdoorReport): Html {
  const asr = r.classes.some((c) => c.asr !== undefined);
  return html`<table id="classes"><thead><tr><th>class</th><th class="num">mask L1</th><th class="num">anomaly index</th><th class="num">success</th><th class="num">steps</th>${asr ? html`<th class="num">stamped ASR</th>` : false}<th>flagged</th></tr></thead>
<tbody>${r.classes.map(
    (c) =>
      html`<tr class="${c.flagged ? 'flagged' : ''}"><td>${c.class}</td><td class="num">${c.maskL1.toFixed(2)}</td><td class="num">${c.anomalyIndex.toFixed(2)}</td><td class="num">${c.success.toFixed(3)}${c.reached ? '' : ' *'}</td><td class="num">${c.steps}${c.earlyStopped ? ' (early stop)' : ''}</td>${asr ? html`<td class="num">${c.asr === undefined ? '' : `${(c.asr * 100).toFixed(1)}%`}</td>` : false}<td>${c.flagged ? 'yes' : ''}</td></tr>`,
  )}</tbody></table>${r.classes.some((c) => !c.reached) ? html`<p class="meta">* did not reach 0.99 success; the last mask is kept.</p>` : false}`;
}

function triggersSection(r: BackdoorReport, images: BackdoorTriggerImages | null): Html | false {
  if (!images || images.triggers.length === 0) return false;
  const g = imageGeometry(images.sampleShape, images.layout);
  const { height, width } = r.geometry;
  const m = imageGeometry(height === 1 ? [width] : [height, width], 'NCHW');
  if (g === null || m === null) return false;
  const lo = images.clipMin;
  const byClass = new Map(r.classes.map((c) => [c.class, c]));
  const pixelOf = (i: number) =>
    images.layout === 'NHWC' ? Math.floor(i / r.geometry.channels) : i % (height * width);
  const order = [...images.triggers]
    .sort(
      (a, b) =>
        Number(byClass.get(b.class)?.flagged) - Number(byClass.get(a.class)?.flagged) ||
        (byClass.get(a.class)?.maskL1 ?? 0) - (byClass.get(b.class)?.maskL1 ?? 0),
    )
    .slice(0, HTML_TRIGGERS);
  return html`<section id="triggers"><h2>Reversed triggers</h2>
<p class="meta">For each class: the mask (white = the trigger replaces the pixel), the pattern, and mask ⊙ pattern (what is stamped). Flagged classes first, then by mask norm.</p>
<div class="triggers">${order.map((t) => {
    const c = byClass.get(t.class);
    const stamped = t.pattern.map((p, i) => lo + (t.mask[pixelOf(i)] ?? 0) * (p - lo));
    return html`<figure class="example${c?.flagged ? ' flagged' : ''}"><div class="imgs">
<figure><img src="${samplePng(m, t.mask, 0, 1)}" alt="mask of class ${t.class}"><figcaption>mask</figcaption></figure>
<figure><img src="${samplePng(g, t.pattern, lo, images.clipMax)}" alt="pattern of class ${t.class}"><figcaption>pattern</figcaption></figure>
<figure><img src="${samplePng(g, stamped, lo, images.clipMax)}" alt="stamped trigger of class ${t.class}"><figcaption>mask ⊙ pattern</figcaption></figure>
</div><p class="caption">class ${t.class}${c ? ` · L1 ${c.maskL1.toFixed(2)} · anomaly ${c.anomalyIndex.toFixed(2)}${c.flagged ? ' · flagged' : ''}` : ''}</p></figure>`;
  })}</div></section>`;
}

function facts(r: BackdoorReport): Html {
  const rows: [string, string][] = [
    [
      'model',
      `${r.model.path} (${r.model.format}, ${r.model.classes} classes, input [${r.model.inputShape.join(', ')}])`,
    ],
    ['sha256', r.model.sha256],
    ['data', `${r.data.path} (${r.data.format}, ${r.data.samples} samples)`],
    [
      'settings',
      `up to ${r.settings.steps} steps of ${r.settings.samples} samples, batch ${r.settings.batch}, seed ${r.settings.seed}`,
    ],
    ['statistics', `median ${r.median.toFixed(3)}, MAD ${r.mad.toFixed(3)}, threshold ${r.threshold}`],
  ];
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${k === 'sha256' ? html`<code>${v}</code>` : v}</dd>`)}</dl>`;
}

/**
 * One self-contained HTML page for `modelguard backdoor`: headline counts, the verdict, a bar chart of the
 * mask norms, the per-class table, the reversed triggers as PNG data URIs and the run's facts. Inline CSS,
 * no script, every value escaped, a strict Content-Security-Policy (htmlPage).
 */
export function renderBackdoorHtml(r: BackdoorReport, images: BackdoorTriggerImages | null = null): string {
  const title = `Backdoor check of ${r.model.path}: ${r.flagged.length ? `class ${r.flagged.join(', ')} flagged` : 'nothing flagged'}`;
  const body = html`<header>
<div class="masthead"><h1>modelguard backdoor report</h1></div>
<p class="meta"><code>${r.model.path}</code> · Neural Cleanse · modelguard ${r.tool.version} · ${r.seconds.toFixed(1)} s</p>
</header>
<main>
${cards(r)}
<p id="verdict">${verdictLine(r)}</p>
${r.warnings.length ? html`<section class="card warn" id="warnings"><h2>Warnings</h2><ul>${r.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>` : false}
<section id="norms"><h2>Trigger norms</h2>
${normChart(r)}
${classTable(r)}
</section>
${triggersSection(r, images)}
<section id="run"><h2>Run</h2>
${facts(r)}
</section>
</main>
<footer>Generated by modelguard ${r.tool.version}. A flagged class is one whose reversed trigger is far smaller than the others'; check it by stamping the trigger (--check-asr) and by retraining or pruning.</footer>`;
  return htmlPage({ title, version: r.tool.version, styles: BACKDOOR_STYLES, body });
}
