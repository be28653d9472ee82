export {
  BUILTIN_CUSTOM,
  BUILTIN_OPERATORS,
  builtinName,
  PLACEHOLDER_FOR_GREATER_OP_CODES,
} from './builtins.js';
export { type FbTable, type FbVector, FlatBufferReader } from './flatbuffer.js';
export { decodeFlexOptions } from './flexbuffer.js';
export {
  isTflite,
  parseTflite,
  TFLITE_LIMITS,
  type TfliteAnomaly,
  type TfliteAnomalyKind,
  type TfliteLimits,
  type TfliteModel,
  type TfliteOpCode,
} from './walk.js';
