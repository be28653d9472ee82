export { dtypeBits, SAFETENSORS_DTYPE_BITS } from './dtype.js';
export { LENGTH_BYTES, parseSafetensorsHeader } from './header.js';
export { type JsonDuplicate, type JsonValue, StrictJson } from './json.js';
export { checkLayout, tensorBytes } from './layout.js';
export { SAFETENSORS_LIMITS, type SafetensorsLimits } from './limits.js';
export { isSafetensors } from './sniff.js';
export type * from './types.js';
