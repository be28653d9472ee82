import { readFileSync } from 'node:fs';
import { DEFAULT_LIMITS, type ScanLimits } from '../core/limits.js';
import { isSeverity, type Severity } from '../core/severity.js';
import { createPolicy } from '../scanners/policy/index.js';
import type { Policy } from '../scanners/policy/policy.js';
import { UsageError } from './errors.js';

/** Commander collector for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const OUTPUT_FORMATS = ['text', 'json', 'sarif', 'html'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function parseFormat(v: string): OutputFormat {
  if ((OUTPUT_FORMATS as readonly string[]).includes(v)) return v as OutputFormat;
  throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}; got "${v}"`);
}

export function parseThreshold(v: string, flag: string): Severity | 'never' {
  if (v === 'never' || isSeverity(v)) return v;
  throw new UsageError(`${flag} must be critical, high, medium, low, info or never; got "${v}"`);
}

/** `--limit name=value` entries over the defaults; names are the keys of ScanLimits. */
export function parseLimits(entries: readonly string[]): Partial<ScanLimits> {
  const out: Partial<ScanLimits> = {};
  for (const e of entries) {
    const m = /^([A-Za-z]+)=(\d+)$/.exec(e);
    if (!m) throw new UsageError(`--limit expects name=integer, got "${e}"`);
    const name = m[1] as string;
    if (!(name in DEFAULT_LIMITS)) {
      throw new UsageError(
        `unknown limit "${name}"; known limits: ${Object.keys(DEFAULT_LIMITS).join(', ')}`,
      );
    }
    out[name as keyof ScanLimits] = Number(m[2]);
  }
  return out;
}

/** The policy from `--policy FILE` and `--unknown-severity`. The file schema (zod) loads only when needed. */
export async function buildPolicy(
  file: string | undefined,
  unknownSeverity: string | undefined,
): Promise<Policy> {
  let options = {};
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read policy file ${file}: ${(e as Error).message}`);
    }
    const { loadPolicyFile } = await import('../scanners/policy/policy-file.js');
    try {
      options = loadPolicyFile(text, file);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  if (unknownSeverity !== undefined) {
    if (!isSeverity(unknownSeverity)) {
      throw new UsageError(
        `--unknown-severity must be critical, high, medium, low or info; got "${unknownSeverity}"`,
      );
    }
    options = { ...options, unknownSeverity };
  }
  return createPolicy(options);
}
