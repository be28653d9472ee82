import type { Profile } from './types.js';

/**
 * pandas DataFrame / Series / Index reconstruction (pandas 1.5.3, verified with Debian python3-pandas).
 * Block managers and index constructors rebuild from arrays; _new_Index(cls, d) = cls.__new__(cls, **d)
 * with cls itself a global of the pickle. NOT here: read_pickle / read_csv and every pandas.io reader,
 * pandas.eval (see the danger catalogue).
 */
export const PANDAS_TABLE = {
  'pandas.core.frame': 'DataFrame',
  'pandas.core.series': 'Series',
  'pandas.core.internals.managers': 'BlockManager SingleBlockManager',
  'pandas._libs.internals': '_unpickle_block',
  'pandas._libs.arrays': '__pyx_unpickle_NDArrayBacked',
  'pandas.core.indexes.base': 'Index _new_Index',
  'pandas.core.indexes.range': 'RangeIndex',
  'pandas.core.indexes.numeric': 'Int64Index UInt64Index Float64Index',
  'pandas.core.indexes.multi': 'MultiIndex',
  'pandas.core.indexes.datetimes': 'DatetimeIndex _new_DatetimeIndex',
  'pandas.core.arrays.categorical': 'Categorical',
  'pandas.core.arrays.datetimes': 'DatetimeArray',
  'pandas.core.dtypes.dtypes': 'CategoricalDtype',
  'pandas._libs.tslibs.timestamps': '_unpickle_timestamp',
  'pandas._libs.tslibs.timedeltas': '_timedelta_unpickle',
  'pandas._libs.tslibs.offsets': 'Day',
} as const satisfies Readonly<Record<string, string>>;

export const PANDAS: Profile = {
  id: 'pandas',
  description: 'pandas DataFrame, Series and Index reconstruction',
  table: PANDAS_TABLE,
};
