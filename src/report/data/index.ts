export { renderDataHtml } from './html.js';
export { DATA_SCHEMA_ID, renderDataJson } from './json.js';
export { renderDataText } from './text.js';
export type * from './types.js';
