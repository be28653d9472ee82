import type { Profile } from './types.js';

/**
 * NumPy arrays, scalars, dtypes and random generator state, as numpy 1.24 pickles them (verified by
 * scripts/fixtures/list_framework_globals.py, protocols 2/4/5) plus the numpy 2 spelling `numpy._core`.
 * NOT here: numpy.core._ufunc_reconstruct (an import trampoline: __import__(module) + getattr), load,
 * loadtxt, fromfile, f2py, testing, ctypeslib, distutils (see the danger catalogue).
 */
export const NUMPY_TABLE = {
  // dtype/ndarray classes and the scalar types numpy arrays hand out (pickled by class)
  numpy:
    'dtype ndarray float16 float32 float64 longdouble int8 int16 int32 int64 uint8 uint16 uint32 uint64 ' +
    'bool_ complex64 complex128 datetime64 timedelta64 str_ bytes_ void',
  // array / scalar reconstructors: allocate and fill from a dtype and bytes
  'numpy.core.multiarray': '_reconstruct scalar',
  'numpy._core.multiarray': '_reconstruct scalar',
  // protocol 5 out-of-band-capable path: frombuffer(buf, dtype, shape, order)
  'numpy.core.numeric': '_frombuffer',
  'numpy._core.numeric': '_frombuffer',
  // masked arrays (sklearn GridSearchCV.cv_results_ holds them)
  'numpy.ma.core': 'MaskedArray _mareconstruct',
  // Generator / RandomState / BitGenerator pickling helpers: construct a generator by bit-generator name
  'numpy.random._pickle': '__randomstate_ctor __generator_ctor __bit_generator_ctor',
  'numpy.random.bit_generator': 'SeedSequence __pyx_unpickle_SeedSequence',
  'numpy.random.mtrand': 'RandomState',
  'numpy.random._generator': 'Generator',
  'numpy.random._mt19937': 'MT19937',
  'numpy.random._pcg64': 'PCG64 PCG64DXSM',
  'numpy.random._philox': 'Philox',
  'numpy.random._sfc64': 'SFC64',
} as const satisfies Readonly<Record<string, string>>;

export const NUMPY: Profile = {
  id: 'numpy',
  description: 'NumPy arrays, scalars, dtypes, masked arrays and random generator state',
  table: NUMPY_TABLE,
};
