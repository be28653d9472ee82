export { BLOCK as TAR_BLOCK, isTar } from './header.js';
export { traversalReason } from './names.js';
export { parsePax, readTar, TAR_LIMITS, type TarReadLimits } from './read.js';
export * from './types.js';
