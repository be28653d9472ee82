import { utf8Of } from '../../core/bytes.js';
import { MalformedError, ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ScanLimits } from '../../core/limits.js';
import { traversalReason } from '../../core/paths.js';
import { type ByteSource, SliceSource } from '../../core/source.js';
import { BLOCK, isZeroBlock, parseHeader, type RawHeader } from './header.js';
import { TAR_TYPE, type TarAnomaly, type TarArchive, type TarEntry, type TarEntryKind } from './types.js';

export const TAR_LIMITS = {
  /** Bytes of one pax extended header or GNU long name read into memory. CWE-789. */
  maxMetaBytes: 1 << 20,
  /** Bytes after the end marker inspected for hidden data. Bounds the trailing scan. CWE-400. */
  trailingScanBytes: 1 << 20,
} as const;

export type TarReadLimits = Pick<ScanLimits, 'maxEntries'>;

const REGULAR = new Set<string>([
  TAR_TYPE.regular,
  TAR_TYPE.regularOld,
  TAR_TYPE.contiguous,
  TAR_TYPE.gnuSparse,
]);
const KNOWN = new Set<string>([
  '0',
  '\0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  'x',
  'g',
  'L',
  'K',
  'S',
  'V',
  'M',
  'N',
]);

function kindOf(t: string): TarEntryKind {
  if (REGULAR.has(t)) return 'file';
  switch (t) {
    case TAR_TYPE.directory:
      return 'directory';
    case TAR_TYPE.symlink:
      return 'symlink';
    case TAR_TYPE.hardlink:
      return 'hardlink';
    case TAR_TYPE.charDevice:
    case TAR_TYPE.blockDevice:
      return 'device';
    case TAR_TYPE.fifo:
      return 'fifo';
    default:
      // POSIX: unknown types are read as regular files (so does Python's tarfile).
      return KNOWN.has(t) ? 'other' : 'file';
  }
}

/** Parses pax records (`"%d %s=%s\n"`). Throws MalformedError on a bad record. */
export function parsePax(data: Uint8Array, at: number): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    if (data[i] === 0) break;
    const sp = data.indexOf(0x20, i);
    if (sp < 0 || sp - i > 20) throw new MalformedError('tar pax record without a length', at + i);
    const len = Number(String.fromCharCode(...data.subarray(i, sp)));
    if (!Number.isInteger(len) || len <= sp - i || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw new MalformedError('tar pax record length is wrong', at + i);
    }
    const rec = utf8Of(data.subarray(sp + 1, i + len - 1));
    const eq = rec.indexOf('=');
    if (eq < 0) throw new MalformedError('tar pax record without "="', at + i);
    out.set(rec.slice(0, eq), rec.slice(eq + 1));
    i += len;
  }
  return out;
}

function cstring(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return utf8Of(nul < 0 ? b : b.subarray(0, nul));
}

/**
 * Reads a tar archive the way Python's tarfile does (the reader legacy `torch.load` uses): ustar, pax
 * and GNU headers, checksums verified, long names applied, sizes bounded by the file. Entries are
 * zero-copy slices. Problems are anomalies; reading stops at the first unreadable header.
 */
