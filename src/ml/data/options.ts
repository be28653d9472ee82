import { malformed } from './npy-array.js';

export interface LoadOptions {
  /** Keep only the first `limit` samples (in the loader's deterministic order). */
  readonly limit?: number;
  /** Image folders: layout of each sample, `NCHW` (default, `[C, H, W]`) or `NHWC` (`[H, W, C]`). */
  readonly layout?: 'NCHW' | 'NHWC';
  /**
   * Class names. npz: attached to the dataset (labels must be below their count). Image folders: the
   * class order (index = position); every subfolder must be one of them.
   */
  readonly classNames?: readonly string[];
  /** Labels must be below this (e.g. the model's class count). */
  readonly numClasses?: number;
  /** Image folders: 1 (grayscale, ITU-R 601 luma) or 3 (RGB). Default: 1 when every image is gray, else 3. */
  readonly channels?: 1 | 3;
  /** Image folders: resize every image to `[height, width]` (bilinear, half-pixel centres). */
  readonly resize?: readonly [number, number];
}

/** Checks the limit option and the labels against numClasses / classNames. */
export function checkLabels(labels: Int32Array, options: LoadOptions, where: string): void {
  const bound = options.numClasses ?? options.classNames?.length;
  if (bound === undefined) return;
  for (let i = 0; i < labels.length; i++) {
    if ((labels[i] as number) >= bound)
      throw malformed(`${where}: label ${labels[i]} of sample ${i} is out of range for ${bound} classes`);
  }
}

export function checkOptions(options: LoadOptions): void {
  if (options.limit !== undefined && !(Number.isSafeInteger(options.limit) && options.limit > 0))
    throw malformed(`dataset limit ${options.limit} is not a positive integer`);
  if (
    options.numClasses !== undefined &&
    !(Number.isSafeInteger(options.numClasses) && options.numClasses > 0)
  )
    throw malformed(`numClasses ${options.numClasses} is not a positive integer`);
  if (
    options.resize !== undefined &&
    !options.resize.every((d) => Number.isSafeInteger(d) && d > 0 && d <= 65_535)
  )
    throw malformed(`resize ${JSON.stringify(options.resize)} is not [height, width] in pixels`);
}
