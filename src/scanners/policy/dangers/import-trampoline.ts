import type { FamilyTable } from './types.js';

/**
 * Ways to reach any callable without naming it as a global: dynamic import, attribute and namespace
 * access, call carriers that take a callable and arguments (T09, T14, T15, T20, T31).
 */
export const IMPORT_TRAMPOLINE: FamilyTable = {
  builtins:
    'a builtin outside the pure-constructor allowlist (builtins host eval/exec/getattr/__import__/open …)',
  'builtins:__import__ builtins:reload': 'imports any module by name',
  'builtins:getattr builtins:setattr builtins:delattr builtins:hasattr':
    'reads or writes any attribute (getattr(module, "system"))',
  'builtins:vars builtins:globals builtins:locals builtins:dir':
    'exposes a namespace dict (vars(module) + dict.get reaches any function)',
  'builtins:type': 'type(name, bases, dict) builds classes whose attributes redirect calls',
  'importlib _frozen_importlib _frozen_importlib_external _imp imp zipimport modulefinder':
    'imports any module by name (importlib.import_module)',
  pkgutil: 'pkgutil.resolve_name("os:system") resolves any callable',
  'pydoc inspect': 'pydoc.locate / inspect.getattr_static resolve any object by dotted name',
  'operator _operator':
    'attrgetter/itemgetter/methodcaller/call invoke attributes or callables chosen by data',
  functools:
    'call carriers: partial smuggles arguments (partial(torch.load, …, weights_only=False)), reduce calls',
  copyreg:
    'copyreg.add_extension/pickle rewire what EXT opcodes and reducers resolve to (only _reconstructor/__newobj__ are allowed)',
  'numpy.core:_ufunc_reconstruct numpy._core:_ufunc_reconstruct numpy:_ufunc_reconstruct':
    '_ufunc_reconstruct(module, name) = getattr(__import__(module), name): imports anything',
  'torch._utils:_import_dotted_name': '_import_dotted_name imports any dotted name',
  'pkg_resources importlib_metadata importlib_resources':
    'entry-point and resource loaders import modules by name (EntryPoint.load)',
  unittest: 'unittest loaders and mock.patch import objects by dotted name',
  __builtins__: 'the builtins namespace reached as a module attribute (numpy.__builtins__, T14)',
  'dill._dill:_import_module dill._dill:_get_attr cloudpickle:subimport cloudpickle:dynamic_subimport cloudpickle.cloudpickle:subimport cloudpickle.cloudpickle:dynamic_subimport':
    'imports a module by name during unpickling',
  weakref: 'weakref.finalize/WeakMethod call callables at collection time',
};
