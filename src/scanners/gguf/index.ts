export { createGgufHandler, type GgufHandlerLimits, ggufHandler, trailingMemberName } from './handler.js';
export { GGUF_RULES } from './rules.js';
