import { utf8Of } from '../../core/bytes.js';
import { MalformedError } from '../../core/errors.js';

export const BLOCK = 512;

/** The fields of one 512-byte tar header block. */
export interface RawHeader {
  name: string;
  mode: number;
  size: number;
  typeFlag: string;
  linkName: string;
  magic: 'ustar' | 'gnu' | 'v7';
  prefix: string;
  checksumOk: boolean;
  storedChecksum: number | undefined;
}

function cstr(b: Uint8Array, start: number, len: number): string {
  const field = b.subarray(start, start + len);
  const nul = field.indexOf(0);
  return utf8Of(nul < 0 ? field : field.subarray(0, nul));
}

/** Parses an octal (or GNU base-256) numeric field; throws MalformedError on garbage. */
export function numField(b: Uint8Array, start: number, len: number, what: string): number {
  const first = b[start] as number;
  if (first & 0x80) {
    if (first === 0xff) throw new MalformedError(`tar ${what}: negative base-256 value`, start);
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) {
      v = v * 256 + (b[start + i] as number);
      if (v > Number.MAX_SAFE_INTEGER)
        throw new MalformedError(`tar ${what}: base-256 value exceeds 2^53`, start);
    }
    return v;
  }
  const text = String.fromCharCode(...b.subarray(start, start + len))
    .replace(/[\0 ]+$/, '')
    .replace(/^[ ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text))
    throw new MalformedError(`tar ${what}: '${text.slice(0, 16)}' is not octal`, start);
  const v = Number.parseInt(text, 8);
  if (!Number.isSafeInteger(v)) throw new MalformedError(`tar ${what}: value exceeds 2^53`, start);
  return v;
}

/** Unsigned and signed sums with the checksum field counted as spaces (both are accepted, as tarfile does). */
export function checksums(b: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const v = i >= 148 && i < 156 ? 0x20 : (b[i] as number);
    unsigned += v;
    signed += v > 127 ? v - 256 : v;
  }
  return { unsigned, signed };
}

export function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0) return false;
  return true;
}

/** Parses a header block (must be BLOCK bytes). */
export function parseHeader(b: Uint8Array, offset: number): RawHeader {
  const magicText = String.fromCharCode(...b.subarray(257, 263));
  const magic = magicText === 'ustar\0' ? 'ustar' : magicText === 'ustar ' ? 'gnu' : 'v7';
  let storedChecksum: number | undefined;
  try {
    storedChecksum = numField(b, 148, 8, 'checksum');
  } catch {
    storedChecksum = undefined;
  }
  const sums = checksums(b);
  const checksumOk = storedChecksum === sums.unsigned || storedChecksum === sums.signed;
  const typeByte = b[156] as number;
  let size: number;
  let mode: number;
  try {
    size = numField(b, 124, 12, 'size');
    mode = numField(b, 100, 8, 'mode');
  } catch (e) {
    if (e instanceof MalformedError) throw new MalformedError(e.message, offset + (e.offset ?? 0));
    throw e;
  }
  return {
    name: cstr(b, 0, 100),
    mode,
    size,
    typeFlag: String.fromCharCode(typeByte),
    linkName: cstr(b, 157, 100),
    magic,
    prefix: magic === 'ustar' ? cstr(b, 345, 155) : '',
    checksumOk,
    storedChecksum,
  };
}

/** True when `head` (at least 512 bytes) looks like a tar header: ustar magic, or a v7 header with a valid checksum. */
export function isTar(head: Uint8Array): boolean {
  if (head.length < BLOCK) return false;
  const magic = String.fromCharCode(...head.subarray(257, 262));
  if (magic === 'ustar') return true;
  if (isZeroBlock(head)) return false;
  try {
    const stored = numField(head, 148, 8, 'checksum');
    const sums = checksums(head);
    return stored === sums.unsigned || stored === sums.signed;
  } catch {
    return false;
  }
}
