export { CURSOR_WINDOW, Cursor } from './cursor.js';
export {
  type FieldHeader,
  MAX_FIELD_NUMBER,
  PROTOBUF_LIMITS,
  type ProtobufLimits,
  ProtoReader,
  WIRE,
  type WireType,
} from './reader.js';
export { type TrialField, type TrialResult, type TrialSchema, trialWalk } from './trial.js';
