import { ByteReader } from '../../core/byte-reader.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { ZIP_LIMITS, ZIP_RECORD, ZIP_SIG } from './limits.js';
import type { ZipAnomaly } from './types.js';

/** What the end-of-central-directory records say. Offsets are as stored (not yet shifted). */
export interface ZipEnd {
  eocdOffset: number;
  /** Offset of the ZIP64 end record when one was used. */
  zip64EocdOffset: number | undefined;
  entryCount: number;
  centralSize: number;
  centralOffset: number;
  commentLength: number;
  zip64: boolean;
  anomalies: ZipAnomaly[];
}

function u32At(b: Uint8Array, i: number): number {
  return (
    ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16)) +
    (b[i + 3] as number) * 0x1000000
  );
}

/**
 * Offset of the last end-of-central-directory signature in the tail of `source` (the record must fit
 * before the end), or undefined. Searches backwards like miniz and Python's zipfile.
 */
export function findEocd(source: ByteSource): number | undefined {
  if (source.size < ZIP_RECORD.eocd) return undefined;
  const len = Math.min(source.size, ZIP_LIMITS.eocdSearchBytes);
  const start = source.size - len;
  const tail = source.read(start, len);
  for (let i = len - ZIP_RECORD.eocd; i >= 0; i--) {
    if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
      return start + i;
    }
  }
  return undefined;
}

/** True when the tail of `source` holds an end-of-central-directory record (a zip, maybe a polyglot). */
export function hasZipEnd(source: ByteSource): boolean {
  return findEocd(source) !== undefined;
}

/** Reads the EOCD (and ZIP64 locator/record when present). Throws ModelguardError on unreadable records. */
export function readZipEnd(source: ByteSource, eocdOffset: number): ZipEnd {
  const anomalies: ZipAnomaly[] = [];
  const r = new ByteReader(source, eocdOffset);
  r.u32le('EOCD signature');
  const disk = r.u16le('EOCD disk');
  const cdDisk = r.u16le('EOCD central directory disk');
  const diskEntries = r.u16le('EOCD disk entries');
  let entryCount = r.u16le('EOCD entries');
  let centralSize = r.u32le('EOCD central directory size');
  let centralOffset = r.u32le('EOCD central directory offset');
  const commentLength = r.u16le('EOCD comment length');
  if (disk !== 0 || cdDisk !== 0 || diskEntries !== entryCount) {
    anomalies.push({
      kind: 'multi-disk',
      detail: `EOCD names disk ${disk}/${cdDisk}, ${diskEntries} of ${entryCount} entries on this disk`,
      offset: eocdOffset,
    });
  }
  const recordEnd = eocdOffset + ZIP_RECORD.eocd + commentLength;
  if (recordEnd < source.size) {
    anomalies.push({
      kind: 'trailing-data',
      detail: `${fmtInt(source.size - recordEnd)} bytes after the end-of-central-directory record`,
      offset: recordEnd,
    });
  } else if (recordEnd > source.size) {
    anomalies.push({
      kind: 'bad-directory',
      detail: `EOCD comment of ${commentLength} bytes runs past the end of the file`,
      offset: eocdOffset,
    });
  }

  let zip64 = false;
  let zip64EocdOffset: number | undefined;
  const locatorAt = eocdOffset - ZIP_RECORD.zip64Locator;
  const wantsZip64 = entryCount === 0xffff || centralSize === 0xffffffff || centralOffset === 0xffffffff;
  if (locatorAt >= 0 && u32At(source.read(locatorAt, 4), 0) === ZIP_SIG.zip64Locator) {
    const lr = new ByteReader(source, locatorAt + 4, eocdOffset);
    lr.u32le('ZIP64 locator disk');
    const recordAt = lr.u64leNumber('ZIP64 end record offset');
    // The record normally sits right before the locator; prepended data shifts the stored offset.
    const expectedAt = locatorAt - ZIP_RECORD.zip64Eocd;
    const at =
      recordAt + ZIP_RECORD.zip64Eocd <= source.size && isZip64Eocd(source, recordAt) ? recordAt : expectedAt;
    if (at >= 0 && isZip64Eocd(source, at)) {
      const z = new ByteReader(source, at + 4);
      z.u64le('ZIP64 record size');
      z.u16le('ZIP64 version made by');
      z.u16le('ZIP64 version needed');
      z.u32le('ZIP64 disk');
      z.u32le('ZIP64 central directory disk');
      z.u64le('ZIP64 disk entries');
      const count64 = z.u64leNumber('ZIP64 entries');
      const size64 = z.u64leNumber('ZIP64 central directory size');
      const offset64 = z.u64leNumber('ZIP64 central directory offset');
      entryCount = count64;
      centralSize = size64;
      centralOffset = offset64;
      zip64 = true;
      zip64EocdOffset = at;
    } else {
      anomalies.push({
        kind: 'bad-directory',
        detail: `ZIP64 locator points at ${recordAt}, where there is no ZIP64 end record`,
        offset: locatorAt,
      });
    }
  } else if (wantsZip64) {
    anomalies.push({
      kind: 'bad-directory',
      detail: 'EOCD fields are 0xFFFF/0xFFFFFFFF but no ZIP64 locator precedes it',
      offset: eocdOffset,
    });
  }
  return {
    eocdOffset,
    zip64EocdOffset,
    entryCount,
    centralSize,
    centralOffset,
    commentLength,
    zip64,
    anomalies,
  };
}

function isZip64Eocd(source: ByteSource, at: number): boolean {
  if (at < 0 || at + ZIP_RECORD.zip64Eocd > source.size) return false;
  return u32At(source.read(at, 4), 0) === ZIP_SIG.zip64Eocd;
}
