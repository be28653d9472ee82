import type { Finding } from '../core/finding.js';
import type { Severity } from '../core/severity.js';

/** Verdict for one file: unsafe (≥ high), suspicious (medium), safe (≤ low), error (could not be scanned). */
export type Verdict = 'unsafe' | 'suspicious' | 'safe' | 'error';

export interface Artifact {
  /** The file on disk as the user named it or as found under the directory they named. */
  path: string;
  /** Formats recognised by content, outermost first (e.g. `zip`, `pytorch-zip`, `pickle`). */
  format: string[];
  size: number;
  /** Hex SHA-256 of the file; null when hashing was switched off or the file could not be read. */
  sha256: string | null;
  /** Callables the file imports (`module.name` from pickle GLOBALs, nested members included), sorted; absent when none. */
  imports?: string[];
  verdict: Verdict;
  /** Why the verdict is `error`. */
  error?: string;
  /** Milliseconds spent on this file. */
  ms: number;
}

export interface ScanSummary {
  files: number;
  findings: number;
  bySeverity: Record<Severity, number>;
  byVerdict: Record<Verdict, number>;
  /** Highest severity seen, or null when nothing was found. */
  maxSeverity: Severity | null;
  /** The `--fail-on` threshold used. */
  failOn: Severity | 'never';
  /** True when a finding is at or above `failOn`. */
  failed: boolean;
  durationMs: number;
}

export interface ScanReport {
  tool: { name: 'modelguard'; version: string };
  /** The paths the user named. */
  targets: string[];
  artifacts: Artifact[];
  findings: Finding[];
  summary: ScanSummary;
}
