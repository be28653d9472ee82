import type { Catalogue, Danger, NameRule } from './dangers/index.js';
import type { DangerFamily } from './policy.js';

/**
 * User allow/deny patterns:
 * - `module:name` — one global (name may be dotted: `pkg.mod:Outer.Inner`);
 * - `module:*` — every name in `module` and in its submodules;
 * - `module.sub.*` — shorthand for `module.sub:*`.
 */
export interface GlobalPattern {
  readonly text: string;
  readonly module: string;
  /** undefined: any name in the module and its submodules. */
  readonly name: string | undefined;
}

const SEGMENT = /^[\p{L}_][\p{L}\p{N}_]*$/u;

function validPath(path: string): boolean {
  return path.split('.').every((s) => SEGMENT.test(s));
}

/** Parses a pattern; returns an error message (naming what was expected) instead of throwing. */
export function parsePattern(text: string): GlobalPattern | string {
  const colon = text.indexOf(':');
  if (colon < 0) {
    if (!text.endsWith('.*')) {
      return `"${text}" is not a pattern: expected "module:name", "module:*" or "module.sub.*"`;
    }
    const module = text.slice(0, -2);
    if (!validPath(module)) return `"${text}": "${module}" is not a dotted module path`;
    return { text, module, name: undefined };
  }
  const module = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (!validPath(module)) return `"${text}": "${module}" is not a dotted module path`;
  if (name === '*') return { text, module, name: undefined };
  if (!validPath(name)) {
    return `"${text}": "${name}" is not a name (expected an identifier, a dotted name or "*")`;
  }
  return { text, module, name };
}

/** Allow patterns: exact pairs plus module wildcards (which cover submodules). */
export class AllowPatterns {
  private readonly exact = new Set<string>();
  private readonly wildcard = new Set<string>();
  constructor(patterns: readonly GlobalPattern[]) {
    for (const p of patterns) {
      if (p.name === undefined) this.wildcard.add(p.module);
      else this.exact.add(`${p.module}\0${p.name}`);
    }
  }
  get size(): number {
    return this.exact.size + this.wildcard.size;
  }
  matches(module: string, name: string): boolean {
    if (this.exact.has(`${module}\0${name}`)) return true;
    if (this.wildcard.size === 0) return false;
    let prefix = module;
    for (;;) {
      if (this.wildcard.has(prefix)) return true;
      const dot = prefix.lastIndexOf('.');
      if (dot < 0) return false;
      prefix = prefix.slice(0, dot);
    }
  }
}

export interface DenyRule {
  readonly pattern: GlobalPattern;
  readonly family: DangerFamily;
  readonly reason: string;
}

/** Deny rules become a catalogue of their own, matched with the same attribute-walk windows. */
export function denyCatalogue(rules: readonly DenyRule[]): Catalogue {
  const modules = new Map<string, Danger>();
  const names = new Map<string, NameRule[]>();
  for (const { pattern, family, reason } of rules) {
    const danger: Danger = { family, reason };
    if (pattern.name === undefined) {
      if (!modules.has(pattern.module)) modules.set(pattern.module, danger);
      continue;
    }
    const list = names.get(pattern.module) ?? [];
    list.push({ segs: pattern.name.split('.'), below: false, danger });
    names.set(pattern.module, list);
  }
  const counts = {} as Catalogue['counts'];
  return { modules, names, duplicates: [], counts };
}
