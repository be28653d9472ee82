import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LimitError } from '../../core/errors.js';
import type { Dataset } from '../types.js';
import { imageDecoder, isGray, type Rgba, writePixels } from './decode.js';
import { DATA_LIMITS } from './limits.js';
import { malformed } from './npy-array.js';
import type { LoadOptions } from './options.js';

const IMAGE_EXT = /\.(png|jpe?g)$/i;
/** Code-point order: the same on every machine and locale. */
const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface ImageFile {
  readonly path: string;
  readonly label: number;
}

/** The class folders and their image files (regular files only; symlinks and hidden entries are skipped). */
function listImages(root: string, options: LoadOptions): { classNames: string[]; perClass: ImageFile[][] } {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort(byCodePoint);
  if (folders.length === 0)
    throw malformed(`${root}: no class subfolders (expected one folder of images per class)`);
  if (folders.length > DATA_LIMITS.maxClasses)
    throw new LimitError(
      'maxClasses',
      `${root}: ${folders.length} class folders, more than maxClasses ${DATA_LIMITS.maxClasses}`,
    );
  const classNames = options.classNames ? [...options.classNames] : folders;
  const perClass: ImageFile[][] = classNames.map(() => []);
  let count = 0;
  for (const folder of folders) {
    const label = classNames.indexOf(folder);
    if (label < 0)
      throw malformed(
        `${root}: folder '${folder}' is not one of the class names ${JSON.stringify(classNames)}`,
      );
    const files = readdirSync(join(root, folder), { withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.startsWith('.') && IMAGE_EXT.test(d.name))
      .map((d) => d.name)
      .sort(byCodePoint);
    if (files.length === 0) throw malformed(`${root}: class folder '${folder}' holds no PNG or JPEG images`);
    count += files.length;
    if (count > DATA_LIMITS.maxImages)
      throw new LimitError('maxImages', `${root}: more than maxImages ${DATA_LIMITS.maxImages} images`);
    (perClass[label] as ImageFile[]).push(...files.map((f) => ({ path: join(root, folder, f), label })));
  }
  return { classNames, perClass };
}

/**
 * Loads an image folder (see loadDataset). Samples are ordered round-robin over the classes (the first
 * image of each class, then the second, …; files in code-point order), so `limit` keeps classes balanced.
 */
export async function loadImageFolder(root: string, options: LoadOptions): Promise<Dataset> {
  const { classNames, perClass } = listImages(root, options);
  const order: ImageFile[] = [];
  for (let i = 0; perClass.some((c) => i < c.length); i++)
    for (const c of perClass) if (i < c.length) order.push(c[i] as ImageFile);
  const files = order.slice(0, options.limit ?? order.length);
  const decode = await imageDecoder();
  let totalBytes = 0;
  const read = (f: ImageFile): Rgba => {
    const size = statSync(f.path).size;
    if (size > DATA_LIMITS.maxImageFileBytes)
      throw new LimitError(
        'maxImageFileBytes',
        `${f.path}: ${size} bytes, more than maxImageFileBytes ${DATA_LIMITS.maxImageFileBytes}`,
      );
    totalBytes += size;
    if (totalBytes > DATA_LIMITS.maxTotalImageBytes)
      throw new LimitError(
        'maxTotalImageBytes',
        `${root}: images exceed maxTotalImageBytes ${DATA_LIMITS.maxTotalImageBytes}`,
      );
    return decode(readFileSync(f.path), f.path);
  };
  // Channels 'auto' needs every image once; decode them all first only then (otherwise stream).
  const first = read(files[0] as ImageFile);
  const [height, width] = options.resize ?? [first.height, first.width];
  let channels = options.channels;
  let decoded: Rgba[] | undefined;
  if (channels === undefined) {
    decoded = [first, ...files.slice(1).map(read)];
    channels = decoded.every(isGray) ? 1 : 3;
  }
  const per = channels * height * width;
  if (files.length * per > DATA_LIMITS.maxElements)
    throw new LimitError(
      'maxElements',
      `${root}: ${files.length * per} values, more than maxElements ${DATA_LIMITS.maxElements}`,
    );
  const layout = options.layout ?? 'NCHW';
  const x = new Float32Array(files.length * per);
  const y = new Int32Array(files.length);
  files.forEach((f, i) => {
    const img = decoded?.[i] ?? (i === 0 ? first : read(f));
    if (options.resize === undefined && (img.width !== width || img.height !== height)) {
      throw malformed(
        `${f.path}: ${img.width}×${img.height} pixels, but ${(files[0] as ImageFile).path} is ${width}×${height}; all images must share a size (or pass resize)`,
      );
    }
    writePixels(img, x, i * per, channels, layout, height, width);
    y[i] = f.label;
  });
  const shape =
    layout === 'NCHW' ? [files.length, channels, height, width] : [files.length, height, width, channels];
  return { x: { data: x, shape }, y, classNames };
}
