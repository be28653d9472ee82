/**
 * Exact (module, name) pairs of a framework profile that win over a module-level danger entry (and over
 * the structural dunder rule), each with its justification. Nothing else in an allowlisted module is
 * laundered: `copyreg.add_extension`, `types.FunctionType`, `uuid._get_command_stdout`,
 * `torch.serialization.load`, `joblib.load` stay dangerous. A pair listed here is still only safe while a
 * profile that lists it is active.
 */
export const EXEMPTIONS = {
  // builtins is dangerous as a module (fickling/modelaudit treat it so); these are constructors of plain
  // data and two singletons: they evaluate nothing, reach no attribute or namespace, do no I/O.
  builtins:
    'bool int float complex str bytes bytearray list tuple set frozenset dict range slice object Ellipsis ' +
    'NotImplemented',
  // copyreg is dangerous as a module (add_extension rewires EXT opcodes); these three only call
  // cls.__new__ / base.__init__ on classes that are themselves globals of the pickle, classified on their own.
  copyreg: '_reconstructor __newobj__ __newobj_ex__',
  // types builds code/function/module objects; SimpleNamespace(**kw) only sets attributes.
  types: 'SimpleNamespace',
  // uuid hides subprocess helpers (T26); the UUID value class and its SafeUUID enum do not run anything.
  uuid: 'UUID SafeUUID',
  // logging handlers write files; getLogger(name) is how every Logger pickles (registry lookup, no I/O).
  logging: 'getLogger',
  // torch.serialization holds load(); _get_layout(name) looks a name up among torch.layout objects.
  'torch.serialization': '_get_layout',
  // joblib holds load(); NumpyArrayWrapper reads the bytes that follow it in the same file (object arrays:
  // an inline pickle the container parser scans as a further stream); ZNDArrayWrapper reads raw bytes.
  'joblib.numpy_pickle': 'NumpyArrayWrapper ZNDArrayWrapper',
  'joblib.numpy_pickle_compat': 'ZNDArrayWrapper',
} as const satisfies Readonly<Record<string, string>>;
