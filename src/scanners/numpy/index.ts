export { numpyHandler, pickleMemberName } from './numpy-handler.js';
export { NUMPY_RULES } from './rules.js';
