export { savedModelHandler } from './handler.js';
export { SAVEDMODEL_RULES } from './rules.js';
