export { GgufCursor } from './cursor.js';
export { GGML_TYPES, type GgmlType, ggmlType, REMOVED_GGML_TYPES } from './ggml-types.js';
export { checkKeys, isChatTemplateKey } from './keys.js';
export { checkLayout, checkTensor } from './layout.js';
export { GGUF_DEFAULT_ALIGNMENT, GGUF_LIMITS, type GgufLimits } from './limits.js';
export { GGUF_MAGIC, GGUF_MAX_VERSION, parseGguf } from './parse.js';
export { type ExecutableKind, executableKind, isApe, isGguf } from './sniff.js';
export * from './types.js';
