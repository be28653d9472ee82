import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Which layers each layer may import (ARCHITECTURE.md: imports only go downward). */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  formats: ['core'],
  ml: ['core', 'formats'],
  scanners: ['core', 'formats'],
  provenance: ['core', 'formats', 'scanners'],
  attacks: ['core', 'formats', 'ml'],
  defenses: ['core', 'formats', 'ml', 'attacks'],
  report: ['core', 'scanners', 'provenance', 'attacks', 'defenses', 'ml'],
  cli: ['core', 'formats', 'scanners', 'provenance', 'ml', 'attacks', 'defenses', 'report'],
  '.': ['core', 'formats', 'scanners', 'provenance', 'ml', 'attacks', 'defenses', 'report'],
};

const SRC = resolve(new URL('../src', import.meta.url).pathname);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  const first = rel.split('/')[0] ?? '.';
  return rel.includes('/') ? first : '.';
}

describe('architecture', () => {
  it('imports only go downward between layers', () => {
    const violations: string[] = [];
    for (const f of files(SRC)) {
      const from = layerOf(f);
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g)) {
        const target = resolve(join(f, '..'), m[1] as string);
        const to = layerOf(target);
        if (to === from) continue;
        if (!(ALLOWED[from] ?? []).includes(to))
          violations.push(`${relative(SRC, f)} → ${m[1]} (${from} → ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('formats and core never touch the file system or network, except core/source.ts', () => {
    const offenders = files(SRC)
      .filter((f) => ['core', 'formats'].includes(layerOf(f)) && !f.endsWith('core/source.ts'))
      .filter((f) => /from ['"]node:(fs|net|http|https|child_process)['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
