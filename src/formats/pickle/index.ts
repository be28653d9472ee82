export { analyzePickle, isMalformedStream, LEGACY_TORCH_MAGIC, legacyTorchMagic } from './analyze.js';
export { PickleAssembler, pickleCall } from './assembler.js';
export { fixImports } from './compat-names.js';
export {
  HIGHEST_PROTOCOL,
  OPCODE_BY_CODE,
  OPCODES,
  type OpcodeInfo,
  type OpcodeName,
  opcodeName,
} from './opcodes.js';
export { pyRepr, type RenderOptions, renderCall, renderOptions, renderValue } from './render.js';
export { confirmsPickle, looksLikePickle, PICKLE_SNIFF_BYTES } from './sniff.js';
export type { TorchTarMember } from './torch-tar.js';
export type * from './types.js';
export { ANOMALY_KINDS } from './types.js';
export type { PickleValue } from './values.js';
