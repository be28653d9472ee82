import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../src/scanners/policy/index.js';

/**
 * The union of the peers' denylists (shared/threats/model-files.md B.1–B.4) and every callable gadget of
 * the bypass catalogue (C.1–C.2). `module` alone means the whole module: probed with an arbitrary name.
 */
const words = (s: string) => s.split(/\s+/).filter((w) => w !== '');
const names = (module: string, list: string) => words(list).map((n) => `${module}:${n}`);

const PICKLESCAN = [
  ...words(`_aix_support _osx_support _pickle _pyrepl aiohttp asyncio bdb cProfile commands ctypes
    distutils.file_util httplib nt numpy.f2py numpy.testing._private.utils os pdb pickle pip posix profile pty
    pydoc requests.api runpy shutil socket ssl subprocess sys test timeit urllib.request uuid venv webbrowser`),
  ...names('builtins', 'eval compile getattr apply exec open breakpoint'),
  ...names('__builtin__', 'eval compile getattr apply exec open breakpoint'),
  ...names(
    'cloudpickle.cloudpickle',
    '_builtin_type _make_function _function_setstate _make_cell _make_empty_cell subimport',
  ),
  'types:CodeType',
  'functools:partial',
  'logging:FileHandler',
  '_io:FileIO',
  ...names('operator', 'attrgetter itemgetter methodcaller'),
  ...names('_operator', 'attrgetter itemgetter methodcaller'),
  'code:InteractiveInterpreter.runcode',
  'doctest:debug_script',
  'ensurepip:_run_pip',
  ...names('idlelib.autocomplete', 'AutoComplete.get_entity AutoComplete.fetch_completions'),
  ...names('idlelib.calltip', 'Calltip.fetch_tip get_entity'),
  'idlelib.debugobj:ObjectTreeItem.SetText',
  ...names('idlelib.pyshell', 'ModifiedInterpreter.runcode ModifiedInterpreter.runcommand'),
  'idlelib.run:Executive.runcode',
  'imaplib:IMAP4_stream',
  'lib2to3.pgen2.grammar:Grammar.loads',
  'lib2to3.pgen2.pgen:ParserGenerator.make_label',
  'pkgutil:resolve_name',
  'torch._dynamo.guards:GuardBuilder.get',
  'torch._inductor.codecache:compile_file',
  'torch.fx.experimental.symbolic_shapes:ShapeEnv.evaluate_guards_expression',
  'torch.jit.unsupported_tensor_ops:execWrapper',
  'torch.serialization:load',
  'torch.utils._config_module:ConfigModule.load_config',
  ...names('torch.utils.bottleneck.__main__', 'run_cprofile run_autograd_prof'),
  'torch.utils.collect_env:run',
  'torch.utils.data.datapipes.utils.decoder:basichandlers',
  ...names('trace', 'Trace.run Trace.runctx'),
];

const MODELSCAN = [
  ...names('builtins', 'eval compile getattr apply exec open breakpoint __import__'),
  ...names('__builtin__', 'eval compile getattr apply exec open breakpoint __import__'),
  ...words('runpy os nt posix socket subprocess sys pty pickle _pickle bdb pdb shutil asyncio'),
  'operator:attrgetter',
  ...words('webbrowser httplib requests.api aiohttp.client'),
];

const FICKLING = [
  ...words(`__builtin__ __builtins__ builtins os posix nt subprocess sys pty commands multiprocessing
    _posixsubprocess code codeop runpy marshal types doctest _interpreters _xxsubinterpreters importlib
    _frozen_importlib _frozen_importlib_external _imp imp pkgutil zipimport gc site unittest inspect test
    _operator operator functools cProfile profile pdb bdb timeit trace socket ssl httplib http urllib urllib2
    requests aiohttp asyncio webbrowser smtplib imaplib ftplib poplib telnetlib nntplib ctypes _ctypes pickle
    _pickle dill cloudpickle joblib shutil tempfile filecmp distutils pydoc pexpect pipes venv ensurepip pip
    idlelib lib2to3 socketserver xmlrpc signal _signal threading _thread atexit sqlite3 _sqlite3 fileinput
    glob platform linecache difflib compileall py_compile mmap select selectors logging syslog tarfile
    zipfile shelve uuid _osx_support _aix_support`),
  // UNSAFE_IMPORTS lists compile/exec/eval as import components: builtins reached under any module
  ...names('builtins', 'compile exec eval'),
  'numpy:eval',
  // UnsafeImportsML
  ...words('torch.hub torch._dynamo torch._inductor torch.jit torch.compile numpy.f2py numpy.distutils'),
  ...words(`torch:load torch:compile torch.storage:_load_from_bytes torch.utils._config_module:ConfigModule
    torch.distributed.elastic.rendezvous.api:basichandlers numpy.testing._private.utils:runstring
    _io:FileIO _io:open io:FileIO io:open`),
];

