export { renderBackdoorHtml } from './html.js';
export { BACKDOOR_SCHEMA_ID, renderBackdoorJson } from './json.js';
export { renderBackdoorText } from './text.js';
export type * from './types.js';
