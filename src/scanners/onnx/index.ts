export { listSome, MAX_MODEL_FINDINGS_PER_RULE, ModelReporter, quote } from './bounded.js';
export { checkExternalFile, type ExternalFileCheck, escapesFolder, locationReason } from './external.js';
export { onnxHandler } from './handler.js';
export { ONNX_RULES } from './rules.js';
