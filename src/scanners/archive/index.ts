export { BoundedReporter, MAX_FINDINGS_PER_RULE } from './bounded-report.js';
export {
  bzip2Handler,
  DECOMPRESSED_MEMBER,
  gzipHandler,
  lzmaHandler,
  xzHandler,
  zlibHandler,
} from './compress-handler.js';
export { TENSOR_SNIFF_BYTES, tensorHeadNeedsScan } from './member-sniff.js';
export { ARCHIVE_RULES, PYTORCH_CONTAINER_RULES } from './rules.js';
export { sevenZipHandler } from './sevenz-handler.js';
export { isLegacyTorchTar, LEGACY_TAR_ORDER, tarHandler } from './tar-handler.js';
export { zipHandler } from './zip-handler.js';
export { isTensorStorage, memberHint, type ZipLayout, zipLayout } from './zip-layout.js';

import type { FormatHandler, FormatId } from '../types.js';
import { bzip2Handler, gzipHandler, lzmaHandler, xzHandler, zlibHandler } from './compress-handler.js';
import { sevenZipHandler } from './sevenz-handler.js';
import { tarHandler } from './tar-handler.js';
import { zipHandler } from './zip-handler.js';

/** The container handlers by format id, for the engine's registry. */
export const ARCHIVE_HANDLERS = {
  zip: zipHandler,
  tar: tarHandler,
  gzip: gzipHandler,
  zlib: zlibHandler,
  bzip2: bzip2Handler,
  xz: xzHandler,
  lzma: lzmaHandler,
  '7z': sevenZipHandler,
} as const satisfies Partial<Record<FormatId, FormatHandler>>;
