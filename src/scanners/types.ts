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
  /** 1-based line inside the current member (or file), for text such as Python code. */
  line?: number;
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
  /** Records callables the artifact imports (`module.name`, e.g. from pickle GLOBALs), for BOMs and reports. */
  noteImports(names: Iterable<string>): void;
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
  'safetensors',
  'gguf',
  'onnx',
  'savedmodel',
  'tflite',
  'hdf5',
  'unknown',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

export interface FormatHandler {
  readonly format: FormatId;
  /** Scans `source` (already identified as this format). Must not throw for bad input: report instead. */
  scan(source: ByteSource, ctx: ScanContext): Promise<void>;
}

/** A file of a scanned directory, as repository scanners see it. */
export interface RepoFile {
  /** The path as reported (under the directory the user named). */
  path: string;
  /** Path relative to the directory the user named, with the platform's separators. */
  rel: string;
  /** Formats the file scanners recognised (empty for unreadable files). */
  format: readonly string[];
  size: number;
}

/** What a repository scanner may do: read files through the file system (it runs in the scanners layer) and report. */
export interface RepoContext {
  /** The directory the user named. */
  readonly root: string;
  readonly limits: ScanLimits;
  readonly policy: Policy;
  /** Reports a finding on one file of the directory (`path` as in RepoFile.path). */
  report(rule: RuleMeta, path: string, finding: FindingInput & { member?: string }): void;
  /** Records that a file of the directory is (also) of this format, e.g. a `model.json` read as TF.js. */
  noteFormat(path: string, format: string): void;
}

/** A check over a whole directory (a Hugging Face snapshot, a model folder), run after the files are scanned. */
export interface RepoScanner {
  readonly id: string;
  scan(files: readonly RepoFile[], ctx: RepoContext): Promise<void>;
}
