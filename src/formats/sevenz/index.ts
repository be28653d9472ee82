export {
  extractSevenZip,
  isSevenZip,
  listSevenZip,
  SEVENZ_LIMITS,
  SEVENZ_MAGIC,
  type SevenZipEntry,
  type SevenZipExtraction,
  type SevenZipFactKind,
  type SevenZipListing,
  type SevenZipMember,
} from './archive.js';
export { runSevenZip, type SevenZipRun, WASM_LIMITS } from './wasm.js';
