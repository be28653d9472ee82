import { imageGeometry, samplePng } from '../attack/image.js';
import { ATTACK_STYLES } from '../attack/styles.js';
import { type Html, html } from '../html/escape.js';
import { htmlPage } from '../html/page.js';
import { checkLine, className } from './summary.js';
import type { DataReport, DataReportImages } from './types.js';

/** Suspects listed in the HTML table. */
export const HTML_SUSPECTS = 200;

const DATA_STYLES = `${ATTACK_STYLES}
.samples { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 10px; }
.sample { border: 1px solid var(--border); border-radius: 8px; padding: 8px; background: var(--bg-soft); margin: 0; text-align: center; }
.sample img { image-rendering: pixelated; image-rendering: crisp-edges; border: 1px solid var(--border); width: 96px; height: auto; }
.sample figcaption { font-size: 12px; color: var(--fg-muted); }
`;

function cards(r: DataReport): Html {
  const card = (n: string, l: string, cls = '') =>
    html`<div class="card ${cls}"><span class="n">${n}</span><span class="l">${l}</span></div>`;
  const over = r.failOnSuspects !== null && r.suspects.length > r.failOnSuspects;
  return html`<div class="cards">
${card(String(r.dataset.samples), 'samples')}
${card(String(r.dataset.classes), 'classes')}
${card(String(r.suspects.length), 'suspects', over ? 'st-fail' : '')}
${card(`${((r.suspects.length / Math.max(1, r.dataset.samples)) * 100).toFixed(1)}%`, 'share flagged')}
</div>`;
}

function checksTable(r: DataReport): Html {
  return html`<table id="checks"><thead><tr><th>check</th><th class="num">flagged</th><th>summary</th></tr></thead>
<tbody>${r.checks.map((c) => {
    const s = r.summaries[c];
    return html`<tr><td>${c}</td><td class="num">${s ? s.flagged : 0}</td><td>${checkLine(r, c)}</td></tr>`;
  })}</tbody></table>`;
}

function classTable(r: DataReport): Html | false {
  const b = r.summaries.balance;
  if (!b) return false;
  return html`<section id="classes"><h2>Classes</h2>
<p class="meta">Largest over smallest class: ${b.imbalanceRatio.toFixed(2)}${b.emptyClasses.length ? ` · empty: ${b.emptyClasses.join(', ')}` : ''}</p>
<table><thead><tr><th>class</th><th class="num">samples</th><th class="num">share</th><th class="num">mean norm</th><th class="num">suspects</th></tr></thead>
<tbody>${b.classes.map(
    (k) =>
      html`<tr><td>${className(r, k.index)}</td><td class="num">${k.count}</td><td class="num">${(k.share * 100).toFixed(1)}%</td><td class="num">${k.meanNorm.toPrecision(4)}</td><td class="num">${k.suspects}</td></tr>`,
  )}</tbody></table></section>`;
}

function imagesSection(r: DataReport, images: DataReportImages | null): Html | false {
  if (!images || images.samples.length === 0) return false;
  const g = imageGeometry(images.sampleShape, images.layout);
  if (g === null) return false;
  const reasons = new Map(r.suspects.map((s) => [s.index, s]));
  return html`<section id="images"><h2>Flagged samples</h2>
<p class="meta">The ${images.samples.length} highest-scoring suspects.</p>
<div class="samples">${images.samples.map((s) => {
    const sus = reasons.get(s.index);
    return html`<figure class="sample"><img src="${samplePng(g, s.data, images.min, images.max)}" alt="sample ${s.index}"><figcaption>#${s.index} · label ${className(r, sus?.label ?? 0)}<br>${sus?.reasons.join(', ') ?? ''}</figcaption></figure>`;
  })}</div></section>`;
}

function suspectsTable(r: DataReport): Html {
  if (r.suspects.length === 0) return html`<p class="empty">No suspects.</p>`;
  const shown = r.suspects.slice(0, HTML_SUSPECTS);
  const texts = shown.some((s) => s.text !== undefined);
  return html`<table id="suspects"><thead><tr><th class="num">index</th><th>label</th><th class="num">score</th><th>reasons</th>${texts ? html`<th>text</th>` : false}</tr></thead>
<tbody>${shown.map(
    (s) =>
      html`<tr><td class="num">${s.index}</td><td>${className(r, s.label)}</td><td class="num">${s.score.toFixed(3)}</td><td>${s.reasons.join(', ')}</td>${texts ? html`<td class="text">${s.text ?? ''}</td>` : false}</tr>`,
  )}</tbody></table>${r.suspects.length > shown.length ? html`<p class="meta">… ${r.suspects.length - shown.length} more in the JSON report.</p>` : false}`;
}

function facts(r: DataReport): Html {
  const rows: [string, string][] = [
    ['dataset', r.dataset.path],
    [
      'format',
      `${r.dataset.format}${r.dataset.sampleShape.length ? ` [${r.dataset.sampleShape.join(', ')}]` : ''}`,
    ],
    ['seed', String(r.seed)],
    ['folds', String(r.folds)],
  ];
  if (r.model) {
    rows.push(['model', r.model.path], ['sha256', r.model.sha256]);
    rows.push(['embedding', `${r.model.embeddingLayer} (${r.model.embeddingDims} dims)`]);
  }
  if (r.exportClean)
    rows.push([
      'clean copy',
      `${r.exportClean.path} (${r.exportClean.kept} kept, ${r.exportClean.removed} removed)`,
    ]);
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${k === 'sha256' ? html`<code>${v}</code>` : v}</dd>`)}</dl>`;
}

/**
 * One self-contained HTML page for `modelguard data`: headline counts, one row per check, the per-class
 * table, the top flagged samples drawn as PNG data URIs (image datasets), the suspects and the run's facts.
 * Inline CSS only, no script, every value escaped, a strict Content-Security-Policy.
 */
export function renderDataHtml(report: DataReport, images: DataReportImages | null = null): string {
  const title = `Data check of ${report.dataset.path}: ${report.suspects.length} suspects`;
  const body = html`<header>
<div class="masthead"><h1>modelguard data report</h1></div>
<p class="meta"><code>${report.dataset.path}</code> · modelguard ${report.tool.version} · ${(report.durationMs / 1000).toFixed(1)} s</p>
</header>
<main>
${cards(report)}
<section id="checks-section"><h2>Checks</h2>
${checksTable(report)}
</section>
${classTable(report)}
${imagesSection(report, images)}
<section id="suspects-section"><h2>Suspects</h2>
${suspectsTable(report)}
</section>
<section id="run"><h2>Run</h2>
${facts(report)}
</section>
</main>
<footer>Generated by modelguard ${report.tool.version}. A suspect is a sample some check flagged; review it before removing it.</footer>`;
  return htmlPage({ title, version: report.tool.version, styles: DATA_STYLES, body });
}