const MODELAUDIT = [
  ...names('os', 'system popen popen2 execv execve execl spawnv spawnlp posix_spawn posix_spawnp'),
  ...names('subprocess', 'Popen call check_call check_output run getoutput getstatusoutput'),
  ...names('builtins', 'eval exec compile __import__ open file getattr setattr delattr'),
  'importlib:import_module',
  'io:open',
  'builtins:open',
  ...names('operator', 'getitem attrgetter itemgetter methodcaller'),
  'code:x',
  ...names('types', 'CodeType FunctionType'),
  ...names('pickle', 'load loads'),
  'joblib:load',
  ...names('marshal', 'load loads'),
  'torch:load',
  ...names('torch.hub', 'load load_state_dict_from_url'),
  'torch.storage:_load_from_bytes',
  ...names('torch.distributed.rpc', 'rpc_sync rpc_async remote RemoteModule'),
  'numpy.testing._private.utils:runstring',
  'pip:main',
  'pip._internal:main',
  'pip._internal.cli.main:main',
  'pip._vendor.distlib.scripts:ScriptMaker',
  ...names('shutil', 'rmtree move copy copytree'),
  'pkgutil:resolve_name',
  ...names('uuid', '_get_command_stdout _popen'),
  ...names('cProfile', 'run runctx'),
  ...names('profile', 'run runctx'),
  ...names('pdb', 'run runeval runcall runctx'),
  ...names('timeit', 'timeit repeat'),
  ...names(
    'ctypes',
    'CDLL WinDLL OleDLL PyDLL cdll windll oledll pydll pythonapi cast CFUNCTYPE WINFUNCTYPE',
  ),
  ...words(`__builtin__ __builtins__ builtins os posix nt subprocess sys socket urllib urllib2 http ftplib
    telnetlib pty commands shutil code torch.hub ctypes ctypes.util _ctypes cProfile profile pdb timeit bdb
    trace _thread multiprocessing signal _signal threading pip pip._internal pip._vendor zipimport importlib
    runpy pkgutil smtplib imaplib poplib nntplib xmlrpc socketserver ssl requests aiohttp codeop marshal types
    compileall py_compile _operator functools pickle _pickle dill cloudpickle joblib tempfile filecmp
    fileinput glob distutils pydoc pexpect venv ensurepip webbrowser asyncio mmap select selectors logging
    syslog tarfile zipfile shelve sqlite3 _sqlite3 doctest idlelib lib2to3 uuid`),
];

