export { rootDigest, sha256File } from './digest.js';
export {
  type EnumerateOptions,
  type Enumeration,
  enumerateModel,
  GIT_PATHS,
  normalizeIgnorePaths,
} from './enumerate.js';
export { ModelPathError, type ModelPathErrorCode } from './errors.js';
export { DEFAULT_SHARD_SIZE, HASHING_LIMITS, type HashingLimits } from './limits.js';
export { type HashOptions, hashEnumeration, hashModel } from './model.js';
export { compareNames } from './names.js';
export { type HashRangesOptions, hashRanges } from './pool.js';
export {
  nodeHashName,
  type Range,
  type ResourceJob,
  resourceAlgorithm,
  resourcesFor,
  shardResources,
} from './ranges.js';
