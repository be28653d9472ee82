import { dirname, relative } from 'node:path';
import type { Finding } from '../core/finding.js';
import type { ScanLimits } from '../core/limits.js';
import type { RuleMeta } from '../core/rule.js';
import type { ListedFile } from './engine.js';
import type { Policy } from './policy/policy.js';
import { REPO_SCANNERS } from './registry.js';
import type { Artifact } from './report-model.js';
import type { FindingInput, RepoContext, RepoFile } from './types.js';

/**
 * Runs the repository scanners once per directory the user named (and once per file named on its own,
 * as a one-file folder), over the files found under it
 * (a Hugging Face snapshot, a model folder): checks that need several files at once, such as
 * `config.json`'s `auto_map` naming Python files, or safetensors shipped next to pickles.
 */
export async function runRepoScanners(
  files: readonly ListedFile[],
  artifacts: readonly Artifact[],
  byFile: Map<string, Finding[]>,
  limits: ScanLimits,
  policy: Policy,
): Promise<void> {
  if (REPO_SCANNERS.length === 0) return;
  const artifactOf = new Map(artifacts.map((a) => [a.path, a]));
  const roots = new Map<string, RepoFile[]>();
  for (const f of files) {
    // A file named on its own is a one-file folder: `scan modeling_x.py` gets the same checks.
    const root = f.root ?? dirname(f.path);
    const a = artifactOf.get(f.path);
    const list = roots.get(root) ?? [];
    list.push({ path: f.path, rel: relative(root, f.path), format: a?.format ?? [], size: a?.size ?? 0 });
    roots.set(root, list);
  }
  for (const [root, list] of roots) {
    const ctx: RepoContext = {
      root,
      limits,
      policy,
      noteFormat(path: string, format: string): void {
        const a = artifactOf.get(path);
        if (a !== undefined && !a.format.includes(format)) a.format.push(format);
      },
      report(rule: RuleMeta, path: string, f: FindingInput & { member?: string }): void {
        const sink = byFile.get(path) ?? [];
        byFile.set(path, sink);
        sink.push({
          ruleId: rule.id,
          severity: f.severity ?? rule.severity,
          message: f.message,
          location: {
            path,
            ...(f.member === undefined ? {} : { member: f.member }),
            ...(f.offset === undefined ? {} : { offset: f.offset }),
            ...(f.line === undefined ? {} : { line: f.line }),
          },
          ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
          cwe: [...rule.cwe],
          atlas: [...rule.atlas],
          owasp: [...rule.owasp],
        });
      },
    };
    for (const scanner of REPO_SCANNERS) await scanner.scan(list, ctx);
  }
}
