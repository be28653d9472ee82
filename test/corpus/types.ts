/**
 * The hostile-sample catalogue's types. Samples are built in memory by TS byte builders (never by
 * loading anything) and written to a temp dir by test/corpus.test.ts.
 */

/**
 * What `modelguard scan` must say about a sample:
 * - `unsafe`: a finding at `high` or `critical`, artifact verdict `unsafe`;
 * - `suspicious`: a finding at `medium` or above (verdict `suspicious` or `unsafe`) — for callables that
 *   are not in any danger family but are not allowlisted either (allowlist-first: unknown is never safe);
 * - `safe`: nothing at `medium` or above, verdict `safe`;
 * - `review`: no crash; any verdict; the artifact says what the file is (`format` non-empty) and an
 *   `error` verdict is acceptable only with a message.
 */
export type Expect = 'unsafe' | 'suspicious' | 'safe' | 'review';

interface SampleBase {
  /** `T07-memo-dup-desync`: technique id, then a short slug. Unique in the catalogue. */
  readonly id: string;
  /** Technique id from ../shared/threats/model-files.md section C (`T07`). */
  readonly technique: string;
  /** What the bytes do when loaded and why the expectation holds. */
  readonly description: string;
  readonly expect: Expect;
  /** A substring some finding's message or evidence must contain (the payload, where it is visible). */
  readonly mustMention?: string;
}

/** One file. `fileName` is a realistic name, because scanners that route by extension are the target. */
export interface FileSample extends SampleBase {
  readonly kind: 'file';
  readonly fileName: string;
  build(): Uint8Array;
}

export interface DirectoryFile {
  /** Relative path inside the sample directory. */
  readonly name: string;
  readonly data: Uint8Array;
}

/** A directory of files scanned as one target (T44); every file must meet `expect`. */
export interface DirectorySample extends SampleBase {
  readonly kind: 'directory';
  /** Directory name. */
  readonly fileName: string;
  buildFiles(): readonly DirectoryFile[];
}

export type CorpusSample = FileSample | DirectorySample;

type FileSpec = Omit<FileSample, 'kind'>;
type DirectorySpec = Omit<DirectorySample, 'kind'>;

export function fileSample(spec: FileSpec): FileSample {
  return { kind: 'file', ...spec };
}

export function directorySample(spec: DirectorySpec): DirectorySample {
  return { kind: 'directory', ...spec };
}
