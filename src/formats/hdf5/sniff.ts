import { startsWith } from '../../core/bytes.js';
import type { ByteSource } from '../../core/source.js';
import { HDF5_LIMITS } from './limits.js';

/** The HDF5 format signature: `\x89HDF\r\n\x1a\n`. */
export const HDF5_MAGIC = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** True when the bytes start with the HDF5 signature (no user block). */
export function isHdf5(head: Uint8Array): boolean {
  return startsWith(head, HDF5_MAGIC);
}

/**
 * Offset of the HDF5 superblock as the library finds it: at 0 or after a user block of 512, 1024,
 * 2048 … bytes (powers of two, as H5FD_locate_signature searches), up to `maxUserBlock`. A file with a
 * user block is a polyglot: its head may be a pickle, a script or text while h5py opens it as HDF5.
 */
export function hdf5SignatureOffset(
  source: ByteSource,
  maxUserBlock: number = HDF5_LIMITS.maxUserBlock,
): number | undefined {
  for (
    let off = 0;
    off + HDF5_MAGIC.length <= source.size && off <= maxUserBlock;
    off = off === 0 ? 512 : off * 2
  ) {
    if (startsWith(source.read(off, HDF5_MAGIC.length), HDF5_MAGIC)) return off;
  }
  return undefined;
}
