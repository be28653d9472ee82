import type { Dataset, Tensor } from '../types.js';

export interface Batch {
  /** `[end - start, ...sampleShape]`, a view into the dataset's data (no copy). */
  readonly x: Tensor;
  /** A view into the dataset's labels. */
  readonly y: Int32Array;
  /** Index of the first sample in the dataset. */
  readonly start: number;
  readonly end: number;
}

/** Consecutive batches of at most `size` samples, as subarray views (no copies). */
export function* batches(dataset: Dataset, size: number): Generator<Batch> {
  if (!(Number.isSafeInteger(size) && size > 0))
    throw new RangeError(`batch size ${size} is not a positive integer`);
  const n = dataset.y.length;
  const sample = dataset.x.shape.slice(1);
  const per = sample.reduce((a, b) => a * b, 1);
  for (let start = 0; start < n; start += size) {
    const end = Math.min(n, start + size);
    yield {
      x: { data: dataset.x.data.subarray(start * per, end * per), shape: [end - start, ...sample] },
      y: dataset.y.subarray(start, end),
      start,
      end,
    };
  }
}
