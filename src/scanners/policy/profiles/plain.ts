import type { Profile } from './types.js';

/**
 * Python's own value types and containers, as every pickler emits them. Builtins are limited to pure
 * constructors of data (no evaluators, no attribute or namespace access, no I/O); Python 2 spellings
 * (`__builtin__`, `copy_reg`) are normalised before lookup, so they need no entries of their own.
 * Verified: scripts/fixtures/list_framework_globals.py (stdlib containers and value types, protocols 0/2/4).
 */
export const PLAIN_TABLE = {
  // constructors of plain data; Ellipsis/NotImplemented are singletons (protocol 0 names them). Every
  // other builtin is dangerous (dangers/import-trampoline.ts), these are exempted (dangers/exemptions.ts)
  builtins:
    'bool int float complex str bytes bytearray list tuple set frozenset dict range slice object Ellipsis ' +
    'NotImplemented',
  // container classes whose constructors only store items
  collections: 'OrderedDict defaultdict Counter deque',
  // copyreg._reconstructor(cls, base, state) = base.__new__(cls, state) (+ base.__init__): it builds an
  // instance of classes that are themselves globals of the pickle, classified on their own. __newobj__ /
  // __newobj_ex__ are cls.__new__(cls, *args[, **kwargs]) for the same reason. (Exemptions: dangers/exemptions.ts.)
  copyreg: '_reconstructor __newobj__ __newobj_ex__',
  // codecs.encode(str, 'latin1'): how protocol 2 spells every bytes object (HF Trainer rng_state.pth)
  _codecs: 'encode',
  // value types: constructors take numbers/strings only
  datetime: 'date datetime time timedelta timezone tzinfo',
  // ZoneInfo(key) reads the tz database; keys must be normalised relative paths (no traversal)
  zoneinfo: 'ZoneInfo',
  decimal: 'Decimal',
  fractions: 'Fraction',
  // only the value class: the uuid module also holds _get_command_stdout (hidden subprocess, T26)
  uuid: 'UUID SafeUUID',
  // an attribute bag (argparse results stored in checkpoints, e.g. fairseq `args`)
  argparse: 'Namespace',
  // path constructors only (no method of a path class is allowed: Path.write_text …)
  pathlib: 'Path PosixPath WindowsPath PurePath PurePosixPath PureWindowsPath',
  // an attribute bag: SimpleNamespace(**kwargs) only sets attributes (rest of `types` is dangerous)
  types: 'SimpleNamespace',
  // Logger objects pickle as getLogger(name) since Python 3.7: a lookup in the logging registry, no I/O
  logging: 'getLogger',
} as const satisfies Readonly<Record<string, string>>;

export const PLAIN: Profile = {
  id: 'plain',
  description: 'Python builtins constructors, collections, datetime/decimal/fractions, uuid.UUID, paths',
  table: PLAIN_TABLE,
};
