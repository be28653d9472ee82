/** `modelguard attack` lives in ./attack/; this module keeps the old import path for `main`, `data` and tests. */
export * from './attack/index.js';
