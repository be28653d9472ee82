import type { Severity } from '../../core/severity.js';
import { py3Spelling } from './compat.js';
import { CATALOGUE, type Catalogue, EXEMPTIONS } from './dangers/index.js';
import type { AllowPatterns } from './patterns.js';
import type { DangerFamily, GlobalVerdict, Policy } from './policy.js';
import { PROFILES, type Profile, tableEntries } from './profiles/index.js';
import { matchCatalogue } from './windows.js';

/** A legitimate global is `module.Qualified.Name`; far longer walks are attribute-chain tricks. */
export const MAX_SEGMENTS = 32;
/** Verdicts cached per policy; a hostile file with more distinct globals just starts a fresh cache. */
export const CACHE_LIMIT = 65_536;

const DUNDER = /^__.+__$/;
/** Top-level modules whose dunder name is legitimate: scripts' classes, Python 2 builtins, __future__. */
const DUNDER_MODULES = new Set(['__main__', '__builtin__', '__future__']);
/**
 * Builtins that no module re-exports for a good reason: `module.eval` is flagged whatever the module
 * (one that did `from builtins import *`). Names that are also
 * ordinary methods (compile, open, system) are not here: re.compile, Image.open are no evaluators.
 */
const BARE_BUILTINS = new Map<string, DangerFamily>([
  ['eval', 'code-execution'],
  ['exec', 'code-execution'],
  ['execfile', 'code-execution'],
  ['getattr', 'import-trampoline'],
  ['setattr', 'import-trampoline'],
  ['delattr', 'import-trampoline'],
]);
/** A segment Python's import / getattr could resolve: non-empty, no whitespace or control characters. */
const SEGMENT = /^[^\s\p{Cc}]+$/u;

export interface EngineConfig {
  readonly profiles: readonly Profile[];
  readonly allow: AllowPatterns;
  readonly deny: Catalogue;
  readonly unknownSeverity: Severity;
}

function key(module: string, name: string): string {
  return `${module}\0${name}`;
}

function pairSet(table: Readonly<Record<string, string>>): Set<string> {
  const out = new Set<string>();
  for (const [module, names] of tableEntries(table)) for (const n of names) out.add(key(module, n));
  return out;
}

const EXEMPT = pairSet(EXEMPTIONS);

/** Every module path the built-in tables name, with all its parents: reaching one as a global yields a module. */
const KNOWN_MODULES: ReadonlySet<string> = (() => {
  const out = new Set<string>();
  const add = (path: string): void => {
    const segs = path.split('.');
    for (let i = 1; i <= segs.length; i += 1) out.add(segs.slice(0, i).join('.'));
  };
  for (const profile of Object.values(PROFILES)) for (const module of Object.keys(profile.table)) add(module);
  for (const module of CATALOGUE.modules.keys()) add(module);
  for (const module of CATALOGUE.names.keys()) add(module);
  return out;
})();

/** Rules that need no table: dunder attributes, attribute walks on builtins, package __main__ scripts. */
function structural(
  moduleSegs: readonly string[],
  nameSegs: readonly string[],
  module: string,
): GlobalVerdict | undefined {
  for (let i = 0; i < moduleSegs.length; i += 1) {
    const seg = moduleSegs[i] ?? '';
    if (!DUNDER.test(seg) || (i === 0 && DUNDER_MODULES.has(seg))) continue;
    if (seg === '__main__') {
      return {
        kind: 'dangerous',
        family: 'code-execution',
        reason: `imports ${module}, a package's __main__ script`,
      };
    }
    if (i === 0) return undefined; // top-level dunder modules (__builtins__) are in the catalogue
    return { kind: 'dangerous', family: 'import-trampoline', reason: `dunder module segment "${seg}"` };
  }
  for (const seg of nameSegs) {
    if (DUNDER.test(seg)) {
      return {
        kind: 'dangerous',
        family: 'import-trampoline',
        reason: `attribute walk through "${seg}" (__builtins__/__globals__/__dict__/__class__/__subclasses__ … reach any object)`,
      };
    }
  }
  // a module attribute only: `Module.eval` (nn.Module's method) is an ordinary method, left unknown
  const last = nameSegs.length === 1 ? (nameSegs[0] ?? '') : '';
  const bare = BARE_BUILTINS.get(last);
  if (bare !== undefined && module !== 'builtins') {
    return {
      kind: 'dangerous',
      family: bare,
      reason: `"${last}" reached through ${module}: a builtin re-exported by another module (T14)`,
    };
  }
  if (module === 'builtins' && nameSegs.length > 1) {
    return {
      kind: 'dangerous',
      family: 'import-trampoline',
      reason: 'attribute walk on a builtin (dict.get, str.format …): pickles name builtin types directly',
    };
  }
  return undefined;
}

