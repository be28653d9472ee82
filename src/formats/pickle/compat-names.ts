/**
 * Python 2 → 3 name fixes that CPython's `find_class` applies to protocol 0–2 pickles
 * (`fix_imports=True`, the default): `c__builtin__\neval\n` imports `builtins.eval`. Copied from
 * CPython 3.11 Lib/_compat_pickle.py (IMPORT_MAPPING, NAME_MAPPING); the scanner judges the name
 * that is really imported.
 */
const IMPORT_MAPPING: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  Queue: 'queue',
  SocketServer: 'socketserver',
  ConfigParser: 'configparser',
  repr: 'reprlib',
  tkFileDialog: 'tkinter.filedialog',
  tkSimpleDialog: 'tkinter.simpledialog',
  tkColorChooser: 'tkinter.colorchooser',
  tkCommonDialog: 'tkinter.commondialog',
  Dialog: 'tkinter.dialog',
  Tkdnd: 'tkinter.dnd',
  tkFont: 'tkinter.font',
  tkMessageBox: 'tkinter.messagebox',
  ScrolledText: 'tkinter.scrolledtext',
  Tkconstants: 'tkinter.constants',
  Tix: 'tkinter.tix',
  ttk: 'tkinter.ttk',
  Tkinter: 'tkinter',
  markupbase: '_markupbase',
  _winreg: 'winreg',
  thread: '_thread',
  dummy_thread: '_dummy_thread',
  dbhash: 'dbm.bsd',
  dumbdbm: 'dbm.dumb',
  dbm: 'dbm.ndbm',
  gdbm: 'dbm.gnu',
  xmlrpclib: 'xmlrpc.client',
  SimpleXMLRPCServer: 'xmlrpc.server',
  httplib: 'http.client',
  htmlentitydefs: 'html.entities',
  HTMLParser: 'html.parser',
  Cookie: 'http.cookies',
  cookielib: 'http.cookiejar',
  BaseHTTPServer: 'http.server',
  'test.test_support': 'test.support',
  commands: 'subprocess',
  urlparse: 'urllib.parse',
  robotparser: 'urllib.robotparser',
  urllib2: 'urllib.request',
  anydbm: 'dbm',
  _abcoll: 'collections.abc',
  // Non-mutual mappings added by IMPORT_MAPPING.update(...).
  UserDict: 'collections',
  UserList: 'collections',
  UserString: 'collections',
  whichdb: 'dbm',
  StringIO: 'io',
  cStringIO: 'io',
  cPickle: 'pickle',
  _elementtree: 'xml.etree.ElementTree',
  FileDialog: 'tkinter.filedialog',
  SimpleDialog: 'tkinter.simpledialog',
  DocXMLRPCServer: 'xmlrpc.server',
  SimpleHTTPServer: 'http.server',
  CGIHTTPServer: 'http.server',
};

const NAME_MAPPING: Readonly<Record<string, readonly [string, string]>> = {
  '__builtin__ xrange': ['builtins', 'range'],
  '__builtin__ reduce': ['functools', 'reduce'],
  '__builtin__ intern': ['sys', 'intern'],
  '__builtin__ unichr': ['builtins', 'chr'],
  '__builtin__ unicode': ['builtins', 'str'],
  '__builtin__ long': ['builtins', 'int'],
  'itertools izip': ['builtins', 'zip'],
  'itertools imap': ['builtins', 'map'],
  'itertools ifilter': ['builtins', 'filter'],
  'itertools ifilterfalse': ['itertools', 'filterfalse'],
  'itertools izip_longest': ['itertools', 'zip_longest'],
  'UserDict IterableUserDict': ['collections', 'UserDict'],
  'UserList UserList': ['collections', 'UserList'],
  'UserString UserString': ['collections', 'UserString'],
  'whichdb whichdb': ['dbm', 'whichdb'],
  '_socket fromfd': ['socket', 'fromfd'],
  '_multiprocessing Connection': ['multiprocessing.connection', 'Connection'],
  'multiprocessing.process Process': ['multiprocessing.context', 'Process'],
  'multiprocessing.forking Popen': ['multiprocessing.popen_fork', 'Popen'],
  'urllib ContentTooShortError': ['urllib.error', 'ContentTooShortError'],
  'urllib getproxies': ['urllib.request', 'getproxies'],
  'urllib pathname2url': ['urllib.request', 'pathname2url'],
  'urllib quote_plus': ['urllib.parse', 'quote_plus'],
  'urllib quote': ['urllib.parse', 'quote'],
  'urllib unquote_plus': ['urllib.parse', 'unquote_plus'],
  'urllib unquote': ['urllib.parse', 'unquote'],
  'urllib url2pathname': ['urllib.request', 'url2pathname'],
  'urllib urlcleanup': ['urllib.request', 'urlcleanup'],
  'urllib urlencode': ['urllib.parse', 'urlencode'],
  'urllib urlopen': ['urllib.request', 'urlopen'],
  'urllib urlretrieve': ['urllib.request', 'urlretrieve'],
  'urllib2 HTTPError': ['urllib.error', 'HTTPError'],
  'urllib2 URLError': ['urllib.error', 'URLError'],
  '__builtin__ basestring': ['builtins', 'str'],
  'exceptions StandardError': ['builtins', 'Exception'],
  'UserDict UserDict': ['collections', 'UserDict'],
  'socket _socketobject': ['socket', 'SocketType'],
  'multiprocessing AuthenticationError': ['multiprocessing.context', 'AuthenticationError'],
  'multiprocessing BufferTooShort': ['multiprocessing.context', 'BufferTooShort'],
  'multiprocessing ProcessError': ['multiprocessing.context', 'ProcessError'],
  'multiprocessing TimeoutError': ['multiprocessing.context', 'TimeoutError'],
};

/** Python 2 exception names, which `exceptions.X` maps to `builtins.X`. */
const PY2_EXCEPTIONS = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BufferError BytesWarning ' +
    'DeprecationWarning EOFError EnvironmentError Exception FloatingPointError FutureWarning ' +
    'GeneratorExit IOError ImportError ImportWarning IndentationError IndexError KeyError ' +
    'KeyboardInterrupt LookupError MemoryError NameError NotImplementedError OSError OverflowError ' +
    'PendingDeprecationWarning ReferenceError RuntimeError RuntimeWarning StopIteration SyntaxError ' +
    'SyntaxWarning SystemError SystemExit TabError TypeError UnboundLocalError UnicodeDecodeError ' +
    'UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError ' +
    'Warning ZeroDivisionError'
  ).split(' '),
);

/** The (module, name) that `find_class` really imports for a protocol 0–2 pickle. */
export function fixImports(module: string, name: string): readonly [string, string] {
  const key = `${module} ${name}`;
  const byName = Object.hasOwn(NAME_MAPPING, key) ? NAME_MAPPING[key] : undefined;
  if (byName) return byName;
  if (module === 'exceptions' && PY2_EXCEPTIONS.has(name)) return ['builtins', name];
  const mapped = Object.hasOwn(IMPORT_MAPPING, module) ? IMPORT_MAPPING[module] : undefined;
  return mapped === undefined ? [module, name] : [mapped, name];
}
