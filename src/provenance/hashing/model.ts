/** Hashes a model as OMS signs it: enumerate, hash every resource, order canonically, root digest. */
import { basename } from 'node:path';
import type { HashAlgorithm, Manifest, Resource, Serialization, SerializationMethod } from '../types.js';
import { rootDigest } from './digest.js';
import { type EnumerateOptions, type Enumeration, enumerateModel } from './enumerate.js';
import { DEFAULT_SHARD_SIZE, HASHING_LIMITS } from './limits.js';
import { hashRanges } from './pool.js';
import { resourcesFor } from './ranges.js';

export interface HashOptions extends EnumerateOptions {
  /** Default `files`. */
  method?: SerializationMethod;
  /** Default `sha256`. */
  hashType?: HashAlgorithm;
  /** Shards mode only; default 1,000,000,000 bytes. */
  shardSize?: number;
  /** Hashing threads; default `os.availableParallelism()`. */
  workers?: number;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** Totals below this many bytes are hashed on the calling thread (default INLINE_BYTES; 0: threads). */
  inlineBytes?: number;
}

export async function hashModel(modelPath: string, opts: HashOptions = {}): Promise<Manifest> {
  const enumeration = await enumerateModel(modelPath, opts);
  return hashEnumeration(enumeration, opts);
}

/** The manifest of an already enumerated model (the verifier enumerates first to report extra files). */
export async function hashEnumeration(enumeration: Enumeration, opts: HashOptions = {}): Promise<Manifest> {
  const method = opts.method ?? 'files';
  const hashType = opts.hashType ?? 'sha256';
  const shardSize = opts.shardSize ?? DEFAULT_SHARD_SIZE;
  const maxResources = opts.limits?.maxResources ?? HASHING_LIMITS.maxResources;
  const jobs = resourcesFor(enumeration.files, method, hashType, shardSize, maxResources);
  let total = 0;
  for (const j of jobs) total += j.end - j.start;
  const onProgress = opts.onProgress;
  const digests = await hashRanges(jobs, hashType, {
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
    ...(opts.inlineBytes === undefined ? {} : { inlineBytes: opts.inlineBytes }),
    ...(onProgress === undefined ? {} : { onProgress: (done: number) => onProgress(done, total) }),
  });
  const resources: Resource[] = jobs.map((j, i) => ({
    name: j.name,
    algorithm: j.algorithm,
    digest: digests[i]!,
  }));
  const serialization: Serialization = {
    method,
    hash_type: hashType,
    allow_symlinks: opts.allowSymlinks ?? false,
    ...(method === 'shards' ? { shard_size: shardSize } : {}),
    ignore_paths: enumeration.ignorePaths,
  };
  return {
    modelName: basename(enumeration.root),
    serialization,
    resources,
    rootDigest: rootDigest(resources),
  };
}
