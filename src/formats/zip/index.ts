import { startsWith } from '../../core/bytes.js';

export { traversalReason } from '../../core/paths.js';
export { readZipDirectory, type ZipReadLimits } from './directory.js';
export { inflatePrefix, openEntry, sniffEntry, type ZipOpenLimits } from './entry.js';
export { findEocd, hasZipEnd, readZipEnd, type ZipEnd } from './eocd.js';
export { ZIP_LIMITS } from './limits.js';
export { describeFlags, RISKY_FLAGS } from './local.js';
export * from './types.js';

/** True when `head` starts like a zip: a local header, or the end record of an empty archive. */
export function isZip(head: Uint8Array): boolean {
  return startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]);
}
