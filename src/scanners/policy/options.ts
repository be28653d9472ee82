import type { Severity } from '../../core/severity.js';
import { CATALOGUE } from './dangers/index.js';
import { PolicyEngine } from './engine.js';
import { PolicyError } from './errors.js';
import { AllowPatterns, type DenyRule, denyCatalogue, type GlobalPattern, parsePattern } from './patterns.js';
import type { DangerFamily, Policy } from './policy.js';
import { isProfileId, PROFILE_IDS, PROFILES, type ProfileId } from './profiles/index.js';
import { matchCatalogue } from './windows.js';

/** A deny entry with its own family and reason (a plain string takes them from the catalogue, else code-execution). */
export interface DenyEntry {
  pattern: string;
  family?: DangerFamily;
  reason?: string;
}

export interface PolicyOptions {
  /** Extra safe globals (in-house classes). Never overrides the built-in danger catalogue. */
  allow?: string[];
  /** Globals to treat as dangerous; wins over everything, profiles included. */
  deny?: Array<string | DenyEntry>;
  /** Severity of globals in no profile and no danger family (default `medium`). */
  unknownSeverity?: Severity;
  /** Profiles to enable (default: all). `plain` is always enabled. */
  profiles?: string[];
}

function parseAll(texts: readonly string[], field: string, source: string): GlobalPattern[] {
  return texts.map((text, i) => {
    const p = parsePattern(text);
    if (typeof p === 'string') throw new PolicyError(source, `${field}[${i}]`, p);
    return p;
  });
}

function denyRule(entry: string | DenyEntry, pattern: GlobalPattern): DenyRule {
  const explicit: Partial<DenyEntry> = typeof entry === 'string' ? {} : entry;
  const segs = [...pattern.module.split('.'), ...(pattern.name?.split('.') ?? [])];
  const known = matchCatalogue(CATALOGUE, pattern.module.split('.').length, segs);
  return {
    pattern,
    family: explicit.family ?? known?.family ?? 'code-execution',
    reason:
      explicit.reason ??
      `denied by policy (${pattern.text})${known === undefined ? '' : `: ${known.reason}`}`,
  };
}

/** Builds a Policy. Throws PolicyError (code MALFORMED) naming the bad option. */
export function createPolicy(options: PolicyOptions = {}, source = 'options'): Policy {
  const ids: ProfileId[] = ['plain'];
  const requested = options.profiles ?? PROFILE_IDS;
  requested.forEach((id, i) => {
    if (!isProfileId(id)) {
      throw new PolicyError(
        source,
        `profiles[${i}]`,
        `unknown profile "${id}" (expected one of ${PROFILE_IDS.join(', ')})`,
      );
    }
    if (!ids.includes(id)) ids.push(id);
  });
  const allow = new AllowPatterns(parseAll(options.allow ?? [], 'allow', source));
  const denyEntries = options.deny ?? [];
  const denyPatterns = parseAll(
    denyEntries.map((e) => (typeof e === 'string' ? e : e.pattern)),
    'deny',
    source,
  );
  const deny = denyCatalogue(denyPatterns.map((p, i) => denyRule(denyEntries[i] ?? p.text, p)));
  return new PolicyEngine({
    profiles: ids.map((id) => PROFILES[id]),
    allow,
    deny,
    unknownSeverity: options.unknownSeverity ?? 'medium',
  });
}
