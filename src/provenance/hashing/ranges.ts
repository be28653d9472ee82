/** What to hash for a serialization method: one range per file, or per fixed-size shard of each file. */
import type { HashAlgorithm, ModelFile, SerializationMethod } from '../types.js';
import { ModelPathError } from './errors.js';
import { HASHING_LIMITS } from './limits.js';
import { compareNames } from './names.js';

/** A byte range of a file; `end` exclusive. */
export interface Range {
  path: string;
  start: number;
  end: number;
  /** When given, the file must still have exactly this size once the range is hashed (else an IO error:
   * the file changed while it was being hashed). */
  size?: number;
}

/** One resource to hash: its OMS name and algorithm string, and the bytes it covers. */
export interface ResourceJob extends Range {
  name: string;
  algorithm: string;
}

/** The OMS resource `algorithm` string: the hash name, or `<hash>-sharded-<size>` for shards. */
export function resourceAlgorithm(
  method: SerializationMethod,
  hashType: HashAlgorithm,
  shardSize: number,
): string {
  return method === 'shards' ? `${hashType}-sharded-${shardSize}` : hashType;
}

/**
 * The resources of a model in canonical order (code-point order of the full resource name, as the Go
 * verifier checks it). Files mode: one per file, zero-length files included. Shards mode: consecutive
 * `shardSize` ranges named `path:start:end`, the last one shorter; zero-length files have none.
 */
export function resourcesFor(
  files: readonly ModelFile[],
  method: SerializationMethod,
  hashType: HashAlgorithm,
  shardSize: number,
  maxResources: number = HASHING_LIMITS.maxResources,
): ResourceJob[] {
  if (method === 'shards' && (!Number.isSafeInteger(shardSize) || shardSize <= 0))
    throw new RangeError(`shard size must be a positive integer, got ${shardSize}`);
  let count = 0;
  for (const f of files) {
    count += method === 'files' ? 1 : Math.ceil(f.size / shardSize);
    if (count > maxResources)
      throw new ModelPathError(
        'LIMIT',
        f.path,
        `the model has more than maxResources (${maxResources}) ${method === 'files' ? 'files' : 'shards'}` +
          (method === 'shards' ? ` at shard size ${shardSize}` : ''),
      );
  }
  const algorithm = resourceAlgorithm(method, hashType, shardSize);
  const jobs: ResourceJob[] = [];
  for (const f of files) {
    if (method === 'files') {
      jobs.push({ name: f.name, algorithm, path: f.path, start: 0, end: f.size, size: f.size });
      continue;
    }
    for (let start = 0; start < f.size; start += shardSize) {
      const end = Math.min(start + shardSize, f.size);
      const job: ResourceJob = { name: `${f.name}:${start}:${end}`, algorithm, path: f.path, start, end };
      // The last shard also checks that the file did not grow while it was hashed.
      if (end === f.size) job.size = f.size;
      jobs.push(job);
    }
  }
  return jobs.sort((a, b) => compareNames(a.name, b.name));
}

/** Same as resourcesFor (the name the shard helpers use). */
export const shardResources = resourcesFor;

/** node:crypto's name for an OMS hash algorithm (`blake2b` is BLAKE2b-512). */
export function nodeHashName(algorithm: HashAlgorithm): string {
  return algorithm === 'blake2b' ? 'blake2b512' : 'sha256';
}
