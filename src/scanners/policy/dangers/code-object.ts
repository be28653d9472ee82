import type { FamilyTable } from './types.js';

/** Building functions, classes or modules from code objects (T17). */
export const CODE_OBJECT: FamilyTable = {
  types:
    'types.CodeType/FunctionType/MethodType/ModuleType/new_class build executable objects (only SimpleNamespace is allowed)',
  new: 'Python 2 new.code/new.function build executable objects',
  'cloudpickle cloudpickle.cloudpickle cloudpickle.cloudpickle_fast':
    'cloudpickle rebuilds functions and classes from code objects (_make_function, _builtin_type, _make_skeleton_class)',
  'dill dill._dill':
    'dill rebuilds code, functions, classes and modules (_create_code, _create_function, _load_type)',
  'cloudpickle:loads cloudpickle:load': 'cloudpickle.loads: a nested pickle of code objects',
};
