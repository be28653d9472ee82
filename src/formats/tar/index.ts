export { traversalReason } from '../../core/paths.js';
export { BLOCK as TAR_BLOCK, isTar } from './header.js';
export { parsePax, readTar, TAR_LIMITS, type TarReadLimits } from './read.js';
export * from './types.js';
