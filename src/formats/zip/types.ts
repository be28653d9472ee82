/** Typed results of the relaxed zip reader. Facts are data: the handler turns them into findings. */
import type { ByteSource } from '../../core/source.js';

/** General-purpose flag bits that change how (or whether) a loader reads an entry. */
export const ZIP_FLAG = {
  encrypted: 0x1,
  dataDescriptor: 0x8,
  patched: 0x20,
  strongEncryption: 0x40,
  utf8: 0x800,
} as const;

/** Compression methods the reader can open. */
export const ZIP_METHOD = { stored: 0, deflate: 8 } as const;

/** Something noteworthy about one entry, as seen by the reader. */
export type ZipEntryFactKind =
  /** Flag 0x1, 0x20 or 0x40 set in the central and/or local header (T36). */
  | 'flag-bits'
  /** Local header name differs from the central directory name (T37). */
  | 'name-mismatch'
  /** Another entry has the same central name (T39); loaders use the last. */
  | 'duplicate-name'
  /** Compression method other than stored/deflate. */
  | 'unsupported-method'
  /** Local header missing, unreadable, or data running past the end of the file. */
  | 'bad-local-header'
  /** The entry's bytes overlap another entry's (overlapping-entry zip bombs). */
  | 'overlap'
  /** Declared sizes claim a ratio beyond the limit. */
  | 'declared-ratio'
  /** Absolute path, drive letter or `..` segment in the name (zip slip). */
  | 'path-traversal'
  /** Unix symlink entry (external attributes). */
  | 'symlink';

export interface ZipEntryFact {
  kind: ZipEntryFactKind;
  detail: string;
}

export interface ZipEntry {
  /** Position in the central directory, from 0. */
  index: number;
  /** Central directory name (UTF-8, lenient). The name loaders look entries up by. */
  name: string;
  /** Raw central name bytes (names are compared byte for byte). */
  rawName: Uint8Array;
  /** Local header name, when the local header could be read. */
  localName: string | undefined;
  method: number;
  /** Central directory general-purpose flags. */
  flags: number;
  /** Local header flags, when the local header could be read. */
  localFlags: number | undefined;
  /** Stored CRC-32 (never checked: PyTorch ignores it, T38). */
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Absolute offset of the local header in the source (after any prepended-data adjustment). */
  localHeaderOffset: number;
  /** Absolute offset of the entry's data, undefined when the local header is unusable. */
  dataOffset: number | undefined;
  /** True when sizes or offsets came from a ZIP64 extra field. */
  zip64: boolean;
  /** Unix mode from the external attributes, when made on Unix. */
  unixMode: number | undefined;
  facts: ZipEntryFact[];
}

export type ZipAnomalyKind =
  /** Bytes before the first entry that no entry accounts for (polyglot, T35). */
  | 'prepended-data'
  /** Bytes after the end-of-central-directory record and its comment. */
  | 'trailing-data'
  /** EOCD/ZIP64 record inconsistent, or the central directory lies outside the file. */
  | 'bad-directory'
  /** Entry count in the EOCD differs from the records found. */
  | 'count-mismatch'
  /** More entries than maxEntries; the rest were not read. */
  | 'too-many-entries'
  /** Multi-disk (spanned) archive fields. */
  | 'multi-disk';

export interface ZipAnomaly {
  kind: ZipAnomalyKind;
  detail: string;
  offset?: number;
  /** For prepended-data: the byte range [0, length). */
  length?: number;
}

export interface ZipDirectory {
  entries: ZipEntry[];
  anomalies: ZipAnomaly[];
  /** Offset of the end-of-central-directory record. */
  eocdOffset: number;
  /** Offset where the central directory actually starts. */
  centralDirectoryOffset: number;
  /** Offset of the lowest local header (where the archive really begins). */
  firstEntryOffset: number;
  /** Bytes by which stored offsets are shifted (prepended data, as Python's zipfile computes it). */
  shift: number;
  zip64: boolean;
}

/** Why an entry could not be opened. */
export type ZipOpenFailureReason =
  | 'bad-local-header'
  | 'unsupported-method'
  | 'bomb'
  | 'inflate-error'
  | 'total-limit';

export type ZipOpenResult =
  | { ok: true; source: ByteSource; inflated: number }
  | {
      ok: false;
      reason: ZipOpenFailureReason;
      message: string;
      /** A bounded prefix of the data, when one could be read (so a bomb's head is still analysed). */
      partial?: ByteSource;
    };
