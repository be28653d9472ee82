/** Where a model's signature lives by default. */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SIGNATURE_FILE } from './constants.js';

/**
 * Default signature path: `model.sig` inside a model folder (as the reference CLI run from the folder's
 * parent with `--signature MODEL/model.sig`); `FILE.sig` beside a single-file model, so two models in one
 * folder never overwrite each other's signature.
 */
export function defaultSignaturePath(modelPath: string, isFile: boolean): string {
  const abs = resolve(modelPath);
  return isFile ? `${abs}.sig` : join(abs, SIGNATURE_FILE);
}

/**
 * The signature file of a model, or null: `MODEL/model.sig` for a folder; for a file `FILE.sig`, else
 * `model.sig` beside it (the layout of the reference implementation's single-file test vectors).
 */
export function findSignature(modelPath: string): string | null {
  const abs = resolve(modelPath);
  let isFile: boolean;
  try {
    isFile = statSync(abs).isFile();
  } catch {
    return null;
  }
  const candidates = isFile
    ? [`${abs}.sig`, join(dirname(abs), SIGNATURE_FILE)]
    : [join(abs, SIGNATURE_FILE)];
  for (const c of candidates) {
    try {
      if (existsSync(c) && statSync(c).isFile()) return c;
    } catch {
      // unreadable: not a candidate
    }
  }
  return null;
}
