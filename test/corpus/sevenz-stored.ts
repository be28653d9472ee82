/**
 * A minimal 7z writer for test inputs: every file is its own folder with the Copy coder (stored, no
 * compression), no times, no attributes, no CRCs — the smallest archive 7-Zip lists and extracts.
 * Layout per 7zFormat.txt: 32-byte signature header, packed streams, then the (unencoded) header.
 */
import { crc32 } from 'node:zlib';
import { concat } from './pickle-kit.js';

const SIGNATURE = [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04];
const ID = {
  end: 0x00,
  header: 0x01,
  mainStreamsInfo: 0x04,
  filesInfo: 0x05,
  packInfo: 0x06,
  unpackInfo: 0x07,
  size: 0x09,
  folder: 0x0b,
  codersUnpackSize: 0x0c,
  name: 0x11,
} as const;

/** 7z variable-length UINT64 (first byte's leading 1-bits count the extra little-endian bytes). */
export function sevenZipNumber(value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`bad 7z number ${value}`);
  for (let extra = 0; extra < 8; extra++) {
    const highBits = 7 - extra; // bits of the value that fit in the first byte
    if (value < 2 ** (8 * extra + highBits)) {
      const mask = (0xff << (8 - extra)) & 0xff;
      const out = [mask | Math.floor(value / 2 ** (8 * extra))];
      for (let i = 0; i < extra; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
      return out;
    }
  }
  const out = [0xff];
  for (let i = 0; i < 8; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

export interface SevenZipFile {
  name: string;
  data: Uint8Array;
}

export function storedSevenZip(files: readonly SevenZipFile[]): Uint8Array {
  const n = files.length;
  const h: number[] = [ID.header, ID.mainStreamsInfo];
  h.push(ID.packInfo, ...sevenZipNumber(0), ...sevenZipNumber(n), ID.size);
  for (const f of files) h.push(...sevenZipNumber(f.data.length));
  h.push(ID.end);
  h.push(ID.unpackInfo, ID.folder, ...sevenZipNumber(n), 0 /* not external */);
  for (let i = 0; i < n; i++) h.push(...sevenZipNumber(1), 0x01, 0x00); // one coder, id size 1, Copy
  h.push(ID.codersUnpackSize);
  for (const f of files) h.push(...sevenZipNumber(f.data.length));
  h.push(ID.end, ID.end); // end of unpack info, end of streams info
  const names = Buffer.concat(files.map((f) => Buffer.from(`${f.name}\0`, 'utf16le')));
  h.push(ID.filesInfo, ...sevenZipNumber(n), ID.name, ...sevenZipNumber(names.length + 1), 0, ...names);
  h.push(ID.end, ID.end); // end of files info, end of header
  const header = Uint8Array.from(h);
  const packed = concat(...files.map((f) => f.data));

  const start = Buffer.alloc(20);
  start.writeBigUInt64LE(BigInt(packed.length), 0);
  start.writeBigUInt64LE(BigInt(header.length), 8);
  start.writeUInt32LE(crc32(header), 16);
  const startCrc = Buffer.alloc(4);
  startCrc.writeUInt32LE(crc32(start));
  return concat(Uint8Array.from(SIGNATURE), startCrc, start, packed, header);
}
