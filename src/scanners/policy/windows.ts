import type { Catalogue, Danger, NameRule } from './dangers/index.js';

/**
 * Finds the catalogue entry a global reaches. The unpickler imports `module` and then walks `name` one
 * attribute at a time, so every attribute may itself be a module re-exported by its parent
 * (`pathlib` + `os.system` is os.system). Windows: a module path starting at the first segment (any length,
 * covering submodules such as `asyncio.unix_events`) or at any segment of the name; the segments after it
 * are the attribute chain. Attribute-level entries beat module-level ones, longer module paths beat shorter.
 */
export function matchCatalogue(
  catalogue: Catalogue,
  moduleSegs: number,
  segs: readonly string[],
): Danger | undefined {
  let best: Danger | undefined;
  let bestScore = -1;
  const starts = [0];
  for (let j = Math.max(1, moduleSegs); j < segs.length; j += 1) starts.push(j);
  for (const j of starts) {
    let path = '';
    for (let k = j + 1; k <= segs.length; k += 1) {
      path = k === j + 1 ? (segs[j] ?? '') : `${path}.${segs[k - 1] ?? ''}`;
      const rules = catalogue.names.get(path);
      if (rules !== undefined) {
        const rule = matchRules(rules, segs, k);
        const score = 1000 + (k - j);
        if (rule !== undefined && score > bestScore) {
          best = rule.danger;
          bestScore = score;
        }
      }
      const danger = catalogue.modules.get(path);
      if (danger !== undefined && k - j > bestScore) {
        best = danger;
        bestScore = k - j;
      }
    }
  }
  return best;
}

function matchRules(rules: readonly NameRule[], segs: readonly string[], from: number): NameRule | undefined {
  const chainLength = segs.length - from;
  for (const rule of rules) {
    const need = rule.segs.length;
    if (chainLength < need || (rule.below && chainLength === need)) continue;
    let ok = true;
    for (let i = 0; i < need; i += 1) {
      if (segs[from + i] !== rule.segs[i]) {
        ok = false;
        break;
      }
    }
    if (ok) return rule;
  }
  return undefined;
}
