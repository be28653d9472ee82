export { CappedReporter, MAX_FINDINGS_PER_RULE } from './capped-reporter.js';
export { createSafetensorsHandler, holeMemberName, safetensorsHandler } from './handler.js';
export { SAFETENSORS_RULES } from './rules.js';
