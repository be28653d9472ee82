import { fmtBytes } from '../../core/format-number.js';
import { SEVERITIES } from '../../core/severity.js';
import type { BomSummary } from '../../provenance/bom/index.js';

function listed(items: readonly string[]): string {
  return items.length === 0 ? '—' : items.join(', ');
}

/** Label and value of each fact of a BOM summary, in display order (text and HTML reports). */
export function bomFacts(s: BomSummary): [string, string][] {
  const vulns = SEVERITIES.filter((x) => s.vulnerabilities[x] > 0).map((x) => `${s.vulnerabilities[x]} ${x}`);
  const signature = [
    s.signature.status,
    s.signature.method,
    s.signature.signer && `signer ${s.signature.signer}`,
  ]
    .filter((x): x is string => typeof x === 'string' && x !== '')
    .join(' · ');
  const facts: [string, string][] = [
    ['Name', s.version === null ? s.name : `${s.name} ${s.version}`],
    ['Files', `${s.fileCount}${s.filesTruncated ? ' (more files than the BOM lists)' : ''}`],
    ['Size', fmtBytes(s.totalBytes)],
    ['Hashes', `${s.fileCount} file digest${s.fileCount === 1 ? '' : 's'}`],
    ['Formats', listed(s.formats)],
    ['Frameworks', listed(s.frameworks)],
    ['Datasets', listed(s.datasets)],
    ['Licence', s.licence ?? '—'],
    ['Task', s.task ?? '—'],
    ['Architecture', s.architecture ?? '—'],
    ['Signature', signature],
    ['Vulnerabilities', vulns.length === 0 ? 'none' : vulns.join(', ')],
    ['CycloneDX', s.specVersion],
  ];
  if (s.purl !== null) facts.splice(1, 0, ['Package URL', s.purl]);
  for (const w of s.warnings) facts.push(['Note', w]);
  return facts;
}
