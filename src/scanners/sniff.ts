import { sniffCompression } from '../formats/compress/index.js';
import { isApe, isGguf } from '../formats/gguf/index.js';
import { isHdf5 } from '../formats/hdf5/sniff.js';
import { isNpy } from '../formats/numpy/index.js';
import { isOnnx } from '../formats/onnx/sniff.js';
import { looksLikePickle } from '../formats/pickle/index.js';
import { isSafetensors } from '../formats/safetensors/index.js';
import { isSavedModel } from '../formats/savedmodel/sniff.js';
import { isSevenZip } from '../formats/sevenz/index.js';
import { isTar } from '../formats/tar/index.js';
import { isTflite } from '../formats/tflite/walk.js';
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
  // A llamafile (APE executable with the weights in an appended zip) goes to the GGUF handler.
  if (isGguf(head) || isApe(head)) return 'gguf';
  if (isNpy(head)) return 'numpy';
  if (isSevenZip(head)) return '7z';
  if (isTar(head)) return 'tar';
  // HDF5 at offset 0 (Keras .h5); a file behind a user block is found by hdf5SignatureOffset.
  if (isHdf5(head)) return 'hdf5';
  // After the long magics (a 7z start-header CRC can put '{"' at byte 8), before the pickle sniff
  // (a header length whose low bytes are 0x80 0x02 reads as PROTO 2).
  if (isSafetensors(head)) return 'safetensors';
  const pickle = looksLikePickle(head);
  if (pickle === true) return 'pickle';
  const compression = sniffCompression(head);
  if (compression !== undefined) return compression;
  // After every magic-based sniffer: TFLite's identifier sits at offset 4; ONNX and SavedModel are
  // protobufs without magic, claimed only when a trial walk of their first fields is consistent.
  if (isTflite(head)) return 'tflite';
  if (isOnnx(head)) return 'onnx';
  if (isSavedModel(head)) return 'savedmodel';
  return pickle === 'maybe' ? 'maybe-pickle' : 'unknown';
}

const OTHER_MAGIC: readonly (readonly [string, readonly number[]])[] = [
  ['png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['elf', [0x7f, 0x45, 0x4c, 0x46]],
  ['pe', [0x4d, 0x5a]],
  ['mach-o', [0xcf, 0xfa, 0xed, 0xfe]],
  ['hdf5', [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['gguf', [0x47, 0x47, 0x55, 0x46]],
  ['shell-script', [0x23, 0x21]],
];

/**
 * A name for a file that is none of the scanned formats, so the report says what it is (`png`,
 * `text`, `json` …) instead of only "unknown".
 */
export function describeOther(head: Uint8Array): string {
  for (const [name, magic] of OTHER_MAGIC) {
    if (magic.every((b, i) => head[i] === b)) return name;
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const printable = [...text].filter((ch) => ch >= ' ' || ch === '\n' || ch === '\r' || ch === '\t').length;
  if (head.length > 0 && printable / [...text].length > 0.95 && !text.includes('\uFFFD')) {
    const t = text.trimStart();
    return t.startsWith('{') || t.startsWith('[') ? 'json' : 'text';
  }
  return 'unknown';
}
