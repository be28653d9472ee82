import { HUGGINGFACE } from './huggingface.js';
import { JOBLIB } from './joblib.js';
import { NUMPY } from './numpy.js';
import { PANDAS } from './pandas.js';
import { PLAIN } from './plain.js';
import { SCIPY } from './scipy.js';
import { SKLEARN } from './sklearn.js';
import { TORCH } from './torch.js';
import type { Profile } from './types.js';

export type { NameTable, Profile } from './types.js';
export { tableEntries } from './types.js';

/** Every built-in profile, keyed by id. `plain` is always active (every framework pickles containers). */
export const PROFILES = {
  plain: PLAIN,
  numpy: NUMPY,
  torch: TORCH,
  huggingface: HUGGINGFACE,
  sklearn: SKLEARN,
  joblib: JOBLIB,
  scipy: SCIPY,
  pandas: PANDAS,
} as const satisfies Record<string, Profile>;

export type ProfileId = keyof typeof PROFILES;
export const PROFILE_IDS = Object.keys(PROFILES) as ProfileId[];

export function isProfileId(id: string): id is ProfileId {
  return Object.hasOwn(PROFILES, id);
}
