import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  DANGER_FAMILIES,
  type DangerFamily,
  DEFAULT_POLICY,
} from '../src/scanners/policy/index.js';

const familyOf = (m: string, n: string): DangerFamily | 'safe' | 'unknown' => {
  const v = DEFAULT_POLICY.classify(m, n);
  return v.kind === 'dangerous' ? v.family : v.kind;
};

/** At least one case per danger family, from the catalogue of bypasses (T01–T32). */
const FAMILY_CASES: Record<DangerFamily, Array<[string, string]>> = {
  'code-execution': [
    ['builtins', 'eval'],
    ['__builtin__', 'exec'],
    ['timeit', 'timeit'],
    ['cProfile', 'runctx'],
    ['trace', 'Trace.runctx'],
    ['code', 'InteractiveInterpreter.runcode'],
    ['doctest', 'debug_script'],
    ['runpy', '_run_code'],
    ['idlelib.pyshell', 'ModifiedInterpreter.runcode'],
    ['lib2to3.pgen2.pgen', 'ParserGenerator.make_label'],
    ['numpy.f2py.crackfortran', 'myeval'],
    ['numpy.testing._private.utils', 'runstring'],
    ['torch.fx.experimental.symbolic_shapes', 'ShapeEnv.evaluate_guards_expression'],
    ['torch._dynamo.guards', 'GuardBuilder.get'],
    ['torch.jit.unsupported_tensor_ops', 'execWrapper'],
    ['torch._inductor.codecache', 'compile_file'],
    ['torch.utils.bottleneck.__main__', 'run_cprofile'],
    ['torch.fx.graph_module', 'reduce_graph_module'],
    ['rlcompleter', 'Completer.attr_matches'],
  ],
  process: [
    ['os', 'system'],
    ['posix', 'system'],
    ['nt', 'system'],
    ['subprocess', 'Popen'],
    ['commands', 'getoutput'],
    ['pty', 'spawn'],
    ['uuid', '_get_command_stdout'],
    ['_osx_support', '_read_output'],
    ['_aix_support', '_read_cmd_output'],
    ['imaplib', 'IMAP4_stream'],
    ['_pyrepl.pager', 'pipe_pager'],
    ['test.support.script_helper', 'assert_python_ok'],
    ['asyncio.unix_events', '_UnixSubprocessTransport._start'],
    ['asyncio.subprocess', 'create_subprocess_shell'],
    ['multiprocessing.util', 'spawnv_passfds'],
    ['distutils.spawn', 'spawn'],
    ['pydoc', 'pipepager'],
    ['torch.utils.collect_env', 'run_and_read_all'],
  ],
  filesystem: [
    ['logging', 'FileHandler'],
    ['logging.handlers', 'RotatingFileHandler'],
    ['distutils.file_util', 'write_file'],
    ['_io', 'FileIO'],
    ['io', 'open'],
    ['builtins', 'open'],
    ['shutil', 'rmtree'],
    ['tempfile', 'mkstemp'],
    ['linecache', 'getline'],
    ['difflib', 'unified_diff'],
    ['fileinput', 'input'],
    ['glob', 'glob'],
    ['zipfile', 'ZipFile'],
    ['tarfile', 'open'],
    ['sqlite3', 'connect'],
    ['pathlib', 'Path.write_text'],
    ['numpy', 'loadtxt'],
    ['pandas.io.parsers.readers', 'read_csv'],
  ],
  network: [
    ['socket', 'create_connection'],
    ['ssl', 'get_server_certificate'],
    ['urllib.request', 'urlopen'],
    ['urllib', 'urlopen'],
    ['http.client', 'HTTPSConnection'],
    ['httplib', 'HTTPSConnection'],
    ['http.server', 'HTTPServer'],
    ['requests.api', 'get'],
    ['aiohttp.client', 'ClientSession'],
    ['smtplib', 'SMTP'],
    ['ftplib', 'FTP'],
    ['poplib', 'POP3'],
    ['telnetlib', 'Telnet'],
    ['nntplib', 'NNTP'],
    ['xmlrpc.client', 'ServerProxy'],
    ['socketserver', 'TCPServer'],
    ['webbrowser', 'open'],
    ['mlflow.projects.backend.local', '_run_entry_point'],
  ],
  'native-code': [
    ['ctypes', 'CDLL'],
    ['ctypes', 'WinDLL'],
    ['_ctypes', 'dlopen'],
    ['cffi', 'FFI'],
    ['torch.ops', 'load_library'],
  ],
  'nested-loader': [
    ['pickle', 'loads'],
    ['_pickle', 'loads'],
    ['cPickle', 'loads'],
    ['dill', 'loads'],
    ['joblib', 'load'],
    ['joblib.numpy_pickle', 'load'],
    ['joblib.numpy_pickle', 'NDArrayWrapper'],
    ['torch', 'load'],
    ['torch.serialization', 'load'],
    ['torch.storage', '_load_from_bytes'],
    ['numpy', 'load'],
    ['pandas', 'read_pickle'],
    ['marshal', 'loads'],
    ['lib2to3.pgen2.grammar', 'Grammar.loads'],
    ['torch.utils._config_module', 'ConfigModule.load_config'],
    ['torch.utils.data.datapipes.utils.decoder', 'basichandlers'],
    ['shelve', 'open'],
  ],
  'import-trampoline': [
    ['importlib', 'import_module'],
    ['pkgutil', 'resolve_name'],
    ['pydoc', 'locate'],
    ['operator', 'attrgetter'],
    ['operator', 'methodcaller'],
    ['_operator', 'itemgetter'],
    ['builtins', 'getattr'],
    ['builtins', 'vars'],
    ['builtins', 'globals'],
    ['builtins', 'locals'],
    ['builtins', '__import__'],
    ['builtins', 'setattr'],
    ['inspect', 'getattr_static'],
    ['functools', 'partial'],
    ['functools', 'reduce'],
    ['__builtin__', 'reduce'],
    ['copyreg', 'add_extension'],
    ['numpy.core', '_ufunc_reconstruct'],
    ['torch._utils', '_import_dotted_name'],
  ],
  'interpreter-control': [
    ['sys', 'exit'],
    ['gc', 'get_objects'],
    ['signal', 'signal'],
    ['atexit', 'register'],
    ['site', 'addsitedir'],
    ['_interpreters', 'run_string'],
    ['_xxsubinterpreters', 'run_string'],
    ['threading', 'Thread'],
    ['_thread', 'start_new_thread'],
    ['platform', 'system'],
    ['builtins', 'breakpoint'],
  ],
  'package-install': [
    ['pip', 'main'],
    ['pip._internal.cli.main', 'main'],
    ['ensurepip', '_run_pip'],
    ['venv', 'create'],
  ],
  'code-object': [
    ['types', 'CodeType'],
    ['types', 'FunctionType'],
    ['cloudpickle.cloudpickle', '_make_function'],
    ['cloudpickle.cloudpickle', '_builtin_type'],
    ['dill._dill', '_create_code'],
  ],
  'scanner-evasion': [
    ['fickling.hook', 'deactivate_safe_ml_environment'],
    ['picklescan.scanner', 'scan_pickle_bytes'],
    ['modelscan', 'x'],
    ['modelaudit.core', 'x'],
    ['saferpickle', 'x'],
    ['model_unpickler', 'x'],
  ],
};

describe('danger families', () => {
  it('covers every family', () => {
    expect(Object.keys(FAMILY_CASES).sort()).toEqual([...DANGER_FAMILIES].sort());
  });
  for (const family of DANGER_FAMILIES) {
    it(`classifies ${family} gadgets`, () => {
      for (const [m, n] of FAMILY_CASES[family]) expect([m, n, familyOf(m, n)]).toEqual([m, n, family]);
    });
  }
  it('gives every dangerous verdict a reason', () => {
    const v = DEFAULT_POLICY.classify('os', 'system');
    expect(v.kind === 'dangerous' && v.reason.length > 10).toBe(true);
  });
  it('has no target listed twice', () => {
    expect(CATALOGUE.duplicates).toEqual([]);
  });
});
