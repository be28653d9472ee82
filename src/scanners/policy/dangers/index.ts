import type { DangerFamily } from '../policy.js';
import { CODE_EXECUTION } from './code-execution.js';
import { CODE_OBJECT } from './code-object.js';
import { FILESYSTEM } from './filesystem.js';
import { IMPORT_TRAMPOLINE } from './import-trampoline.js';
import { INTERPRETER_CONTROL } from './interpreter-control.js';
import { NATIVE_CODE } from './native-code.js';
import { NESTED_LOADER } from './nested-loader.js';
import { NETWORK } from './network.js';
import { PACKAGE_INSTALL } from './package-install.js';
import { PROCESS } from './process.js';
import { SCANNER_EVASION } from './scanner-evasion.js';
import type { Danger, FamilyTable } from './types.js';

export { EXEMPTIONS } from './exemptions.js';
export type { Danger, FamilyTable } from './types.js';

/** The catalogue by family (every DangerFamily has a table; `satisfies` keeps it exhaustive). */
export const DANGER_TABLES = {
  'code-execution': CODE_EXECUTION,
  process: PROCESS,
  filesystem: FILESYSTEM,
  network: NETWORK,
  'native-code': NATIVE_CODE,
  'nested-loader': NESTED_LOADER,
  'import-trampoline': IMPORT_TRAMPOLINE,
  'interpreter-control': INTERPRETER_CONTROL,
  'package-install': PACKAGE_INSTALL,
  'code-object': CODE_OBJECT,
  'scanner-evasion': SCANNER_EVASION,
} as const satisfies Record<DangerFamily, FamilyTable>;

/** An attribute-level entry: `names` segments, and whether only attributes strictly below them match. */
export interface NameRule {
  readonly segs: readonly string[];
  readonly below: boolean;
  readonly danger: Danger;
}

export interface Catalogue {
  /** module path → danger for the module, its submodules and all attributes. */
  readonly modules: ReadonlyMap<string, Danger>;
  /** module path → attribute-level rules. */
  readonly names: ReadonlyMap<string, readonly NameRule[]>;
  /** Targets listed twice (a consistency test keeps this empty). */
  readonly duplicates: readonly string[];
  /** Number of targets per family. */
  readonly counts: Readonly<Record<DangerFamily, number>>;
}

export function buildCatalogue(): Catalogue {
  const modules = new Map<string, Danger>();
  const names = new Map<string, NameRule[]>();
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const counts = {} as Record<DangerFamily, number>;
  for (const [family, table] of Object.entries(DANGER_TABLES) as Array<[DangerFamily, FamilyTable]>) {
    counts[family] = 0;
    for (const [targets, reason] of Object.entries(table)) {
      const danger: Danger = { family, reason };
      for (const target of targets.split(/\s+/)) {
        if (target === '') continue;
        counts[family] += 1;
        if (seen.has(target)) duplicates.push(target);
        seen.add(target);
        const colon = target.indexOf(':');
        if (colon < 0) {
          if (!modules.has(target)) modules.set(target, danger);
          continue;
        }
        const module = target.slice(0, colon);
        let name = target.slice(colon + 1);
        const below = name.endsWith('.*');
        if (below) name = name.slice(0, -2);
        const rules = names.get(module) ?? [];
        rules.push({ segs: name.split('.'), below, danger });
        names.set(module, rules);
      }
    }
  }
  return { modules, names, duplicates, counts };
}

/** The built-in catalogue, built once. */
export const CATALOGUE: Catalogue = buildCatalogue();
