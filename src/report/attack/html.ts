import { type Html, html } from '../html/escape.js';
import { htmlPage } from '../html/page.js';
import { accuracyChart } from './chart.js';
import { percent, queries, seconds, short } from './format.js';
import { differencePng, imageGeometry, samplePng } from './image.js';
import { ATTACK_STYLES } from './styles.js';
import type { AttackExample, AttackReport } from './types.js';

function className(r: AttackReport, k: number): string {
  const name = r.data.classNames?.[k];
  return name === undefined ? String(k) : `${k} (${name})`;
}

function cards(r: AttackReport): Html {
  const fail = r.failUnder !== null && r.robustAccuracy < r.failUnder;
  const card = (n: string, l: string, cls = '') =>
    html`<div class="card ${cls}"><span class="n">${n}</span><span class="l">${l}</span></div>`;
  return html`<div class="cards">
${card(percent(r.cleanAccuracy), 'clean accuracy')}
${card(percent(r.robustAccuracy), 'robust accuracy (worst case)', fail ? 'st-fail' : '')}
${card(`${r.norm} ε ≤ ${short(Math.max(0, ...r.eps))}`, 'threat model')}
${card(String(r.data.samples), 'samples')}
${card(String(r.attacks.length), 'attack runs')}
</div>`;
}

function warnings(r: AttackReport): Html | false {
  if (r.warnings.length === 0) return false;
  return html`<section class="callout warn" id="warnings"><h2>Warnings</h2><ul>${r.warnings.map(
    (w) => html`<li><strong>${w.code}</strong>: ${w.message}</li>`,
  )}</ul></section>`;
}

function facts(r: AttackReport): Html {
  const m = r.model;
  const rows: [string, string][] = [
    ['model', m.path],
    ['format', m.format],
    ['sha256', m.sha256],
    [
      'input',
      `[${m.inputShape.join(', ')}] ${m.layout}, values in [${short(m.clipMin)}, ${short(m.clipMax)}]`,
    ],
    ['classes', String(m.classes)],
    [
      'output',
      m.softmaxOutput ? (m.removedSoftmax ? 'softmax (removed for the attacks)' : 'softmax') : 'logits',
    ],
    [
      'gradients',
      m.gradients ? 'available' : `unavailable${m.gradientUnavailable ? `: ${m.gradientUnavailable}` : ''}`,
    ],
    ['data', `${r.data.path} (${r.data.samples} samples)`],
    ['seed', String(r.seed)],
  ];
  if (r.preset) {
    const skipped = r.preset.skipped.map((s) => `${s.name} (${s.reason})`).join(', ');
    rows.push([
      'preset',
      `${r.preset.name} ${r.preset.version}: ran ${r.preset.ran.join(', ') || 'nothing'}${skipped ? `; skipped ${skipped}` : ''}`,
    ]);
  }
  const s = r.settings;
  const settings = [
    s.steps !== undefined && `steps ${s.steps}`,
    s.stepSize !== undefined && `step size ${short(s.stepSize)}`,
    s.randomStart !== undefined && `random start ${s.randomStart ? 'yes' : 'no'}`,
    s.restarts !== undefined && `restarts ${s.restarts}`,
    s.queries !== undefined && `queries ${s.queries}`,
    `batch ${s.batchSize}`,
  ].filter((x): x is string => typeof x === 'string');
  rows.push(['settings', settings.join(' · ')]);
  if (r.adversarialFile) rows.push(['adversarial examples', r.adversarialFile]);
  return html`<dl class="facts">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${k === 'sha256' || k === 'model' ? html`<code>${v}</code>` : v}</dd>`)}</dl>`;
}

function attackTable(r: AttackReport): Html {
  if (r.attacks.length === 0) return html`<p class="empty">No attack ran.</p>`;
  return html`<table id="results"><thead><tr><th>attack</th><th>norm</th><th class="num">ε</th><th class="num">robust accuracy</th><th class="num">success rate</th><th class="num">mean / median perturbation</th><th class="num">queries / point</th><th class="num">seconds</th></tr></thead>
<tbody>${r.attacks.map(
    (a) =>
      html`<tr><td>${a.name}</td><td>${a.norm}</td><td class="num">${short(a.eps)}</td><td class="num">${percent(a.robustAccuracy)}</td><td class="num">${percent(a.successRate)} (${a.fooled}/${a.attacked})</td><td class="num">${short(a.meanPerturbation)} / ${short(a.medianPerturbation)}</td><td class="num">${queries(a.queries)}</td><td class="num">${seconds(a.seconds)}</td></tr>`,
  )}</tbody></table>`;
}

function examplesSection(r: AttackReport, examples: readonly AttackExample[]): Html | false {
  if (examples.length === 0) return false;
  const g = imageGeometry(r.model.inputShape, r.model.layout);
  if (g === null) {
    return html`<section id="examples"><h2>Examples</h2><p class="empty">Samples of shape [${r.model.inputShape.join(', ')}] are not drawn as images.</p></section>`;
  }
  const { clipMin: lo, clipMax: hi } = r.model;
  return html`<section id="examples"><h2>Examples</h2>
<p class="meta">Original, adversarial, and the difference (grey = unchanged, amplified so the largest change is black or white).</p>
<div class="examples">${examples.map((e) => {
    const diff = differencePng(g, e.original, e.adversarial);
    return html`<figure class="example">
<div class="imgs"><figure><img src="${samplePng(g, e.original, lo, hi)}" alt="original sample ${e.index}"><figcaption>original: ${className(r, e.cleanPrediction)}</figcaption></figure>
<figure><img src="${samplePng(g, e.adversarial, lo, hi)}" alt="adversarial sample ${e.index}"><figcaption>adversarial: ${className(r, e.adversarialPrediction)}</figcaption></figure>
<figure><img src="${diff.uri}" alt="difference for sample ${e.index}"><figcaption>max |δ| ${short(diff.maxAbs)}</figcaption></figure></div>
<figcaption class="caption">sample ${e.index}, label ${className(r, e.label)} · ${e.attack} ${r.norm} ε=${short(e.eps)}</figcaption>
</figure>`;
  })}</div></section>`;
}

/**
 * One self-contained HTML page for an attack run: warnings first, then the headline accuracies, the
 * accuracy-versus-ε chart (inline SVG), the table of attack × ε, a few original / adversarial /
 * difference images (PNG data URIs) and the run's facts. Inline CSS only, no script, no external request,
 * every value escaped, a strict Content-Security-Policy.
 */
export function renderAttackHtml(report: AttackReport, examples: readonly AttackExample[] = []): string {
  const title = `Adversarial robustness of ${report.model.path}: ${percent(report.robustAccuracy)} robust`;
  const body = html`<header>
<div class="masthead"><h1>modelguard attack report</h1></div>
<p class="meta"><code>${report.model.path}</code> · modelguard ${report.tool.version} · ${(report.durationMs / 1000).toFixed(1)} s</p>
</header>
<main>
${warnings(report)}
${cards(report)}
<section id="curve"><h2>Accuracy versus ε</h2>
${accuracyChart(report.curve)}
</section>
<section id="attacks"><h2>Attacks</h2>
${attackTable(report)}
</section>
${examplesSection(report, examples)}
<section id="run"><h2>Run</h2>
${facts(report)}
</section>
</main>
<footer>Generated by modelguard ${report.tool.version}. Robust accuracy counts a point only if it is classified correctly and no attack at any ε fooled it. An attack that fails is a lower bound on robustness, not a proof.</footer>`;
  return htmlPage({ title, version: report.tool.version, styles: ATTACK_STYLES, body });
}
