import { ByteReader } from '../../core/byte-reader.js';
import { utf8Of } from '../../core/bytes.js';
import { MalformedError, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import { traversalReason } from '../../core/paths.js';
import type { ByteSource } from '../../core/source.js';
import { findEocd, readZipEnd } from './eocd.js';
import { ZIP_LIMITS, ZIP_SIG } from './limits.js';
import { readLocalHeader } from './local.js';
import type { ZipAnomaly, ZipDirectory, ZipEntry } from './types.js';

export type ZipReadLimits = Pick<ScanLimits, 'maxEntries' | 'maxCompressionRatio'>;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const UNIX_HOST = 3;

function u32At(b: Uint8Array, i = 0): number {
  return (
    ((b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16)) +
    (b[i + 3] as number) * 0x1000000
  );
}

function sigAt(source: ByteSource, at: number, sig: number): boolean {
  return at >= 0 && at + 4 <= source.size && u32At(source.read(at, 4)) === sig;
}

/**
 * Reads the central directory the way PyTorch's miniz reader does, relaxed: every inconsistency is
 * recorded as a fact or anomaly instead of stopping. Throws a ModelguardError only when no central
 * directory can be located at all.
 */
export function readZipDirectory(source: ByteSource, limits: ZipReadLimits): ZipDirectory {
  const eocdOffset = findEocd(source);
  if (eocdOffset === undefined)
    throw new MalformedError('zip: no end-of-central-directory record in the last 64 KiB');
  const end = readZipEnd(source, eocdOffset);
  const anomalies: ZipAnomaly[] = [...end.anomalies];
  const realEnd = end.zip64EocdOffset ?? eocdOffset;

  // miniz trusts the stored offset; Python's zipfile shifts every offset by the bytes in front.
  let cdStart: number;
  let shift = 0;
  const realStart = realEnd - end.centralSize;
  if (end.centralSize === 0 && end.entryCount === 0) {
    cdStart = realEnd;
    shift = realEnd - end.centralOffset;
  } else if (
    end.centralOffset + end.centralSize <= realEnd &&
    sigAt(source, end.centralOffset, ZIP_SIG.central)
  ) {
    cdStart = end.centralOffset;
  } else if (realStart > end.centralOffset && sigAt(source, realStart, ZIP_SIG.central)) {
    cdStart = realStart;
    shift = realStart - end.centralOffset;
  } else {
    throw new MalformedError(
      `zip: central directory (${fmtInt(end.centralSize)} bytes at ${fmtInt(end.centralOffset)}) is not inside the file of ${fmtInt(source.size)} bytes`,
      eocdOffset,
    );
  }
  if (cdStart + end.centralSize !== realEnd) {
    anomalies.push({
      kind: 'bad-directory',
      detail: `central directory ends at ${cdStart + end.centralSize}, end record is at ${realEnd}`,
      offset: cdStart,
    });
  }
  if (end.entryCount > limits.maxEntries) {
    anomalies.push({
      kind: 'too-many-entries',
      detail: `end record declares ${fmtInt(end.entryCount)} entries, limit maxEntries is ${fmtInt(limits.maxEntries)}`,
    });
  }

  const entries = readCentralRecords(
    source,
    cdStart,
    Math.min(realEnd, cdStart + end.centralSize),
    shift,
    limits,
    anomalies,
  );
  if (entries.length !== end.entryCount && entries.length < limits.maxEntries) {
    anomalies.push({
      kind: 'count-mismatch',
      detail: `end record declares ${fmtInt(end.entryCount)} entries, central directory holds ${fmtInt(entries.length)}`,
    });
  }
  for (const e of entries) readLocalHeader(source, e);
  markDuplicates(entries);
  markOverlaps(entries, cdStart);
  for (const e of entries) {
    if (
      e.uncompressedSize > ZIP_LIMITS.ratioFloorBytes &&
      e.uncompressedSize > limits.maxCompressionRatio * Math.max(1, e.compressedSize)
    ) {
      e.facts.push({
        kind: 'declared-ratio',
        detail: `declares ${fmtInt(e.uncompressedSize)} bytes from ${fmtInt(e.compressedSize)} compressed`,
      });
    }
  }

  const firstEntryOffset = entries.reduce((m, e) => Math.min(m, e.localHeaderOffset), cdStart);
  if (firstEntryOffset > 0) {
    anomalies.push({
      kind: 'prepended-data',
      detail: `${fmtInt(firstEntryOffset)} bytes before the first zip entry${shift > 0 ? ' (stored offsets are shifted by the same amount)' : ''}`,
      offset: 0,
      length: firstEntryOffset,
    });
  }
  return {
    entries,
    anomalies: anomalies.slice(0, ZIP_LIMITS.maxAnomalies),
    eocdOffset,
    centralDirectoryOffset: cdStart,
    firstEntryOffset,
    shift,
    zip64: end.zip64,
  };
}

function readCentralRecords(
  source: ByteSource,
  start: number,
  end: number,
  shift: number,
  limits: ZipReadLimits,
  anomalies: ZipAnomaly[],
): ZipEntry[] {
  const entries: ZipEntry[] = [];
  const r = new ByteReader(source, start, end);
  while (r.remaining >= 4) {
    if (entries.length >= limits.maxEntries) {
      anomalies.push({
        kind: 'too-many-entries',
        detail: `stopped after ${fmtInt(limits.maxEntries)} entries (maxEntries)`,
        offset: r.pos,
      });
      break;
    }
    const at = r.pos;
    try {
      const sig = r.u32le('central signature');
      if (sig !== ZIP_SIG.central) {
        anomalies.push({
          kind: 'bad-directory',
          detail: `no central directory record at ${at} (signature 0x${sig.toString(16)})`,
          offset: at,
        });
        break;
      }
      entries.push(readCentralRecord(r, entries.length, shift));
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      anomalies.push({
        kind: 'bad-directory',
        detail: `central record ${entries.length} at ${at}: ${e.message}`,
        offset: at,
      });
      break;
    }
  }
  return entries;
}

function readCentralRecord(r: ByteReader, index: number, shift: number): ZipEntry {
  const madeBy = r.u16le('version made by');
  r.u16le('version needed');
  const flags = r.u16le('flags');
  const method = r.u16le('method');
  r.u32le('time/date');
  const crc32 = r.u32le('crc');
  let compressedSize = r.u32le('compressed size');
  let uncompressedSize = r.u32le('uncompressed size');
  const nameLength = r.u16le('name length');
  const extraLength = r.u16le('extra length');
  const commentLength = r.u16le('comment length');
  r.u16le('disk');
  r.u16le('internal attributes');
  const external = r.u32le('external attributes');
  let localOffset = r.u32le('local header offset');
  const rawName = r.bytes(nameLength, 'entry name').slice();
  const extra = r.bytes(extraLength, 'extra field'); // a view: only parsed below, never kept
  r.skip(commentLength, 'entry comment');

  const facts: ZipEntry['facts'] = [];
  let zip64 = false;
  const z = zip64Extra(extra);
  if (z !== undefined) {
    const zr = ByteReader.of(z);
    const take = (wanted: boolean, what: string): number | undefined =>
      wanted && zr.remaining >= 8 ? zr.u64leNumber(what) : undefined;
    const need = [uncompressedSize === 0xffffffff, compressedSize === 0xffffffff, localOffset === 0xffffffff];
    const values = [
      take(need[0] === true, 'ZIP64 size'),
      take(need[1] === true, 'ZIP64 compressed size'),
      take(need[2] === true, 'ZIP64 offset'),
    ];
    if (need.some((n, i) => n && values[i] === undefined))
      facts.push({ kind: 'bad-local-header', detail: 'ZIP64 extra field too short' });
    uncompressedSize = values[0] ?? uncompressedSize;
    compressedSize = values[1] ?? compressedSize;
    localOffset = values[2] ?? localOffset;
    zip64 = need.some(Boolean);
  }
  const name = utf8Of(rawName);
  const unixMode = madeBy >> 8 === UNIX_HOST ? external >>> 16 : undefined;
  const traversal = traversalReason(name);
  if (traversal) facts.push({ kind: 'path-traversal', detail: `${traversal} in '${name}'` });
  if (unixMode !== undefined && (unixMode & S_IFMT) === S_IFLNK)
    facts.push({ kind: 'symlink', detail: `'${name}' is a symbolic link` });
  if (method !== 0 && method !== 8)
    facts.push({ kind: 'unsupported-method', detail: `compression method ${method}` });
  return {
    index,
    name,
    rawName,
    localName: undefined,
    method,
    flags,
    localFlags: undefined,
    crc32,
    compressedSize,
    uncompressedSize,
    localHeaderOffset: localOffset + shift,
    dataOffset: undefined,
    zip64,
    unixMode,
    facts,
  };
}

/** The ZIP64 extended-information extra field (id 0x0001), if present. */
function zip64Extra(extra: Uint8Array): Uint8Array | undefined {
  let i = 0;
  while (i + 4 <= extra.length) {
    const id = (extra[i] as number) | ((extra[i + 1] as number) << 8);
    const size = (extra[i + 2] as number) | ((extra[i + 3] as number) << 8);
    if (i + 4 + size > extra.length) return undefined;
    if (id === 0x0001) return extra.subarray(i + 4, i + 4 + size);
    i += 4 + size;
  }
  return undefined;
}

/** Entry indices listed in a duplicate-name fact. */
const MAX_LISTED_DUPLICATES = 10;

function markDuplicates(entries: ZipEntry[]): void {
  // One map entry per name holding the first entry; a list only for names seen twice (rare).
  const first = new Map<string, ZipEntry>();
  const copies = new Map<string, ZipEntry[]>();
  for (const e of entries) {
    const seen = first.get(e.name);
    if (seen === undefined) {
      first.set(e.name, e);
      continue;
    }
    const list = copies.get(e.name);
    if (list) list.push(e);
    else copies.set(e.name, [seen, e]);
  }
  // Names in order of first appearance, as before.
  const dups = [...copies].sort((a, b) => (a[1][0] as ZipEntry).index - (b[1][0] as ZipEntry).index);
  for (const [name, list] of dups) {
    const last = list[list.length - 1] as ZipEntry;
    // One detail string per name, shared by its copies, listing at most a few indices: a hostile zip of
    // 100,000 copies of one name must cost O(n), not a 100,000-index string per copy.
    const shown = list.slice(0, MAX_LISTED_DUPLICATES).map((x) => x.index);
    const more = list.length > shown.length ? `, … ${fmtInt(list.length - shown.length)} more` : '';
    const fact = {
      kind: 'duplicate-name',
      detail: `'${name}' appears ${fmtInt(list.length)} times (entries ${shown.join(', ')}${more}); loaders use the last, entry ${last.index}`,
    } as const;
    for (const e of list) e.facts.push(fact);
  }
}

function markOverlaps(entries: ZipEntry[], cdStart: number): void {
  const placed = entries
    .filter((e) => e.dataOffset !== undefined)
    .sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 0; i < placed.length; i++) {
    const a = placed[i] as ZipEntry;
    const aEnd = (a.dataOffset as number) + a.compressedSize;
    const b = placed[i + 1];
    if (b !== undefined && aEnd > b.localHeaderOffset) {
      const detail = `data of '${a.name}' (to ${aEnd}) overlaps the entry '${b.name}' at ${b.localHeaderOffset}`;
      a.facts.push({ kind: 'overlap', detail });
      b.facts.push({ kind: 'overlap', detail });
    } else if (b === undefined && aEnd > cdStart) {
      a.facts.push({
        kind: 'overlap',
        detail: `data of '${a.name}' (to ${aEnd}) runs into the central directory at ${cdStart}`,
      });
    }
  }
}
