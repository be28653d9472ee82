export { ChunkedSource } from './chunked-source.js';
export {
  COMPRESS_LIMITS,
  type Decompressed,
  type DecompressLimits,
  type DecompressStop,
  decompress,
} from './decompress.js';
export { type CompressionKind, isLzmaAlone, isZlib, sniffCompression } from './sniff.js';
