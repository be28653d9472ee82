import type { RuleMeta } from '../core/rule.js';

/** docs/rules.md, generated from the rule registry (a test keeps the committed file in sync). */
export function renderRulesDoc(rules: readonly RuleMeta[]): string {
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  const out = [
    '# Rules',
    '',
    '<!-- Generated from the rule registry by `npm run docs:rules`; do not edit by hand. -->',
    '',
    `modelguard has ${sorted.length} rules. Each finding names one of them in \`ruleId\`; the severity below is the default (some rules set it per finding, e.g. from the policy).`,
    '',
    '| rule | severity | title | CWE | ATLAS | OWASP |',
    '|---|---|---|---|---|---|',
    ...sorted.map(
      (r) =>
        `| [\`${r.id}\`](#${anchor(r.id)}) | ${r.severity} | ${r.title} | ${r.cwe.join(', ')} | ${r.atlas.join(', ')} | ${r.owasp.join(', ')} |`,
    ),
    '',
  ];
  for (const r of sorted) {
    out.push(
      `## ${r.id}`,
      '',
      `**${r.title}** — default severity \`${r.severity}\`.`,
      '',
      r.description,
      '',
      `*Remediation:* ${r.remediation}`,
      '',
    );
  }
  return out.join('\n');
}

function anchor(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9 -]/g, '');
}
