import { startsWith } from '../../core/bytes.js';
import { isSevenZip } from '../../formats/sevenz/archive.js';

/** Bytes read from the head of a tensor-storage member to decide whether it needs a scan. */
export const TENSOR_SNIFF_BYTES = 16;

/** Opcodes that open a protocol 2/3 pickle right after PROTO (dicts, lists, tuples, marks, globals, ints). */
const P2_FIRST = new Set([
  0x7d, 0x5d, 0x28, 0x29, 0x63, 0x4b, 0x4a, 0x4d, 0x58, 0x8a, 0x88, 0x89, 0x4e, 0x8c, 0x93,
]);

// Magics as constants: this runs for every tensor member (no arrays allocated per call).
const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_END = [0x50, 0x4b, 0x05, 0x06];
const GZIP = [0x1f, 0x8b, 0x08];
const BZIP2 = [0x42, 0x5a, 0x68];
const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const NPY = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/**
 * True when the head of a raw tensor-storage member looks like something a loader could execute or
 * unpack: a protocol 2–5 pickle (strict: PROTO then a frame or a plausible first opcode) or a container
 * with a long magic (zip, 7z, gzip, bzip2, xz, npy). Short magics (zlib, lzma-alone) are left out on
 * purpose: random float bytes match them often enough to cause false alarms in big checkpoints.
 */
export function tensorHeadNeedsScan(head: Uint8Array): boolean {
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) {
    const next = head[2];
    if (next === undefined) return true;
    return head[1] >= 4 ? next === 0x95 || P2_FIRST.has(next) : P2_FIRST.has(next);
  }
  return (
    startsWith(head, ZIP_LOCAL) ||
    startsWith(head, ZIP_END) ||
    isSevenZip(head) ||
    (startsWith(head, GZIP) && (head[3] ?? 0) < 0x20) ||
    (startsWith(head, BZIP2) && startsWith(head, BZIP2_BLOCK, 4)) ||
    startsWith(head, XZ) ||
    startsWith(head, NPY)
  );
}
