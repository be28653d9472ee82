import type { ScanLimits } from '../core/limits.js';
import type { RuleMeta } from '../core/rule.js';
import type { Severity } from '../core/severity.js';
import type { ByteSource } from '../core/source.js';
import type { Policy } from './policy/policy.js';

/** What a scanner says about one finding; taxonomy and rule id come from the rule. */
export interface FindingInput {
  message: string;
  /** Byte offset inside the current member (or file). */
  offset?: number;
  evidence?: string;
  /** Overrides the rule's default severity. */
  severity?: Severity;
}

/**
 * Everything a format handler may do: report findings and hand nested members back to the engine.
 * Handlers never touch the file system; they read the ByteSource they are given.
 */
export interface ScanContext {
  /** The file on disk as the user named it. */
  readonly path: string;
  /** Archive member chain of the current source (joined with `!/`), undefined at top level. */
  readonly member: string | undefined;
  /** 0 for a file on disk, +1 per archive level. */
  readonly depth: number;
  readonly limits: ScanLimits;
  readonly policy: Policy;
  /** Name of the current member or file (last path component), for profile hints such as `rng_state.pth`. */
  readonly name: string;
  report(rule: RuleMeta, finding: FindingInput): void;
  /** Records a format seen in this artifact (the artifact's `format` lists them). */
  noteFormat(format: string): void;
  /**
   * Sniffs `source` by content and scans it as a nested member `name` (recursion depth +1, limits
   * enforced by the engine). `hint` names the container's expectation (e.g. 'pickle' for data.pkl).
   */
  scanMember(name: string, source: ByteSource, hint?: FormatId): Promise<void>;
  /**
   * Counts bytes inflated from this top-level file; returns false (and reports) once the total limit is
   * exceeded, after which handlers must stop inflating.
   */
  chargeInflated(bytes: number): boolean;
}

/** Formats recognised by content. */
export const FORMAT_IDS = [
  'pickle',
  'pytorch-zip',
  'pytorch-legacy',
  'pytorch-tar',
  'torchscript',
  'numpy',
  'npz',
  'joblib',
  'zip',
  'tar',
  'gzip',
  'bzip2',
  'xz',
  'lzma',
  'zlib',
  '7z',
  'unknown',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

export interface FormatHandler {
  readonly format: FormatId;
  /** Scans `source` (already identified as this format). Must not throw for bad input: report instead. */
  scan(source: ByteSource, ctx: ScanContext): Promise<void>;
}
