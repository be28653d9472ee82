/**
 * What a person needs from a BOM at a glance (the audit report's BOM section), read back from the
 * CycloneDX document itself so it works for any BOM this module wrote, and reads absent parts as absent.
 */
import type { Severity } from '../../core/severity.js';
import { isObject, list, type PlainObject } from './plain.js';
import { PROP } from './properties.js';
import type { SignatureStatus } from './signature.js';

/** A type alias (not an interface) so it is assignable to index-signature types such as audit's. */
export type BomSummary = {
  readonly specVersion: string;
  readonly name: string;
  readonly version: string | null;
  readonly purl: string | null;
  /** Files listed (and hashed) as components. */
  readonly fileCount: number;
  /** True when the model has more files than the BOM lists. */
  readonly filesTruncated: boolean;
  readonly totalBytes: number;
  /** Distinct formats of the files, in order of first appearance. */
  readonly formats: readonly string[];
  /** Names of the framework and library components (`torch`, `safetensors` …). */
  readonly frameworks: readonly string[];
  readonly datasets: readonly string[];
  /** SPDX ids or licence names, joined with " OR "; null when the card names none. */
  readonly licence: string | null;
  readonly task: string | null;
  readonly architecture: string | null;
  readonly signature: {
    readonly status: SignatureStatus | 'unknown';
    readonly method: string | null;
    readonly signer: string | null;
  };
  readonly vulnerabilities: Readonly<Record<Severity, number>>;
  readonly warnings: readonly string[];
};

const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const STATUSES: readonly string[] = ['verified', 'failed', 'present-unverified', 'absent'];

export function summarizeBom(doc: object): BomSummary {
  const bom = doc as PlainObject;
  const metadata = isObject(bom['metadata']) ? bom['metadata'] : {};
  const model = isObject(metadata['component']) ? metadata['component'] : {};
  const props = properties(model);
  const files = list(model['components'])
    .filter(isObject)
    .filter((c) => c['type'] === 'file');
  const formats: string[] = [];
  for (const f of files) {
    for (const v of properties(f).get(PROP.fileFormat) ?? []) {
      for (const fmt of v.split(', ')) if (!formats.includes(fmt)) formats.push(fmt);
    }
  }
  const components = list(bom['components']).filter(isObject);
  const names = (types: readonly string[]) =>
    components.filter((c) => types.includes(String(c['type']))).map((c) => text(c['name']) ?? '?');
  const card = isObject(model['modelCard']) ? model['modelCard'] : {};
  const params = isObject(card['modelParameters']) ? card['modelParameters'] : {};
  const vulnerabilities = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const v of list(bom['vulnerabilities']).filter(isObject)) {
    const rating = list(v['ratings']).find(isObject);
    const s = rating === undefined ? undefined : rating['severity'];
    if (typeof s === 'string' && (SEVERITIES as readonly string[]).includes(s))
      vulnerabilities[s as Severity]++;
  }
  const status = first(props, PROP.signatureStatus);
  return {
    specVersion: text(bom['specVersion']) ?? '?',
    name: text(model['name']) ?? '?',
    version: text(model['version']) ?? null,
    purl: text(model['purl']) ?? null,
    fileCount: files.length,
    filesTruncated: first(props, PROP.filesTruncated) === 'true',
    totalBytes: Number(first(props, PROP.totalBytes) ?? 0) || 0,
    formats,
    frameworks: names(['framework', 'library']),
    datasets: names(['data']),
    licence: licenceText(model['licenses']),
    task: text(params['task']) ?? null,
    architecture: text(params['modelArchitecture']) ?? text(params['architectureFamily']) ?? null,
    signature: {
      status: status !== undefined && STATUSES.includes(status) ? (status as SignatureStatus) : 'unknown',
      method: first(props, PROP.signatureMethod) ?? null,
      signer: first(props, PROP.signatureSigner) ?? null,
    },
    vulnerabilities,
    warnings: properties(isObject(metadata) ? metadata : {}).get(PROP.warning) ?? [],
  };
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function properties(o: PlainObject): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of list(o['properties']).filter(isObject)) {
    const name = text(p['name']);
    const value = typeof p['value'] === 'string' ? p['value'] : undefined;
    if (name === undefined || value === undefined) continue;
    out.set(name, [...(out.get(name) ?? []), value]);
  }
  return out;
}

function first(props: Map<string, string[]>, name: string): string | undefined {
  return props.get(name)?.[0];
}

function licenceText(v: unknown): string | null {
  const names: string[] = [];
  for (const entry of list(v).filter(isObject)) {
    const expr = text(entry['expression']);
    const lic = isObject(entry['license']) ? entry['license'] : undefined;
    const name = expr ?? (lic === undefined ? undefined : (text(lic['id']) ?? text(lic['name'])));
    if (name !== undefined) names.push(name);
  }
  return names.length > 0 ? names.join(' OR ') : null;
}
