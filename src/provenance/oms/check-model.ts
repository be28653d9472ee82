/**
 * Checks a model on disk against a verified signed manifest: rehash it with the recorded serialization
 * and name every difference — the file (or shard) whose digest changed, the signed file that is missing,
 * the file that is not signed.
 *
 * Ignored on disk: the recorded `ignore_paths`, the default git paths, the signature file, and the
 * caller's ignore paths. A default or recorded ignore path never hides a signed resource (it is dropped
 * from the ignore set); one given by the caller does, and the resource is reported as not checked.
 */
import { basename, relative, resolve } from 'node:path';
import {
  compareNames,
  enumerateModel,
  GIT_PATHS,
  hashRanges,
  ModelPathError,
  normalizeIgnorePaths,
  resourcesFor,
} from '../hashing/index.js';
import type { ModelFile, VerifyProblem } from '../types.js';
import { parseShardName, type SignedManifest } from './statement.js';

export interface CheckOptions {
  /** Caller's ignore paths: relative to the model root, or absolute. */
  ignorePaths?: readonly string[];
  /** Default true. */
  ignoreGitPaths?: boolean;
  /** Follow symlinks even if the signature recorded allow_symlinks=false. */
  allowSymlinks?: boolean;
  /** Tolerate files that the signature does not cover (only signed files are hashed). */
  ignoreUnsignedFiles?: boolean;
  /** Absolute path of the signature file, ignored when it lies inside the model. */
  signaturePath?: string;
  workers?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export interface CheckResult {
  readonly problems: VerifyProblem[];
  readonly checked: number;
  readonly warnings: string[];
}

export async function checkModel(
  modelPath: string,
  signed: SignedManifest,
  opts: CheckOptions = {},
): Promise<CheckResult> {
  const root = resolve(modelPath);
  const ser = signed.serialization;
  const shards = ser.method === 'shards';
  const problems: VerifyProblem[] = [];
  const warnings: string[] = [];

  // Signed resources by file, with Python's single-file name "." mapped to the file's own name.
  let enumeration: Awaited<ReturnType<typeof enumerateModel>>;
  const userIgnores = normalizeIgnorePaths(root, opts.ignorePaths ?? [], false);
  const signedFileNames = (single: string | undefined): Set<string> =>
    new Set(signed.resources.map((r) => fileOf(r.name, shards, single)));
  const provisional = signedFileNames(undefined);
  const keep = (p: string): boolean => ![...provisional].some((n) => n === p || n.startsWith(`${p}/`));
  const ignores = [
    ...(ser.ignore_paths ?? []).filter(keep),
    ...((opts.ignoreGitPaths ?? true) ? GIT_PATHS.filter(keep) : []),
    ...(opts.signaturePath === undefined ? [] : [opts.signaturePath]),
    ...userIgnores,
  ];
  try {
    enumeration = await enumerateModel(root, {
      ignorePaths: ignores,
      ignoreGitPaths: false,
      allowSymlinks: ser.allow_symlinks || (opts.allowSymlinks ?? false),
    });
  } catch (e) {
    if (
      e instanceof ModelPathError &&
      (e.code === 'SYMLINK' || e.code === 'SPECIAL_FILE' || e.code === 'NOT_UTF8')
    ) {
      const name = relative(root, e.path).split('\\').join('/') || basename(root);
      const hint =
        e.code === 'SYMLINK' && !ser.allow_symlinks ? ' (the signature was made without symlinks)' : '';
      problems.push({
        kind: 'extra',
        resource: name,
        message: `${e.message}${hint}: the model cannot be checked`,
      });
      return { problems, checked: 0, warnings };
    }
    throw e;
  }
  const single = enumeration.isFile ? basename(root) : undefined;
  for (const l of enumeration.skippedLinks)
    warnings.push(`${l} is a symlink to a folder: its content is not checked`);

  // Signed digests by local resource name; signed files by local file name.
  const expected = new Map<string, string>();
  const signedFiles = new Map<string, number>(); // file → bytes covered by its shards (files mode: -1)
  for (const r of signed.resources) {
    const file = fileOf(r.name, shards, single);
    if (shards) {
      const s = parseShardName(r.name);
      expected.set(`${file}:${s.start}:${s.end}`, r.digest);
      signedFiles.set(file, Math.max(signedFiles.get(file) ?? 0, s.end));
    } else {
      expected.set(file, r.digest);
      signedFiles.set(file, -1);
    }
  }

  const local = new Map(enumeration.files.map((f) => [f.name, f]));
  const present: ModelFile[] = [];
  let unsigned = 0;
  let emptyUncovered = 0;
  const extras: VerifyProblem[] = [];
  for (const f of enumeration.files) {
    if (signedFiles.has(f.name)) present.push(f);
    else if (shards && f.size === 0) emptyUncovered++;
    else if (opts.ignoreUnsignedFiles) unsigned++;
    else
      extras.push({ kind: 'extra', resource: f.name, message: `${f.name} is not covered by the signature` });
  }
  if (unsigned > 0)
    warnings.push(`${unsigned} file(s) not covered by the signature were ignored (--ignore-unsigned-files)`);
  if (emptyUncovered > 0)
    warnings.push(
      `${emptyUncovered} empty file(s) not checked: shard signatures carry no resource for empty files`,
    );

  const missing: VerifyProblem[] = [];
  for (const file of [...signedFiles.keys()].sort(compareNames)) {
    if (local.has(file)) continue;
    const by = userIgnores.find((p) => file === p || file.startsWith(`${p}/`));
    const message =
      by !== undefined
        ? `${file} is signed but excluded by the ignore path "${by}", so it was not checked`
        : file === '.'
          ? 'the signature covers a single file (resource "."): verify that file as the model path'
          : `${file} is signed but missing`;
    missing.push({ kind: 'missing', resource: file, message });
  }

  // Hash only the signed ranges that exist locally.
  const modified: VerifyProblem[] = [];
  const jobs = resourcesFor(present, ser.method, ser.hash_type, ser.shard_size ?? 1).filter((j) =>
    expected.has(j.name),
  );
  if (shards) {
    for (const f of present) {
      const covered = signedFiles.get(f.name)!;
      if (covered !== f.size)
        modified.push({
          kind: 'modified',
          resource: f.name,
          message: `${f.name} is ${f.size} bytes; the signed shards cover ${covered} bytes`,
        });
    }
  }
  let total = 0;
  for (const j of jobs) total += j.end - j.start;
  const onProgress = opts.onProgress;
  const digests = await hashRanges(jobs, ser.hash_type, {
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(onProgress === undefined ? {} : { onProgress: (done: number) => onProgress(done, total) }),
  });
  let checked = 0;
  jobs.forEach((j, i) => {
    const want = expected.get(j.name)!;
    const got = digests[i]!;
    if (want === got) {
      checked++;
      return;
    }
    const what = shards ? `shard ${j.name} of ${parseShardName(j.name).path}` : j.name;
    modified.push({
      kind: 'modified',
      resource: j.name,
      message: `${what} has changed: ${ser.hash_type} ${got}, signed ${want}`,
    });
  });
  modified.sort((a, b) => compareNames(a.resource ?? '', b.resource ?? ''));
  problems.push(...modified, ...missing, ...extras);
  return { problems, checked, warnings };
}

/** The file a signed resource belongs to, with "." (Python's single-file name) → the file's name. */
function fileOf(name: string, shards: boolean, single: string | undefined): string {
  const file = shards ? parseShardName(name).path : name;
  return file === '.' && single !== undefined ? single : file;
}
