import type { Profile } from './types.js';

/**
 * joblib.dump containers (joblib 1.2.0, verified). NumpyArrayWrapper is followed in the same stream by
 * the array's raw bytes, or for object arrays by an inline pickle that the container parser must scan as a
 * further stream. ZNDArrayWrapper (joblib < 0.10) reads a sibling zlib file named in the pickle as raw
 * array bytes (no unpickling). NDArrayWrapper is NOT allowed: it calls numpy.load(<path from the pickle>,
 * allow_pickle=True), a nested loader on a path the pickle chooses (see dangers/nested-loader.ts).
 */
export const JOBLIB_TABLE = {
  'joblib.numpy_pickle': 'NumpyArrayWrapper ZNDArrayWrapper',
  'joblib.numpy_pickle_compat': 'ZNDArrayWrapper',
} as const satisfies Readonly<Record<string, string>>;

export const JOBLIB: Profile = {
  id: 'joblib',
  description: 'joblib.dump array wrappers',
  table: JOBLIB_TABLE,
};
