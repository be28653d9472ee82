/**
 * Labelled datasets in attack space: `.npz` files (`x` float `[N, ...]`, `y` integer `[N]`) and image
 * folders (one subfolder per class, PNG/JPEG). Every size is bounded by DATA_LIMITS; malformed input gives
 * a ModelguardError (`MALFORMED`, or `LIMIT_EXCEEDED` naming the limit). Pickled members are never read.
 */
import { statSync } from 'node:fs';
import { ModelguardError } from '../../core/errors.js';
import type { Dataset } from '../types.js';
import { loadImageFolder } from './images.js';
import { loadNpz } from './npz.js';
import { checkLabels, checkOptions, type LoadOptions } from './options.js';
import { loadTabular, type TabularOptions } from './tabular.js';

export { type Batch, batches } from './batches.js';
export { DATA_LIMITS } from './limits.js';
export type { LoadOptions } from './options.js';
export { loadTabular, TABULAR_LIMITS, type TabularDataset, type TabularOptions } from './tabular.js';

const TABULAR = /\.(csv|jsonl|ndjson)$/i;

/**
 * Loads a dataset: a directory is an image folder, `.csv`/`.jsonl`/`.ndjson` a table (numeric features or a
 * text column, plus a label column; see tabular.ts), anything else an `.npz`. `limit` keeps the first
 * samples in the loader's deterministic order (npz: file order; folders: round-robin over classes).
 */
export async function loadDataset(
  path: string,
  options: LoadOptions & TabularOptions = {},
): Promise<Dataset> {
  checkOptions(options);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (e) {
    throw new ModelguardError('IO', `cannot read dataset ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!isDir && TABULAR.test(path)) {
    const table = loadTabular(path, options);
    checkLabels(table.y, options, path);
    return table;
  }
  if (!isDir && !/\.npz$/i.test(path))
    throw new ModelguardError(
      'UNSUPPORTED',
      `${path}: a dataset is an .npz file, a .csv/.jsonl table or a folder of class subfolders`,
    );
  const ds = isDir ? await loadImageFolder(path, options) : loadNpz(path, options);
  checkLabels(ds.y, options, path);
  return ds;
}
