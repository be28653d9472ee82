export { tfjsRepoScanner } from './repo-scanner.js';
export { TFJS_RULES } from './rules.js';
