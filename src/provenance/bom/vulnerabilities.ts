/**
 * Scan findings as CycloneDX vulnerabilities: id = rule id + location, rated by modelguard with the
 * finding's severity, CWE numbers, the rule's remediation as recommendation, MITRE ATLAS and OWASP ids
 * as references, and `affects` pointing at the file's component. Info findings (call lists and other
 * notes) are not weaknesses and stay out.
 */
import { resolve } from 'node:path';
import { Enums, Models } from '@cyclonedx/cyclonedx-library';
import type { Finding } from '../../core/finding.js';
import type { RuleMeta } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { clip } from './card-sections.js';
import { PROP } from './properties.js';

const SEVERITY: Readonly<Record<Severity, Enums.Vulnerability.Severity>> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  info: Enums.Vulnerability.Severity.Info,
};

const MODELGUARD = (): Models.Vulnerability.Source => new Models.Vulnerability.Source({ name: 'modelguard' });

/** Where each taxonomy's ids are documented, by id prefix. */
const TAXONOMIES: readonly { test: RegExp; source: (id: string) => Models.Vulnerability.Source }[] = [
  {
    test: /^AML\.T\d{4}(?:\.\d{3})?$/,
    source: (id) =>
      new Models.Vulnerability.Source({
        name: 'MITRE ATLAS',
        url: `https://atlas.mitre.org/techniques/${id}`,
      }),
  },
  {
    test: /^ML\d{2}:2023$/,
    source: () =>
      new Models.Vulnerability.Source({
        name: 'OWASP Machine Learning Security Top 10',
        url: 'https://owasp.org/www-project-machine-learning-security-top-10/',
      }),
  },
  {
    test: /^LLM\d{2}:2025$/,
    source: () =>
      new Models.Vulnerability.Source({
        name: 'OWASP Top 10 for LLM Applications 2025',
        url: 'https://genai.owasp.org/llm-top-10/',
      }),
  },
];

export interface VulnerabilityContext {
  /** Component bom-ref of each listed file, by absolute path. */
  readonly fileRefs: ReadonlyMap<string, Models.BomRef>;
  /** File name (as listed) by absolute path, for ids. */
  readonly fileNames: ReadonlyMap<string, string>;
  /** The model component's bom-ref: what a finding outside any listed file affects. */
  readonly modelRef: Models.BomRef;
  readonly rules: ReadonlyMap<string, RuleMeta>;
  readonly maxTextChars: number;
}

export function toVulnerabilities(
  findings: readonly Finding[],
  ctx: VulnerabilityContext,
): Models.Vulnerability.Vulnerability[] {
  const out: Models.Vulnerability.Vulnerability[] = [];
  for (const f of findings) {
    if (f.severity === 'info') continue;
    const abs = resolve(f.location.path);
    const file = ctx.fileNames.get(abs) ?? f.location.path;
    const where =
      file +
      (f.location.member === undefined ? '' : `!/${f.location.member}`) +
      (f.location.offset === undefined ? '' : `#${f.location.offset}`);
    const rule = ctx.rules.get(f.ruleId);
    const v = new Models.Vulnerability.Vulnerability({
      bomRef: `finding-${out.length + 1}`,
      id: `${f.ruleId}@${where}`,
      source: MODELGUARD(),
      description: f.message,
      ...(f.evidence === undefined ? {} : { detail: clip(f.evidence, ctx.maxTextChars) }),
      ...(rule === undefined ? {} : { recommendation: rule.remediation }),
    });
    v.ratings.add(new Models.Vulnerability.Rating({ source: MODELGUARD(), severity: SEVERITY[f.severity] }));
    for (const cwe of f.cwe) {
      const n = /^CWE-(\d+)$/.exec(cwe);
      if (n !== null && Number(n[1]) > 0) v.cwes.add(Number(n[1]));
    }
    for (const id of [...f.atlas, ...f.owasp]) {
      const taxonomy = TAXONOMIES.find((t) => t.test.test(id));
      if (taxonomy !== undefined)
        v.references.add(new Models.Vulnerability.Reference(id, taxonomy.source(id)));
      else v.properties.add(new Models.Property(PROP.findingTaxonomy, id));
    }
    v.properties.add(new Models.Property(PROP.findingRule, f.ruleId));
    v.affects.add(new Models.Vulnerability.Affect(ctx.fileRefs.get(abs) ?? ctx.modelRef));
    out.push(v);
  }
  return out;
}
