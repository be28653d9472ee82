export { tfliteHandler } from './handler.js';
export { TFLITE_RULES } from './rules.js';
