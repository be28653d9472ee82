import { statSync } from 'node:fs';
import { LimitError, ModelguardError } from '../../core/errors.js';
import { FileSource } from '../../core/source.js';
import { openEntry, readZipDirectory, ZIP_FLAG, type ZipEntry } from '../../formats/zip/index.js';
import type { Dataset } from '../types.js';
import { DATA_LIMITS } from './limits.js';
import { malformed, readArrayHeader, readValues } from './npy-array.js';
import { checkLabels, type LoadOptions } from './options.js';

function member(source: FileSource, entries: readonly ZipEntry[], name: string, path: string) {
  // Like numpy (zipfile), the last entry of a name wins.
  const entry = entries.filter((e) => e.name === `${name}.npy`).pop();
  if (entry === undefined) {
    const found = entries.map((e) => e.name).slice(0, 10);
    throw malformed(`${path}: no '${name}' array (members: ${found.join(', ') || 'none'}); expected x and y`);
  }
  if (entry.flags & (ZIP_FLAG.encrypted | ZIP_FLAG.strongEncryption))
    throw malformed(`${path}: member ${entry.name} is encrypted`);
  const opened = openEntry(source, entry, {
    maxInflatedBytes: DATA_LIMITS.maxArrayBytes,
    maxCompressionRatio: 1000,
  });
  if (!opened.ok) {
    if (opened.reason === 'bomb' || opened.reason === 'total-limit')
      throw new LimitError('maxArrayBytes', `${path}: ${opened.message}`);
    throw malformed(`${path}: ${opened.message}`);
  }
  return opened.source;
}

/** Loads an `.npz` with `x` (float, `[N, ...]`) and `y` (integer, `[N]`); see loadDataset. */
export function loadNpz(path: string, options: LoadOptions): Dataset {
  const size = statSync(path).size;
  if (size > DATA_LIMITS.maxFileBytes)
    throw new LimitError(
      'maxFileBytes',
      `${path}: ${size} bytes, more than maxFileBytes ${DATA_LIMITS.maxFileBytes}`,
    );
  const source = new FileSource(path);
  try {
    const dir = readZipDirectory(source, {
      maxEntries: DATA_LIMITS.maxNpzEntries,
      maxCompressionRatio: 1000,
    });
    const xs = member(source, dir.entries, 'x', path);
    const ys = member(source, dir.entries, 'y', path);
    const x = readArrayHeader(xs, `${path}: x`);
    const y = readArrayHeader(ys, `${path}: y`);
    if (x.dtype.kind !== 'f') throw malformed(`${path}: x has dtype ${x.header.descrText}; expected float32`);
    if (y.dtype.kind === 'f')
      throw malformed(`${path}: y has dtype ${y.header.descrText}; expected int64 or int32 labels`);
    if (x.header.shape.length < 2)
      throw malformed(`${path}: x has shape ${JSON.stringify(x.header.shape)}; expected [N, ...]`);
    if (y.header.shape.length !== 1)
      throw malformed(`${path}: y has shape ${JSON.stringify(y.header.shape)}; expected [N]`);
    const n = x.header.shape[0] as number;
    if (y.header.shape[0] !== n)
      throw malformed(`${path}: x has ${n} samples, y has ${y.header.shape[0]} labels`);
    if (n === 0) throw malformed(`${path}: the dataset is empty`);
    const take = Math.min(n, options.limit ?? n);
    if (take > DATA_LIMITS.maxSamples)
      throw new LimitError(
        'maxSamples',
        `${path}: ${take} samples, more than maxSamples ${DATA_LIMITS.maxSamples}`,
      );
    const sample = x.header.shape.slice(1);
    const per = sample.reduce((a, b) => a * b, 1);
    if (per === 0) throw malformed(`${path}: x has empty samples (shape ${JSON.stringify(x.header.shape)})`);
    if (take * per > DATA_LIMITS.maxElements)
      throw new LimitError(
        'maxElements',
        `${path}: ${take * per} values in x, more than maxElements ${DATA_LIMITS.maxElements}`,
      );
    const xData = readValues(xs, x.header, x.dtype, new Float32Array(take * per), (v, i) => {
      if (!Number.isFinite(v)) throw malformed(`${path}: x holds ${v} at sample ${Math.floor(i / per)}`);
      return v;
    });
    const labels = readValues(ys, y.header, y.dtype, new Int32Array(take), (v, i) => {
      if (v < 0 || v > 0x7fffffff) throw malformed(`${path}: label ${v} of sample ${i} is not a class index`);
      return v;
    });
    checkLabels(labels, options, path);
    return {
      x: { data: xData, shape: [take, ...sample] },
      y: labels,
      ...(options.classNames === undefined ? {} : { classNames: options.classNames }),
    };
  } catch (e) {
    if (e instanceof ModelguardError) throw e;
    throw new ModelguardError('MALFORMED', `${path}: ${(e as Error).message}`, { cause: e });
  } finally {
    source.close();
  }
}
