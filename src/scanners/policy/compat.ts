/**
 * Python 2 → 3 renames that the unpickler applies to protocol 0-2 pickles (fix_imports=True), from
 * CPython Lib/_compat_pickle.py (IMPORT_MAPPING / NAME_MAPPING), restricted to modules a policy can say
 * something about. A global is judged under both spellings: `__builtin__.eval` is `builtins.eval`,
 * `commands.getoutput` is `subprocess.getoutput`, `copy_reg._reconstructor` is `copyreg._reconstructor`.
 */
const IMPORT_MAPPING: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  DocXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
  'test.test_support': 'test.support',
  commands: 'subprocess',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  cPickle: 'pickle',
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  StringIO: 'io',
  cStringIO: 'io',
  exceptions: 'builtins',
  _winreg: 'winreg',
  anydbm: 'dbm',
  whichdb: 'dbm',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  gdbm: 'dbm.gnu',
};

const NAME_MAPPING: Readonly<Record<string, readonly [string, string]>> = {
  '__builtin__ xrange': ['builtins', 'range'],
  '__builtin__ reduce': ['functools', 'reduce'],
  '__builtin__ intern': ['sys', 'intern'],
  '__builtin__ unichr': ['builtins', 'chr'],
  '__builtin__ unicode': ['builtins', 'str'],
  '__builtin__ long': ['builtins', 'int'],
  '__builtin__ basestring': ['builtins', 'str'],
  'itertools izip': ['builtins', 'zip'],
  'itertools imap': ['builtins', 'map'],
  'itertools ifilter': ['builtins', 'filter'],
  'exceptions StandardError': ['builtins', 'Exception'],
  'UserDict IterableUserDict': ['collections', 'UserDict'],
  '_socket fromfd': ['socket', 'fromfd'],
  '_multiprocessing Connection': ['multiprocessing.connection', 'Connection'],
  'multiprocessing.process Process': ['multiprocessing.context', 'Process'],
  'multiprocessing.forking Popen': ['multiprocessing.popen_fork', 'Popen'],
  'urllib getproxies': ['urllib.request', 'getproxies'],
  'urllib urlopen': ['urllib.request', 'urlopen'],
  'urllib urlretrieve': ['urllib.request', 'urlretrieve'],
  'urllib urlcleanup': ['urllib.request', 'urlcleanup'],
  'urllib pathname2url': ['urllib.request', 'pathname2url'],
  'urllib url2pathname': ['urllib.request', 'url2pathname'],
};

// Maps, not object lookups: a global named `constructor` or `__proto__` must not hit Object.prototype.
const IMPORTS = new Map(Object.entries(IMPORT_MAPPING));
const NAMES = new Map(Object.entries(NAME_MAPPING));

/** The Python 3 spelling of a global, or undefined when the unpickler would not rename it. */
export function py3Spelling(module: string, name: string): readonly [string, string] | undefined {
  const pair = NAMES.get(`${module} ${name}`);
  if (pair !== undefined) return pair;
  const mapped = IMPORTS.get(module);
  return mapped === undefined ? undefined : [mapped, name];
}
