import type { Profile } from './types.js';

/**
 * scipy.sparse matrices and arrays (scipy 1.10.1, verified; sklearn's TfidfVectorizer holds them). Pickled
 * as copyreg._reconstructor(cls, object, None) + BUILD of index/data arrays; constructors only validate.
 */
export const SCIPY_TABLE = {
  'scipy.sparse._csr': 'csr_matrix',
  'scipy.sparse._csc': 'csc_matrix',
  'scipy.sparse._coo': 'coo_matrix',
  'scipy.sparse._lil': 'lil_matrix',
  'scipy.sparse._dok': 'dok_matrix',
  'scipy.sparse._bsr': 'bsr_matrix',
  'scipy.sparse._dia': 'dia_matrix',
  'scipy.sparse._arrays': 'csr_array csc_array coo_array lil_array dok_array bsr_array dia_array',
  // scipy < 1.8 module layout
  'scipy.sparse.csr': 'csr_matrix',
  'scipy.sparse.csc': 'csc_matrix',
  'scipy.sparse.coo': 'coo_matrix',
  'scipy.sparse.lil': 'lil_matrix',
  'scipy.sparse.dok': 'dok_matrix',
  'scipy.sparse.bsr': 'bsr_matrix',
  'scipy.sparse.dia': 'dia_matrix',
} as const satisfies Readonly<Record<string, string>>;

export const SCIPY: Profile = {
  id: 'scipy',
  description: 'scipy.sparse matrices and arrays',
  table: SCIPY_TABLE,
};
