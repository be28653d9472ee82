import type { Finding } from '../../core/finding.js';
import type { RuleMeta } from '../../core/rule.js';
import { SEVERITIES, type Severity } from '../../core/severity.js';
import { type Html, html } from './escape.js';
import type { ReportView } from './view.js';

const SEVERITY_NAME: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Informational',
};

/** Link to a taxonomy entry; ids come from rule metadata, and only well-formed ones become links. */
function taxonomyLink(id: string): Html {
  const cwe = /^CWE-(\d{1,5})$/.exec(id);
  if (cwe)
    return html`<a href="https://cwe.mitre.org/data/definitions/${cwe[1]}.html" rel="noopener noreferrer">${id}</a>`;
  if (/^AML\.T\d{4}(\.\d{3})?$/.test(id)) {
    return html`<a href="https://atlas.mitre.org/techniques/${id}" rel="noopener noreferrer">${id}</a>`;
  }
  return html`${id}`;
}

/** Rule prose (trusted metadata, still escaped): `backticked` spans become code. */
function prose(text: string): Html {
  return html`${text.split('`').map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part))}`;
}

function severityBadge(s: Severity): Html {
  return html`<span class="badge sev-${s}">${s}</span>`;
}

function location(f: Finding): Html {
  const parts: Html[] = [html`<code>${f.location.path}</code>`];
  if (f.location.member !== undefined) parts.push(html` › <code>${f.location.member}</code>`);
  if (f.location.line !== undefined) parts.push(html` · line ${f.location.line}`);
  if (f.location.offset !== undefined) parts.push(html` · offset ${f.location.offset}`);
  return html`<p class="loc">${parts}</p>`;
}

function occurrence(f: Finding): Html {
  return html`<li class="finding" data-severity="${f.severity}" data-rule="${f.ruleId}">
<p class="message">${f.message}</p>
${location(f)}
${f.evidence !== undefined && html`<pre class="evidence"><code>${f.evidence}</code></pre>`}
</li>`;
}

function explanation(rule: RuleMeta | undefined, sample: Finding): Html {
  const ids = [...sample.cwe, ...sample.atlas, ...sample.owasp];
  return html`<div class="explain">
${
  rule &&
  html`<p><span class="label">Why it matters.</span> ${prose(rule.description)}</p>
<p><span class="label">What to do.</span> ${prose(rule.remediation)}</p>`
}
${ids.length > 0 && html`<ul class="tags" aria-label="Taxonomy">${ids.map((id) => html`<li>${taxonomyLink(id)}</li>`)}</ul>`}
</div>`;
}

/** One rule's findings at one severity: the rule explained once, then each occurrence. */
function ruleGroup(ruleId: string, severity: Severity, list: readonly Finding[], view: ReportView): Html {
  const rule = view.rules.get(ruleId);
  const first = list[0] as Finding;
  return html`<article class="rule" data-rule="${ruleId}">
<header>${severityBadge(severity)}<h4>${rule?.title ?? ruleId}</h4><code class="rule-id">${ruleId}</code><span class="count">${list.length} ${list.length === 1 ? 'occurrence' : 'occurrences'}</span></header>
${explanation(rule, first)}
<ol class="occurrences">${list.map(occurrence)}</ol>
</article>`;
}

function groupByRule(list: readonly Finding[]): Map<string, Finding[]> {
  const out = new Map<string, Finding[]>();
  for (const f of list) {
    const g = out.get(f.ruleId) ?? [];
    g.push(f);
    out.set(f.ruleId, g);
  }
  return out;
}

/** Findings grouped by severity (worst first), then by rule; informational ones folded away. */
export function findingsSection(view: ReportView): Html {
  const bySeverity = SEVERITIES.map((s) => [s, view.findings.filter((f) => f.severity === s)] as const);
  const present = bySeverity.filter(([, list]) => list.length > 0);
  const groups = present.map(([s, list]) => {
    const rules = [...groupByRule(list)].map(([id, fs]) => ruleGroup(id, s, fs, view));
    const heading = html`<h3>${SEVERITY_NAME[s]} <span class="badge sev-${s}">${list.length}</span></h3>`;
    if (s === 'info') {
      return html`<section class="sev-group" data-severity="info"><details class="info-group"><summary>${heading}</summary>${rules}</details></section>`;
    }
    return html`<section class="sev-group" data-severity="${s}">${heading}${rules}</section>`;
  });
  const toolbar = html`<div class="toolbar" id="filters" hidden>${present.map(
    ([s]) => html`<label><input type="checkbox" value="${s}" checked> ${SEVERITY_NAME[s]}</label>`,
  )}<input type="search" placeholder="Filter findings by text" aria-label="Filter findings by text"></div>`;
  return html`<section id="findings"><h2>Findings</h2>
${present.length === 0 ? html`<p class="empty">No findings.</p>` : html`${toolbar}${groups}`}
</section>`;
}
