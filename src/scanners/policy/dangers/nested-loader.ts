import type { FamilyTable } from './types.js';

/** Loaders that unpickle (or unmarshal) further bytes the scanner never sees as globals (T16, T31). */
export const NESTED_LOADER: FamilyTable = {
  'pickle _pickle cPickle': 'pickle.loads/load/Unpickler: a nested pickle (payload hidden inside bytes)',
  'dill:load dill:loads dill._dill:load dill._dill:loads dill:Unpickler dill._dill:Unpickler':
    'dill.loads: a nested pickle',
  'joblib:load joblib.numpy_pickle:load joblib.numpy_pickle:_unpickle joblib.numpy_pickle:NumpyUnpickler':
    'joblib.load: a nested pickle',
  'joblib.numpy_pickle:NDArrayWrapper joblib.numpy_pickle_compat:NDArrayWrapper':
    'NDArrayWrapper.read calls numpy.load(<path from the pickle>, allow_pickle=True): a nested loader on a chosen path',
  joblib: 'joblib: loaders, memory caches and parallel backends (only the array wrappers are allowlisted)',
  'torch:load torch.serialization torch:_load_global_deps':
    'torch.load / torch.serialization.load: a nested pickle',
  'torch.storage:_load_from_bytes':
    'torch.storage._load_from_bytes(b) = torch.load(BytesIO(b)): a nested pickle',
  'torch.utils._config_module': 'ConfigModule.load_config unpickles its argument',
  'torch.utils.data.datapipes.utils.decoder': 'basichandlers unpickles data by extension',
  'numpy:load numpy.lib.npyio:load': 'numpy.load(allow_pickle=True): a nested pickle',
  'pandas:read_pickle pandas.io.pickle': 'pandas.read_pickle: a nested pickle',
  'marshal _marshal': 'marshal.loads builds code objects from bytes',
  'lib2to3.pgen2.grammar:Grammar.loads lib2to3.pgen2.grammar:Grammar.load':
    'Grammar.loads unpickles its argument',
  shelve: 'shelve unpickles the values of a database file',
  'keras.models:load_model tensorflow.keras.models:load_model keras.saving':
    'loads another model file (Keras Lambda layers run code)',
};
