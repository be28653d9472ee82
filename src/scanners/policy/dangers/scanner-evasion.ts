import type { FamilyTable } from './types.js';

/** A pickle that imports a scanner can switch off its runtime hooks for later loads (T21). */
export const SCANNER_EVASION: FamilyTable = {
  'fickling picklescan modelscan modelaudit saferpickle model_unpickler modelguard':
    'imports a model scanner (hook deactivation, allowlist tampering)',
};
