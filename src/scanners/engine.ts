import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { DEFAULT_LIMITS, type ScanLimits } from '../core/limits.js';
import { atLeast, maxSeverity, SEVERITIES, type Severity } from '../core/severity.js';
import { FileSource } from '../core/source.js';
import { MemberScanner } from './member-scanner.js';
import { createPolicy } from './policy/index.js';
import type { Policy } from './policy/policy.js';
import { runRepoScanners } from './repo.js';
import type { Artifact, ScanReport, Verdict } from './report-model.js';
import { VERSION } from './version.js';

export interface ScanOptions {
  failOn?: Severity | 'never';
  policy?: Policy;
  limits?: Partial<ScanLimits>;
  /** Compute each file's SHA-256 (default true). */
  hash?: boolean;
  /** Called after each file (for progress bars). */
  onProgress?: (done: number, total: number, path: string) => void;
}

/** Verdict of one artifact from its findings. */
export function verdictOf(findings: readonly Finding[], error: string | undefined): Verdict {
  if (error !== undefined) return 'error';
  const top = maxSeverity(findings.map((f) => f.severity));
  if (top === undefined) return 'safe';
  if (atLeast(top, 'high')) return 'unsafe';
  if (top === 'medium') return 'suspicious';
  return 'safe';
}

/** A file to scan and the directory the user named that it was found under (undefined for a named file). */
export interface ListedFile {
  path: string;
  root: string | undefined;
}

/** Expands the user's paths into files: directories recursively (links to files followed, links to directories not), sorted. */
export function listFiles(
  paths: readonly string[],
  maxFiles: number,
): { files: ListedFile[]; errors: Map<string, string> } {
  const files: ListedFile[] = [];
  const errors = new Map<string, string>();
  const seenDirs = new Set<string>();
  const visit = (p: string, root: string | undefined, top: boolean): void => {
    if (files.length >= maxFiles) return;
    let st: ReturnType<typeof lstatSync>;
    try {
      st = top ? statSync(p) : lstatSync(p);
    } catch (e) {
      errors.set(p, errorMessage(e));
      return;
    }
    if (st.isDirectory()) {
      const real = realpathSync(p);
      if (seenDirs.has(real)) return;
      seenDirs.add(real);
      let names: string[];
      try {
        names = readdirSync(p).sort();
      } catch (e) {
        errors.set(p, errorMessage(e));
        return;
      }
      for (const n of names) visit(join(p, n), root ?? p, false);
    } else if (st.isFile()) {
      files.push({ path: p, root });
    } else if (st.isSymbolicLink()) {
      // Links to files are followed (a Hugging Face cache snapshot is links into blobs/); links to
      // directories are not, so a walk cannot loop.
      try {
        if (statSync(p).isFile()) files.push({ path: p, root });
      } catch {
        // A dangling link: nothing to read.
      }
    }
  };
  for (const p of paths) visit(p, undefined, true);
  return { files, errors };
}

function sha256Of(source: FileSource): string {
  const h = createHash('sha256');
  source.forEachChunk(1 << 20, (chunk) => h.update(chunk));
  return h.digest('hex');
}

/** Scans files, directories (recursively) and archives; returns the full report. Never throws for bad input. */
export async function scanPaths(paths: readonly string[], options: ScanOptions = {}): Promise<ScanReport> {
  const started = performance.now();
  const limits: ScanLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const policy = options.policy ?? createPolicy();
  const failOn = options.failOn ?? 'high';
  const { files, errors } = listFiles(paths, limits.maxFiles);
  const artifacts: Artifact[] = [];
  const findings: Finding[] = [];

  for (const [path, message] of errors) {
    artifacts.push({ path, format: [], size: 0, sha256: null, verdict: 'error', error: message, ms: 0 });
  }
  const byFile = new Map<string, Finding[]>();
  let done = 0;
  for (const { path } of files) {
    const t0 = performance.now();
    const own: Finding[] = [];
    const formats: string[] = [];
    const imports = new Set<string>();
    let size = 0;
    let sha256: string | null = null;
    let error: string | undefined;
    let source: FileSource | undefined;
    try {
      source = new FileSource(path);
      size = source.size;
      const scanner = new MemberScanner({
        path,
        limits,
        policy,
        findings: own,
        formats,
        imports,
        inflated: { total: 0, reported: false },
      });
      await scanner.scanTop(source);
      if (options.hash !== false) sha256 = sha256Of(source);
    } catch (e) {
      error = errorMessage(e);
    } finally {
      source?.close();
    }
    byFile.set(path, own);
    artifacts.push({
      path,
      format: formats,
      ...(imports.size > 0 ? { imports: [...imports].sort() } : {}),
      size,
      sha256,
      verdict: 'safe',
      ...(error === undefined ? {} : { error }),
      ms: Math.round((performance.now() - t0) * 100) / 100,
    });
    done++;
    options.onProgress?.(done, files.length, path);
  }

  await runRepoScanners(files, artifacts, byFile, limits, policy);
  for (const a of artifacts) {
    const own = byFile.get(a.path) ?? [];
    if (a.verdict !== 'error') a.verdict = verdictOf(own, a.error);
    findings.push(...own);
  }

  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity]++;
  const byVerdict: Record<Verdict, number> = { unsafe: 0, suspicious: 0, safe: 0, error: 0 };
  for (const a of artifacts) byVerdict[a.verdict]++;
  const top = maxSeverity(findings.map((f) => f.severity)) ?? null;
  return {
    tool: { name: 'modelguard', version: VERSION },
    targets: [...paths],
    artifacts,
    findings,
    summary: {
      files: artifacts.length,
      findings: findings.length,
      bySeverity,
      byVerdict,
      maxSeverity: top,
      failOn,
      failed: failOn !== 'never' && top !== null && atLeast(top, failOn),
      durationMs: Math.round(performance.now() - started),
    },
  };
}