/** C.1–C.2: the callable of every gadget (T20 EXT codes and T03 BUILD are structure, not globals). */
const GADGETS: Record<string, string[]> = {
  T01: ['posix:system', 'nt:system', 'os:system'],
  T02: ['__builtin__:exec', 'smtplib:SMTP'],
  T04: ['os:system'],
  T09: ['pathlib:os.system', 'builtins:dict.get', 'pathlib:os.posix_spawnp'],
  T10: ['asyncio.unix_events:_UnixSubprocessTransport._start', 'asyncio.subprocess:create_subprocess_shell'],
  T14: ['numpy:__builtins__'],
  T15: [
    ...words(`importlib:import_module builtins:vars builtins:dict.get inspect:getattr_static pkgutil:resolve_name
      pydoc:locate operator:methodcaller _operator:attrgetter _operator:methodcaller builtins:globals
      builtins:locals builtins:__import__ builtins:setattr builtins:getattr`),
  ],
  T16: words(`torch.storage:_load_from_bytes pickle:loads _pickle:loads functools:partial torch:load
    torch.serialization:load torch.utils._config_module:ConfigModule.load_config
    torch.utils.data.datapipes.utils.decoder:basichandlers lib2to3.pgen2.grammar:Grammar.loads joblib:load
    numpy:load pandas:read_pickle dill:loads marshal:loads types:FunctionType cPickle:loads`),
  T17: words('types:CodeType cloudpickle.cloudpickle:_make_function cloudpickle.cloudpickle:_builtin_type'),
  T21: words(
    'fickling.hook:deactivate_safe_ml_environment picklescan:x modelscan:x modelaudit:x saferpickle:x',
  ),
  T23: words('pip:main ensurepip:_run_pip venv:create'),
  T24: words(`timeit:timeit numpy.testing._private.utils:runstring cProfile:run cProfile:runctx profile:run
    profile:runctx trace:Trace.run trace:Trace.runctx code:InteractiveInterpreter.runcode doctest:debug_script
    bdb:Bdb.run runpy:_run_code idlelib.pyshell:ModifiedInterpreter.runcode idlelib.run:Executive.runcode
    lib2to3.pgen2.pgen:ParserGenerator.make_label numpy.f2py.crackfortran:getlincoef
    numpy.f2py.crackfortran:myeval codeop:compile_command`),
  T25: words(`torch.utils.bottleneck.__main__:run_cprofile torch.utils.bottleneck.__main__:run_autograd_prof
    torch._dynamo.guards:GuardBuilder.get torch.fx.experimental.symbolic_shapes:ShapeEnv.evaluate_guards_expression
    torch.utils.collect_env:run torch.utils.collect_env:run_and_read_all
    torch.jit.unsupported_tensor_ops:execWrapper torch._inductor.codecache:compile_file
    torch.distributed.rpc:rpc_sync`),
  T26: words(`uuid:_get_command_stdout _osx_support:_read_output _osx_support:_find_build_tool
    _aix_support:_read_cmd_output imaplib:IMAP4_stream _pyrepl.pager:pipe_pager
    test.support.script_helper:assert_python_ok pty:spawn asyncio.unix_events:_UnixSubprocessTransport._start
    multiprocessing.util:spawnv_passfds distutils.spawn:spawn pydoc:pipepager`),
  T27: words('ctypes:CDLL ctypes:WinDLL _ctypes:dlopen cffi:FFI'),
  T28: words(`logging:FileHandler logging.handlers:WatchedFileHandler distutils.file_util:write_file _io:FileIO
    io:FileIO io:open builtins:open shutil:copyfile tempfile:NamedTemporaryFile linecache:getline
    difflib:unified_diff fileinput:input glob:glob zipfile:ZipFile tarfile:open shelve:open sqlite3:connect`),
  T29: words(`urllib.request:urlopen ssl:get_server_certificate requests:get requests.api:get
    aiohttp:ClientSession aiohttp.client:ClientSession http.client:HTTPSConnection socket:create_connection
    smtplib:SMTP ftplib:FTP poplib:POP3 telnetlib:Telnet nntplib:NNTP http.server:HTTPServer
    pandas.io.parsers.readers:read_csv pandas:read_csv mlflow.projects.backend.local:_run_entry_point
    webbrowser:open imaplib:IMAP4 xmlrpc.client:ServerProxy socketserver:TCPServer`),
  T30: words(`sys:exit _interpreters:create _interpreters:run_string _xxsubinterpreters:run_string
    _posixsubprocess:fork_exec site:addsitedir atexit:register gc:get_objects platform:popen signal:signal
    threading:Thread _thread:start_new_thread`),
  T31: ['functools:partial'],
  T32: words(
    'numpy:loadtxt pandas:read_csv PIL.Image:open torchvision.datasets:MNIST torchvision.datasets.utils:download_url',
  ),
};

function probe(target: string): [string, string] {
  const colon = target.indexOf(':');
  return colon < 0 ? [target, 'probe_name'] : [target.slice(0, colon), target.slice(colon + 1)];
}

function notDangerous(targets: readonly string[]): string[] {
  return targets.filter((t) => {
    const [m, n] = probe(t);
    return DEFAULT_POLICY.classify(m, n).kind !== 'dangerous';
  });
}

describe('covers the union of the peers denylists', () => {
  it(`picklescan _unsafe_globals (${PICKLESCAN.length})`, () => expect(notDangerous(PICKLESCAN)).toEqual([]));
  it(`modelscan default unsafe_globals (${MODELSCAN.length})`, () =>
    expect(notDangerous(MODELSCAN)).toEqual([]));
  it(`fickling UNSAFE_IMPORTS + UnsafeImportsML (${FICKLING.length})`, () =>
    expect(notDangerous(FICKLING)).toEqual([]));
  it(`modelaudit ALWAYS_DANGEROUS_FUNCTIONS/MODULES (${MODELAUDIT.length})`, () =>
    expect(notDangerous(MODELAUDIT)).toEqual([]));
});

describe('covers every callable gadget of the bypass catalogue', () => {
  for (const [id, targets] of Object.entries(GADGETS)) {
    it(id, () => expect(notDangerous(targets)).toEqual([]));
  }
});
