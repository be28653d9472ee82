/** The TF.js backend. Importing this module loads no TF.js code; loadTfjsClassifier does, lazily. */
export { loadTfjsClassifier, type TfjsClassifier, type TfjsClassifierOptions } from './classifier.js';
export { fileIoHandler, readModelArtifacts, TFJS_LIMITS, writeModelArtifacts } from './io.js';
export { lossHead } from './loss-head.js';
export { type TfRuntime, tfjsRuntime } from './runtime.js';
