export * from './build.js';
export { renderAttackHtml } from './html.js';
export { ATTACK_SCHEMA_ID, renderAttackJson } from './json.js';
export { renderAttackText } from './text.js';
export type * from './types.js';
