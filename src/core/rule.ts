import type { Severity } from './severity.js';

/** Static description of one rule. Every finding refers to exactly one rule. */
export interface RuleMeta {
  /** `<format>/<rule>`. */
  id: string;
  /** One line, used as the SARIF rule name and the docs heading. */
  title: string;
  /** What the rule detects and why it matters. */
  description: string;
  /** Severity used when the scanner does not decide otherwise. */
  severity: Severity;
  cwe: readonly string[];
  atlas: readonly string[];
  owasp: readonly string[];
  /** What the user should do. */
  remediation: string;
}

/** Defines a group of rules keyed by id; keeps literal ids for type-safe lookups. */
export function defineRules<const T extends Record<string, Omit<RuleMeta, 'id'>>>(
  rules: T,
): { readonly [K in keyof T]: RuleMeta & { id: K & string } } {
  const out: Record<string, RuleMeta> = {};
  for (const [id, meta] of Object.entries(rules)) out[id] = { id, ...meta };
  return out as { readonly [K in keyof T]: RuleMeta & { id: K & string } };
}
