import type { ByteSource } from '../../core/source.js';

/** Tar type flags, as the loaders interpret them. */
export const TAR_TYPE = {
  regular: '0',
  regularOld: '\0',
  hardlink: '1',
  symlink: '2',
  charDevice: '3',
  blockDevice: '4',
  directory: '5',
  fifo: '6',
  contiguous: '7',
  paxNext: 'x',
  paxGlobal: 'g',
  gnuLongName: 'L',
  gnuLongLink: 'K',
  gnuSparse: 'S',
} as const;

export type TarEntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

export type TarFactKind =
  /** Absolute path or `..` segment in the member or link name (CWE-22). */
  | 'path-traversal'
  /** Symbolic or hard link (CWE-59). */
  | 'link'
  /** Character/block device or FIFO member. */
  | 'special-file'
  /** Same name as an earlier member; extraction keeps the last. */
  | 'duplicate-name'
  /** GNU sparse member: its data is a map, not the file's bytes. */
  | 'sparse';

export interface TarFact {
  kind: TarFactKind;
  detail: string;
}

export interface TarEntry {
  index: number;
  /** Full name after pax `path` / GNU long-name / ustar prefix are applied. */
  name: string;
  typeFlag: string;
  kind: TarEntryKind;
  /** Link target for symlinks and hard links. */
  linkName: string | undefined;
  mode: number;
  size: number;
  /** Offset of the header block. */
  headerOffset: number;
  /** Offset of the data. */
  dataOffset: number;
  /** The data, zero-copy. */
  source: ByteSource;
  facts: TarFact[];
}

export type TarAnomalyKind =
  /** Header checksum wrong: Python's tarfile stops reading here (or refuses the archive at offset 0). */
  | 'bad-checksum'
  /** A header or its data runs past the end of the file. */
  | 'truncated'
  /** A header field could not be parsed. */
  | 'bad-header'
  /** Non-zero bytes after the end-of-archive marker. */
  | 'trailing-data'
  /** More entries than maxEntries; the rest were not read. */
  | 'too-many-entries'
  /** No end-of-archive marker before the end of the file. */
  | 'no-end-marker';

export interface TarAnomaly {
  kind: TarAnomalyKind;
  detail: string;
  offset: number;
}

export interface TarArchive {
  entries: TarEntry[];
  anomalies: TarAnomaly[];
  /** 'ustar' | 'gnu' | 'v7' — of the first header. */
  flavour: 'ustar' | 'gnu' | 'v7';
  /** True when any pax header was seen. */
  pax: boolean;
}
