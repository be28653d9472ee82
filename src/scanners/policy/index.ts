import { createPolicy } from './options.js';
import type { Policy } from './policy.js';

export { CATALOGUE, DANGER_TABLES, EXEMPTIONS } from './dangers/index.js';
export { CACHE_LIMIT, MAX_SEGMENTS } from './engine.js';
export { PolicyError } from './errors.js';
export { createPolicy, type DenyEntry, type PolicyOptions } from './options.js';
export { parsePattern } from './patterns.js';
export { DANGER_FAMILIES, type DangerFamily, type GlobalVerdict, type Policy } from './policy.js';
export { isProfileId, PROFILE_IDS, PROFILES, type Profile, type ProfileId } from './profiles/index.js';

/** All profiles, unknown globals at `medium`. */
export const DEFAULT_POLICY: Policy = createPolicy();
