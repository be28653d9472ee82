import { fmtBytes } from '../../core/format-number.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import type { AuditBom, SignatureCheck } from '../../provenance/audit/types.js';
import { bomFacts } from '../audit/bom-facts.js';
import { signatureHeadline } from '../audit/signature-text.js';
import { type Html, html } from './escape.js';
import type { ReportView } from './view.js';

const VERDICT_WORD = { pass: 'PASS', fail: 'FAIL', error: 'ERROR' } as const;

/** The verdict first: PASS/FAIL/ERROR with its reasons, then the notes that do not change it. */
export function banner(view: ReportView): Html {
  return html`<section class="banner ${view.verdict}" id="verdict" role="status">
<p class="verdict" data-verdict="${view.verdict}">${VERDICT_WORD[view.verdict]}</p>
<ul class="reasons">${view.reasons.map((r) => html`<li>${r}</li>`)}</ul>
${view.notes.length > 0 && html`<ul class="notes">${view.notes.map((n) => html`<li>${n}</li>`)}</ul>`}
</section>`;
}

/** Key numbers at a glance. */
export function cards(view: ReportView): Html {
  const s = view.scan.summary;
  const count = (x: Severity) => view.findings.filter((f) => f.severity === x).length;
  const sev = SEVERITIES.filter((x) => count(x) > 0);
  const signature = view.signature;
  return html`<div class="cards">
<div class="card"><span class="n">${s.files}</span><span class="l">files scanned</span></div>
<div class="card"><span class="n">${view.findings.length}</span><span class="l">findings</span>
<div class="sev-counts">${sev.map((x) => html`<span class="badge sev-${x}">${count(x)} ${x}</span>`)}</div></div>
<div class="card"><span class="n">${s.byVerdict.unsafe}</span><span class="l">unsafe files</span></div>
${signature && html`<div class="card"><span class="n">${statusWord(signature)}</span><span class="l">signature</span></div>`}
</div>`;
}

function statusWord(c: SignatureCheck): string {
  return c.status === 'present-unverified' ? 'not verified' : c.status;
}

function statusClass(c: SignatureCheck): string {
  if (c.status === 'verified') return 'st-pass';
  if (c.status === 'failed' || (c.status === 'absent' && c.required)) return 'st-fail';
  if (c.status === 'present-unverified' && c.required) return 'st-fail';
  if (c.status === 'error') return 'st-error';
  return 'st-neutral';
}

/** The signature check: status, who signed, what was checked, and each problem. */
export function signatureSection(c: SignatureCheck): Html {
  const facts: Html[] = [];
  const fact = (label: string, value: Html | string | number) =>
    facts.push(html`<dt>${label}</dt><dd>${value}</dd>`);
  if ('signaturePath' in c && c.signaturePath !== null)
    fact('Signature file', html`<code>${c.signaturePath}</code>`);
  if ('result' in c) {
    fact('Method', c.result.method ?? 'unknown');
    if (c.result.signer !== undefined) fact('Signer', c.result.signer);
    fact('Resources matched', c.result.checkedResources);
  }
  const problems =
    'result' in c && c.result.problems.length > 0
      ? html`<table><thead><tr><th>Problem</th><th class="resource">File or shard</th><th>Details</th></tr></thead><tbody>${c.result.problems.map(
          (p) =>
            html`<tr class="problem" data-kind="${p.kind}"><td><span class="badge st-fail">${p.kind}</span></td><td>${p.resource === undefined ? '—' : html`<code>${p.resource}</code>`}</td><td>${p.message}</td></tr>`,
        )}</tbody></table>`
      : '';
  const warnings =
    'result' in c && c.result.warnings.length > 0
      ? html`<h3>Verifier notes</h3><ul>${c.result.warnings.map((w) => html`<li>${w}</li>`)}</ul>`
      : '';
  return html`<section id="signature"><h2>Signature</h2>
<p><span class="badge ${statusClass(c)}" data-status="${c.status}">${statusWord(c)}</span> ${signatureHeadline(c)}</p>
${facts.length > 0 && html`<dl class="facts">${facts}</dl>`}
${problems}${warnings}
</section>`;
}

/** What the model is made of, from its CycloneDX ML-BOM. */
export function bomSection(bom: AuditBom | null): Html {
  if (bom === null) {
    return html`<section id="bom"><h2>Bill of materials</h2><p class="empty">The BOM could not be built (see the verdict).</p></section>`;
  }
  const facts = bomFacts(bom.summary);
  return html`<section id="bom"><h2>Bill of materials</h2>
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<p class="meta">Write the full CycloneDX document with <code>--bom FILE</code>.</p>
</section>`;
}

/** Every scanned file with its formats, size, verdict and digest. */
export function filesSection(view: ReportView): Html {
  const count = new Map<string, number>();
  for (const f of view.findings) count.set(f.location.path, (count.get(f.location.path) ?? 0) + 1);
  const rows = view.scan.artifacts.map(
    (
      a,
    ) => html`<tr data-verdict="${a.verdict}"><td><code>${a.path}</code>${a.error !== undefined && html`<div class="empty">${a.error}</div>`}</td>
<td>${a.format.join(' › ') || '—'}</td><td class="num">${fmtBytes(a.size)}</td>
<td><span class="badge v-${a.verdict}">${a.verdict}</span></td><td class="num">${count.get(a.path) ?? 0}</td>
<td>${a.sha256 === null ? '—' : html`<code title="${a.sha256}">${a.sha256.slice(0, 16)}…</code>`}</td></tr>`,
  );
  return html`<section id="files"><h2>Scanned files</h2>
<table><thead><tr><th>File</th><th>Format</th><th class="num">Size</th><th>Verdict</th><th class="num">Findings</th><th>SHA-256</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`;
}
