import { constants, inflateRawSync } from 'node:zlib';
import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import { type ByteSource, MemorySource, SliceSource } from '../../core/source.js';
import { ZIP_LIMITS } from './limits.js';
import { ZIP_METHOD, type ZipEntry, type ZipOpenResult } from './types.js';

export type ZipOpenLimits = Pick<ScanLimits, 'maxInflatedBytes' | 'maxCompressionRatio'>;

/** Deflate never expands more than this (RFC 1951 worst case ~1032:1). */
const DEFLATE_MAX_RATIO = 1032;
/** Output bytes kept from the head of a member that could not be inflated whole. */
const PARTIAL_OUTPUT_BYTES = 1 << 20;

/**
 * Opens an entry's data: stored entries as a zero-copy SliceSource, deflated ones inflated with a hard
 * output cap (`maxInflatedBytes`, tightened by `maxCompressionRatio`), so a bomb stops at the limit.
 * Flags are not consulted (a stored "encrypted" entry is returned as its raw bytes). CRC is not checked.
 * `budget` further caps the output (bytes left of the total inflation budget).
 */
export function openEntry(
  source: ByteSource,
  entry: ZipEntry,
  limits: ZipOpenLimits,
  budget = Number.POSITIVE_INFINITY,
): ZipOpenResult {
  if (entry.dataOffset === undefined) {
    return {
      ok: false,
      reason: 'bad-local-header',
      message: `'${entry.name}': local header unusable, data cannot be located`,
    };
  }
  if (entry.method === ZIP_METHOD.stored) {
    return { ok: true, source: new SliceSource(source, entry.dataOffset, entry.compressedSize), inflated: 0 };
  }
  if (entry.method !== ZIP_METHOD.deflate) {
    return {
      ok: false,
      reason: 'unsupported-method',
      message: `'${entry.name}': compression method ${entry.method} is not supported`,
    };
  }
  const ratioCap = Math.max(
    ZIP_LIMITS.ratioFloorBytes,
    Math.floor(entry.compressedSize * limits.maxCompressionRatio),
  );
  const cap = Math.max(1, Math.min(limits.maxInflatedBytes, ratioCap, budget));
  const compressed = source.read(entry.dataOffset, entry.compressedSize);
  try {
    const out = inflateRawSync(compressed, { maxOutputLength: cap });
    return { ok: true, source: new MemorySource(out), inflated: out.length };
  } catch (e) {
    const partial = inflatePrefix(compressed, Math.min(cap, PARTIAL_OUTPUT_BYTES));
    const withPartial = partial.length > 0 ? { partial: new MemorySource(partial) } : {};
    if (e instanceof RangeError || (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      const which =
        cap === budget
          ? {
              reason: 'total-limit' as const,
              why: `the total inflation budget (${fmtInt(budget)} bytes left)`,
            }
          : cap === limits.maxInflatedBytes
            ? { reason: 'bomb' as const, why: `maxInflatedBytes (${fmtInt(cap)})` }
            : {
                reason: 'bomb' as const,
                why: `maxCompressionRatio ${limits.maxCompressionRatio}:1 (${fmtInt(cap)} bytes from ${fmtInt(entry.compressedSize)})`,
              };
      return {
        ok: false,
        reason: which.reason,
        message: `'${entry.name}' inflates past ${which.why}`,
        ...withPartial,
      };
    }
    return {
      ok: false,
      reason: 'inflate-error',
      message: `'${entry.name}': deflate data is corrupt (${errorMessage(e)})`,
      ...withPartial,
    };
  }
}

/**
 * Up to `maxOutput` bytes from the start of a raw deflate stream, reading only enough compressed input
 * that the output cannot exceed the bound. Returns what could be decoded (empty on garbage).
 */
export function inflatePrefix(compressed: Uint8Array, maxOutput: number): Uint8Array {
  const inputBytes = Math.max(1, Math.min(compressed.length, Math.floor(maxOutput / DEFLATE_MAX_RATIO)));
  try {
    const out = inflateRawSync(compressed.subarray(0, inputBytes), { finishFlush: constants.Z_SYNC_FLUSH });
    return out.subarray(0, Math.min(out.length, maxOutput));
  } catch {
    return new Uint8Array(0);
  }
}

/**
 * The first `n` bytes of an entry's uncompressed data (fewer when it is shorter or unreadable), reading
 * at most a kilobyte of compressed input: enough to tell a pickle or container from raw tensor storage.
 */
export function sniffEntry(source: ByteSource, entry: ZipEntry, n = 16): Uint8Array {
  return entryHead(source, entry, n).slice();
}

/**
 * As sniffEntry, but may return a view into the source (valid until its next read): no copy for
 * callers that look at the bytes at once (the tensor-storage sniff of every member of a checkpoint).
 */
export function entryHead(source: ByteSource, entry: ZipEntry, n = 16): Uint8Array {
  if (entry.dataOffset === undefined) return new Uint8Array(0);
  if (entry.method === ZIP_METHOD.stored)
    return source.read(entry.dataOffset, Math.min(n, entry.compressedSize));
  if (entry.method !== ZIP_METHOD.deflate) return new Uint8Array(0);
  const take = Math.min(entry.compressedSize, ZIP_LIMITS.prefixInputBytes);
  const compressed = source.read(entry.dataOffset, take);
  try {
    const out = inflateRawSync(compressed, { finishFlush: constants.Z_SYNC_FLUSH });
    return out.subarray(0, Math.min(n, out.length));
  } catch {
    return new Uint8Array(0);
  }
}