export function readTar(source: ByteSource, limits: TarReadLimits): TarArchive {
  const entries: TarEntry[] = [];
  const anomalies: TarAnomaly[] = [];
  const seen = new Map<string, number>();
  const globalPax = new Map<string, string>();
  let pax: Map<string, string> | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let flavour: TarArchive['flavour'] | undefined;
  let sawPax = false;
  let pos = 0;
  let ended = false;
  while (pos + BLOCK <= source.size) {
    const block = source.read(pos, BLOCK);
    if (isZeroBlock(block)) {
      ended = true;
      checkTrailing(source, pos, anomalies);
      break;
    }
    let h: RawHeader;
    try {
      h = parseHeader(block, pos);
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      anomalies.push({ kind: 'bad-header', detail: e.message, offset: pos });
      break;
    }
    if (!h.checksumOk) {
      anomalies.push({
        kind: 'bad-checksum',
        detail: `header checksum ${h.storedChecksum ?? 'unreadable'} does not match the header at ${fmtInt(pos)}`,
        offset: pos,
      });
      break;
    }
    flavour ??= h.magic;
    const kind = kindOf(h.typeFlag);
    const merged = new Map([...globalPax, ...(pax ?? [])]);
    const paxSize = merged.get('size');
    const size = paxSize !== undefined && /^\d+$/.test(paxSize) ? Number(paxSize) : h.size;
    const isMeta = 'xgLK'.includes(h.typeFlag) && h.typeFlag !== '';
    const hasData = isMeta || kind === 'file' || kind === 'other';
    const dataSize = hasData ? size : 0;
    const dataOffset = pos + BLOCK;
    if (dataOffset + dataSize > source.size) {
      anomalies.push({
        kind: 'truncated',
        detail: `member at ${fmtInt(pos)} declares ${fmtInt(dataSize)} bytes, only ${fmtInt(source.size - dataOffset)} remain`,
        offset: pos,
      });
      break;
    }
    const next = dataOffset + Math.ceil(dataSize / BLOCK) * BLOCK;
    if (isMeta) {
      if (dataSize > TAR_LIMITS.maxMetaBytes) {
        anomalies.push({
          kind: 'bad-header',
          detail: `metadata member of ${fmtInt(dataSize)} bytes exceeds ${fmtInt(TAR_LIMITS.maxMetaBytes)}`,
          offset: pos,
        });
        break;
      }
      const data = source.read(dataOffset, dataSize);
      try {
        if (h.typeFlag === TAR_TYPE.paxNext) pax = parsePax(data, dataOffset);
        else if (h.typeFlag === TAR_TYPE.paxGlobal)
          for (const [k, v] of parsePax(data, dataOffset)) globalPax.set(k, v);
        else if (h.typeFlag === TAR_TYPE.gnuLongName) longName = cstring(data);
        else longLink = cstring(data);
      } catch (e) {
        if (!(e instanceof ModelguardError)) throw e;
        anomalies.push({ kind: 'bad-header', detail: e.message, offset: e.offset ?? pos });
        break;
      }
      sawPax ||= h.typeFlag === TAR_TYPE.paxNext || h.typeFlag === TAR_TYPE.paxGlobal;
      pos = next;
      continue;
    }
    if (entries.length >= limits.maxEntries) {
      anomalies.push({
        kind: 'too-many-entries',
        detail: `stopped after ${fmtInt(limits.maxEntries)} entries (maxEntries)`,
        offset: pos,
      });
      break;
    }
    const baseName = h.prefix ? `${h.prefix}/${h.name}` : h.name;
    let name = merged.get('path') ?? longName ?? baseName;
    if (kind === 'directory') name = name.replace(/\/+$/, '');
    const linkName =
      kind === 'symlink' || kind === 'hardlink'
        ? (merged.get('linkpath') ?? longLink ?? h.linkName)
        : undefined;
    const entry: TarEntry = {
      index: entries.length,
      name,
      typeFlag: h.typeFlag,
      kind,
      linkName,
      mode: h.mode,
      size: dataSize,
      headerOffset: pos,
      dataOffset,
      source: new SliceSource(source, dataOffset, dataSize),
      facts: [],
    };
    addFacts(entry, seen);
    entries.push(entry);
    pax = undefined;
    longName = undefined;
    longLink = undefined;
    pos = next;
  }
  if (!ended && anomalies.length === 0) {
    if (pos < source.size)
      anomalies.push({
        kind: 'truncated',
        detail: `${fmtInt(source.size - pos)} bytes at the end are less than a header block`,
        offset: pos,
      });
    else
      anomalies.push({
        kind: 'no-end-marker',
        detail: 'archive ends without the two zero blocks',
        offset: pos,
      });
  }
  return { entries, anomalies, flavour: flavour ?? 'v7', pax: sawPax };
}

function addFacts(entry: TarEntry, seen: Map<string, number>): void {
  const t = traversalReason(entry.name);
  if (t) entry.facts.push({ kind: 'path-traversal', detail: `${t} in '${entry.name}'` });
  if (entry.linkName !== undefined) {
    entry.facts.push({
      kind: 'link',
      detail: `'${entry.name}' is a ${entry.kind === 'symlink' ? 'symbolic' : 'hard'} link to '${entry.linkName}'`,
    });
    const lt = traversalReason(entry.linkName);
    if (lt)
      entry.facts.push({
        kind: 'path-traversal',
        detail: `link target of '${entry.name}' has ${lt}: '${entry.linkName}'`,
      });
  }
  if (entry.kind === 'device' || entry.kind === 'fifo')
    entry.facts.push({ kind: 'special-file', detail: `'${entry.name}' is a ${entry.kind}` });
  if (entry.typeFlag === TAR_TYPE.gnuSparse)
    entry.facts.push({ kind: 'sparse', detail: `'${entry.name}' is a GNU sparse file` });
  const prev = seen.get(entry.name);
  if (prev !== undefined && entry.kind !== 'directory') {
    entry.facts.push({
      kind: 'duplicate-name',
      detail: `'${entry.name}' repeats member ${prev}; extraction keeps the last`,
    });
  }
  seen.set(entry.name, entry.index);
}

function checkTrailing(source: ByteSource, at: number, anomalies: TarAnomaly[]): void {
  const len = Math.min(source.size - at, TAR_LIMITS.trailingScanBytes);
  const tail = source.read(at, len);
  const nz = tail.findIndex((b) => b !== 0);
  if (nz >= 0)
    anomalies.push({
      kind: 'trailing-data',
      detail: `non-zero bytes at ${fmtInt(at + nz)}, after the end-of-archive marker`,
      offset: at + nz,
    });
}
