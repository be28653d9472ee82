export { findKerasLambdas } from './keras.js';
export { TF_OP_RISKS, TF_STANDARD_OPS, type TfOpRisk, type TfOpRiskInfo } from './ops.js';
export { isSavedModel, sniffTensorflow } from './sniff.js';
export * from './types.js';
export { parseKerasMetadata, parseSavedModel } from './walk.js';