/** The classification engine behind createPolicy: catalogue before allowlist, cached. */
export class PolicyEngine implements Policy {
  readonly unknownSeverity: Severity;
  readonly profileIds: readonly string[];
  private readonly allowed = new Map<string, string>();
  private readonly userAllow: AllowPatterns;
  private readonly deny: Catalogue;
  private readonly cache = new Map<string, GlobalVerdict>();

  constructor(config: EngineConfig) {
    this.unknownSeverity = config.unknownSeverity;
    this.userAllow = config.allow;
    this.deny = config.deny;
    this.profileIds = config.profiles.map((p) => p.id);
    for (const profile of config.profiles) {
      for (const [module, names] of tableEntries(profile.table)) {
        for (const n of names)
          if (!this.allowed.has(key(module, n))) this.allowed.set(key(module, n), profile.id);
      }
    }
  }

  classify(module: string, name: string): GlobalVerdict {
    const k = key(module, name);
    const hit = this.cache.get(k);
    if (hit !== undefined) return hit;
    const verdict = this.classifyUncached(module, name);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(k, verdict);
    return verdict;
  }

  private classifyUncached(module: string, name: string): GlobalVerdict {
    const moduleSegs = module.split('.');
    const nameSegs = name.split('.');
    // An unresolvable name fails to import: harmless, but nothing to call safe either.
    if (![...moduleSegs, ...nameSegs].every((s) => SEGMENT.test(s))) return { kind: 'unknown' };
    if (moduleSegs.length + nameSegs.length > MAX_SEGMENTS) {
      return {
        kind: 'dangerous',
        family: 'import-trampoline',
        reason: `attribute walk of ${moduleSegs.length + nameSegs.length} segments (limit ${MAX_SEGMENTS})`,
      };
    }
    const forms: Array<readonly [string, string]> = [[module, name]];
    const py3 = py3Spelling(module, name);
    if (py3 !== undefined && (py3[0] !== module || py3[1] !== name)) forms.push(py3);

    for (const [m, n] of forms) {
      const d = matchCatalogue(this.deny, m.split('.').length, [...m.split('.'), ...n.split('.')]);
      if (d !== undefined) return { kind: 'dangerous', family: d.family, reason: d.reason };
    }
    for (const [m, n] of forms) {
      const profile = this.allowed.get(key(m, n));
      if (profile !== undefined && EXEMPT.has(key(m, n))) return { kind: 'safe', profile };
    }
    for (const [m, n] of forms) {
      const ms = m.split('.');
      const ns = n.split('.');
      const s = structural(ms, ns, m);
      if (s !== undefined) return s;
      const d = matchCatalogue(CATALOGUE, ms.length, [...ms, ...ns]);
      if (d !== undefined) return { kind: 'dangerous', family: d.family, reason: d.reason };
      if (KNOWN_MODULES.has(`${m}.${n}`)) {
        return {
          kind: 'dangerous',
          family: 'import-trampoline',
          reason: `${m}.${n} is a module object (modules do not pickle; used to rewrite module state with BUILD)`,
        };
      }
    }
    for (const [m, n] of forms) {
      const profile = this.allowed.get(key(m, n));
      if (profile !== undefined) return { kind: 'safe', profile };
      if (this.userAllow.matches(m, n)) return { kind: 'safe', profile: 'user' };
    }
    return { kind: 'unknown' };
  }
}
