import { sniffCompression } from '../formats/compress/index.js';
import { isNpy } from '../formats/numpy/index.js';
import { looksLikePickle } from '../formats/pickle/index.js';
import { isSevenZip } from '../formats/sevenz/index.js';
import { isTar } from '../formats/tar/index.js';
import { isZip } from '../formats/zip/index.js';
import type { FormatId } from './types.js';

/** Bytes read from the start of every file or member to recognise its format. */
export const SNIFF_BYTES = 512;

export type Sniffed = FormatId | 'maybe-pickle';

/**
 * Recognises a format from the first bytes only, never from a name. The most specific magic wins;
 * pickles without a PROTO opcode are only "maybe" and are confirmed by running the VM.
 */
export function sniff(head: Uint8Array): Sniffed {
  if (head.length === 0) return 'unknown';
  if (isZip(head)) return 'zip';
  if (isNpy(head)) return 'numpy';
  if (isSevenZip(head)) return '7z';
  if (isTar(head)) return 'tar';
  const pickle = looksLikePickle(head);
  if (pickle === true) return 'pickle';
  const compression = sniffCompression(head);
  if (compression !== undefined) return compression;
  return pickle === 'maybe' ? 'maybe-pickle' : 'unknown';
}
