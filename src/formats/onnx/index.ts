export {
  dtypeName,
  ONNX_DTYPES,
  type OnnxDataField,
  type OnnxDtype,
  rawBytesFor,
  typedCountFor,
} from './dtype.js';
export { ONNX_ML_OPS, ONNX_OPS, ONNX_TRAINING_OPS, RUNTIME_DOMAINS, STANDARD_DOMAINS } from './ops.js';
export { isOnnx } from './sniff.js';
export {
  externalRefOf,
  judgeTensor,
  readTensor,
  type TensorContext,
  type TensorFacts,
  type TensorJudgement,
} from './tensor.js';
export * from './types.js';
export { parseOnnx } from './walk.js';
