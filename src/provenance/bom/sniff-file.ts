import { closeSync, constants, openSync, readSync } from 'node:fs';
import { describeOther, SNIFF_BYTES, sniff } from '../../scanners/sniff.js';

/**
 * The outermost format of a file from its first bytes, when no scan report covers it (`bom --no-scan`):
 * what the scanner would start from, without the inner formats only a scan finds (`pytorch-zip` …).
 */
export function sniffFormats(path: string): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const head = new Uint8Array(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    const bytes = head.subarray(0, n);
    const format = sniff(bytes);
    return [format === 'unknown' || format === 'maybe-pickle' ? describeOther(bytes) : format];
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
