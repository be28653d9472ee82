export { loadOnnxClassifier, type OnnxClassifier, type OnnxClassifierOptions } from './classifier.js';
export { GradientUnavailableError, OrtBackendError } from './errors.js';
export { ORT_LIMITS } from './limits.js';
