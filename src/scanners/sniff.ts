import { startsWith } from '../core/bytes.js';
import type { FormatId } from './types.js';

/** Bytes read from the start of every file or member to recognise its format. */
export const SNIFF_BYTES = 512;

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];
const ZIP_SPANNED = [0x50, 0x4b, 0x07, 0x08];
const GZIP = [0x1f, 0x8b];
const BZIP2 = [0x42, 0x5a, 0x68];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const SEVEN_Z = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c];
const NUMPY = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72];

/** Opcodes a protocol 0/1 pickle can start with (no PROTO). */
const PICKLE_P0_FIRST = new Set('(]}):NIFLSVcigpGJKMTUXBCP)'.split('').map((c) => c.charCodeAt(0)));

export type Sniffed = FormatId | 'maybe-pickle';

function isZlib(h: Uint8Array): boolean {
  const a = h[0];
  const b = h[1];
  if (a === undefined || b === undefined) return false;
  return (a & 0x0f) === 8 && a >> 4 <= 7 && (a * 256 + b) % 31 === 0 && (b & 0x20) === 0;
}

/** LZMA "alone" header: properties byte < 225, dictionary size a power of two or 2^n+2^(n-1). */
function isLzmaAlone(h: Uint8Array): boolean {
  if (h.length < 13) return false;
  const props = h[0] as number;
  if (props >= 225) return false;
  const dict = ((h[1] as number) | ((h[2] as number) << 8) | ((h[3] as number) << 16)) + (h[4] as number) * 0x1000000;
  if (dict < 4096) return false;
  const pow2 = (dict & (dict - 1)) === 0;
  const threeHalves = dict % 3 === 0 && ((dict / 3) & (dict / 3 - 1)) === 0;
  if (!pow2 && !threeHalves) return false;
  // Uncompressed size: -1 (unknown) or a plausible value below 2^48.
  const sizeHigh = (h[11] as number) | ((h[12] as number) << 8);
  const unknown = h.subarray(5, 13).every((b) => b === 0xff);
  return unknown || sizeHigh === 0;
}

/**
 * Recognises a format from the first bytes only, never from a name. Order matters: the most specific
 * magic wins; pickles without a PROTO opcode are only "maybe" and are confirmed by the VM.
 */
export function sniff(head: Uint8Array): Sniffed {
  if (head.length === 0) return 'unknown';
  if (startsWith(head, ZIP_LOCAL) || startsWith(head, ZIP_EMPTY) || startsWith(head, ZIP_SPANNED)) return 'zip';
  if (startsWith(head, NUMPY)) return 'numpy';
  if (startsWith(head, SEVEN_Z)) return '7z';
  if (startsWith(head, XZ)) return 'xz';
  if (startsWith(head, GZIP)) return 'gzip';
  if (startsWith(head, BZIP2) && head[3] !== undefined && head[3] >= 0x31 && head[3] <= 0x39) return 'bzip2';
  if (startsWith(head, USTAR, 257)) return 'tar';
  if (head[0] === 0x80 && head[1] !== undefined && head[1] <= 5) return 'pickle';
  if (isZlib(head)) return 'zlib';
  if (isLzmaAlone(head)) return 'lzma';
  if (PICKLE_P0_FIRST.has(head[0] as number)) return 'maybe-pickle';
  return 'unknown';
}
