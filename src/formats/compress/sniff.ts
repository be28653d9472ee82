import { constants, inflateSync } from 'node:zlib';
import { startsWith } from '../../core/bytes.js';

export type CompressionKind = 'gzip' | 'zlib' | 'bzip2' | 'xz' | 'lzma';

const GZIP = [0x1f, 0x8b, 0x08] as const;
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] as const;
const BZIP2_BLOCK = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] as const;
const BZIP2_END = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90] as const;

/**
 * zlib header (RFC 1950): deflate, window ≤ 32 KiB, check bits, no preset dictionary — and the bytes
 * after it must start a valid deflate stream. The two header bytes alone collide with other formats
 * (a protocol-0 pickle starting `(S'` has a valid zlib header), so the head is trial-inflated.
 */
export function isZlib(head: Uint8Array): boolean {
  if (head.length < 3) return false;
  const cmf = head[0] as number;
  const flg = head[1] as number;
  if (!((cmf & 0x0f) === 8 && cmf >> 4 <= 7 && ((cmf << 8) | flg) % 31 === 0 && (flg & 0x20) === 0))
    return false;
  try {
    // A sync flush accepts a head cut short; invalid block types or codes throw. Output is tiny: the head is ≤ 512 bytes.
    inflateSync(head, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
  }
}

/**
 * LZMA-alone (`.lzma`, FORMAT_ALONE, joblib's 'lzma'): a 13-byte header of properties (lc/lp/pb < 225),
 * a dictionary size that liblzma writes as 2^n or 2^n + 2^(n-1), and an uncompressed size (or -1).
 */
export function isLzmaAlone(head: Uint8Array): boolean {
  if (head.length < 13) return false;
  const props = head[0] as number;
  if (props >= 9 * 5 * 5) return false;
  const dict =
    ((head[1] as number) | ((head[2] as number) << 8) | ((head[3] as number) << 16)) +
    (head[4] as number) * 0x1000000;
  let shaped = false;
  for (let n = 12; n <= 31 && !shaped; n++) shaped = dict === 2 ** n || dict === 2 ** n + 2 ** (n - 1);
  if (!shaped && dict !== 0xffffffff) return false;
  let allOnes = true;
  for (let i = 5; i < 13; i++) allOnes &&= head[i] === 0xff;
  // A known size must be plausible (< 2^48 bytes): the top two bytes zero.
  return allOnes || (head[11] === 0 && head[12] === 0);
}

function isBzip2(head: Uint8Array): boolean {
  if (!startsWith(head, [0x42, 0x5a, 0x68])) return false; // "BZh"
  const level = head[3] ?? 0;
  if (level < 0x31 || level > 0x39) return false;
  return startsWith(head, BZIP2_BLOCK, 4) || startsWith(head, BZIP2_END, 4);
}

/** Which compressed stream `head` starts (≥ 13 bytes recommended), or undefined. */
export function sniffCompression(head: Uint8Array): CompressionKind | undefined {
  if (startsWith(head, GZIP)) return 'gzip';
  if (startsWith(head, XZ)) return 'xz';
  if (isBzip2(head)) return 'bzip2';
  if (isZlib(head)) return 'zlib';
  if (isLzmaAlone(head)) return 'lzma';
  return undefined;
}
