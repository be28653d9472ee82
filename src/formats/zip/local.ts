import { utf8Of } from '../../core/bytes.js';
import { ModelguardError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { ZIP_RECORD, ZIP_SIG } from './limits.js';
import { sameBytes } from './names.js';
import { ZIP_FLAG, type ZipEntry } from './types.js';

const FLAG_NAMES: ReadonlyArray<readonly [number, string]> = [
  [ZIP_FLAG.encrypted, '0x1 (encrypted)'],
  [ZIP_FLAG.patched, '0x20 (patched data)'],
  [ZIP_FLAG.strongEncryption, '0x40 (strong encryption)'],
];

/** Flag bits that make Python's zipfile or torch refuse (or mis-read) an entry. */
export const RISKY_FLAGS = ZIP_FLAG.encrypted | ZIP_FLAG.patched | ZIP_FLAG.strongEncryption;

function u16At(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8);
}

function u32At(b: Uint8Array, i: number): number {
  return u16At(b, i) + u16At(b, i + 2) * 0x10000;
}

/**
 * Reads the local header of `entry` and records what differs from the central directory. Sets
 * `localName`, `localFlags` and `dataOffset` (undefined when the header is unusable).
 */
export function readLocalHeader(source: ByteSource, entry: ZipEntry): void {
  const at = entry.localHeaderOffset;
  try {
    if (at < 0 || at + ZIP_RECORD.local > source.size) {
      entry.facts.push({
        kind: 'bad-local-header',
        detail: `local header offset ${fmtInt(at)} is outside the file of ${fmtInt(source.size)} bytes`,
      });
      return;
    }
    // Exact-size reads: a sliding window here would pull a megabyte per entry from big checkpoints.
    // Fields are read straight from the header bytes (no reader object per entry: 20k-entry zips).
    // One read for the header and, when it is as long as the central name (the usual case), its name.
    const h = source.read(at, Math.min(ZIP_RECORD.local + entry.rawName.length, source.size - at));
    const sig = u32At(h, 0);
    if (sig !== ZIP_SIG.local) {
      entry.facts.push({
        kind: 'bad-local-header',
        detail: `no local header at ${fmtInt(at)} (signature 0x${sig.toString(16)})`,
      });
      return;
    }
    const flags = u16At(h, 6);
    const nameLength = u16At(h, 26);
    const extraLength = u16At(h, 28);
    const nameAt = at + ZIP_RECORD.local;
    if (nameAt + nameLength + extraLength > source.size) {
      entry.localFlags = flags;
      entry.facts.push({
        kind: 'bad-local-header',
        detail: `local header at ${fmtInt(at)} runs past the end of the file`,
      });
      return;
    }
    entry.localFlags = flags;
    // The usual case: the same bytes as the central name, hence the same decoded string (no copy, no decode).
    if (nameLength === entry.rawName.length && sameBytes(entry.rawName, h, ZIP_RECORD.local)) {
      entry.localName = entry.name;
    } else {
      entry.localName = utf8Of(source.read(nameAt, nameLength));
      entry.facts.push({
        kind: 'name-mismatch',
        detail: `central directory says '${entry.name}', local header says '${entry.localName}'`,
      });
    }
    const dataOffset = nameAt + nameLength + extraLength;
    if (dataOffset + entry.compressedSize > source.size) {
      entry.facts.push({
        kind: 'bad-local-header',
        detail: `data (${fmtInt(entry.compressedSize)} bytes at ${fmtInt(dataOffset)}) runs past the end of the file`,
      });
      return;
    }
    entry.dataOffset = dataOffset;
  } catch (e) {
    if (!(e instanceof ModelguardError)) throw e;
    entry.facts.push({ kind: 'bad-local-header', detail: `local header at ${fmtInt(at)}: ${e.message}` });
  } finally {
    const risky = (entry.flags | (entry.localFlags ?? 0)) & RISKY_FLAGS;
    if (risky !== 0)
      entry.facts.push({ kind: 'flag-bits', detail: describeFlags(entry.flags, entry.localFlags) });
  }
}

/** "flag 0x1 (encrypted) in central and local headers; flag 0x40 … in local header only". */
export function describeFlags(central: number, local: number | undefined): string {
  const parts: string[] = [];
  for (const [bit, label] of FLAG_NAMES) {
    const c = (central & bit) !== 0;
    const l = local !== undefined && (local & bit) !== 0;
    if (c && l) parts.push(`flag ${label} in central and local headers`);
    else if (c) parts.push(`flag ${label} in the central directory only`);
    else if (l) parts.push(`flag ${label} in the local header only`);
  }
  return parts.join('; ');
}
