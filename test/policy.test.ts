import { describe, expect, it } from 'vitest';
import {
  CATALOGUE,
  createPolicy,
  DANGER_FAMILIES,
  type DangerFamily,
  DEFAULT_POLICY,
  EXEMPTIONS,
  PROFILES,
} from '../src/scanners/policy/index.js';

const classify = (m: string, n: string) => DEFAULT_POLICY.classify(m, n);
const familyOf = (m: string, n: string): DangerFamily | 'safe' | 'unknown' => {
  const v = classify(m, n);
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
    const v = classify('os', 'system');
    expect(v.kind === 'dangerous' && v.reason.length > 10).toBe(true);
  });
  it('has no target listed twice', () => {
    expect(CATALOGUE.duplicates).toEqual([]);
  });
});

describe('dotted names and dunder tricks', () => {
  it('resolves attribute walks through re-exported modules (T09)', () => {
    expect(familyOf('pathlib', 'os.system')).toBe('process');
    expect(familyOf('torch', 'serialization.load')).toBe('nested-loader');
    expect(familyOf('numpy', 'testing._private.utils.runstring')).toBe('code-execution');
    expect(familyOf('os', 'path.join')).toBe('process');
  });
  it('flags any dunder attribute (T14)', () => {
    expect(familyOf('numpy', '__builtins__')).toBe('import-trampoline');
    expect(familyOf('torch.nn.modules.linear', 'Linear.__init__.__globals__')).toBe('import-trampoline');
    expect(familyOf('collections', 'OrderedDict.__class__')).toBe('import-trampoline');
    expect(familyOf('torch', 'Size.__reduce__')).toBe('import-trampoline');
    expect(familyOf('__builtins__', 'eval')).toBe('import-trampoline');
  });
  it('flags attribute walks on builtins (T15 dict.get)', () => {
    expect(familyOf('builtins', 'dict.get')).toBe('import-trampoline');
    expect(familyOf('__builtin__', 'str.format')).toBe('import-trampoline');
  });
  it('flags re-exported evaluators reached through another module', () => {
    expect(familyOf('numpy', 'eval')).toBe('code-execution');
    expect(familyOf('somepkg.util', 'getattr')).toBe('import-trampoline');
  });
  it('flags a module object reached as a global (module state rewrite)', () => {
    expect(familyOf('torch', '_utils')).toBe('import-trampoline');
    expect(familyOf('numpy', 'random')).toBe('import-trampoline');
  });
  it('flags package __main__ scripts but not __main__ classes', () => {
    expect(familyOf('torch.utils.bottleneck.__main__', 'main')).toBe('code-execution');
    expect(familyOf('somepkg.__main__', 'main')).toBe('code-execution');
    expect(familyOf('__main__', 'MyModel')).toBe('unknown');
  });
  it('never launders an attribute walk below an allowlisted class', () => {
    expect(familyOf('torch.nn.modules.linear', 'Linear')).toBe('safe');
    expect(familyOf('torch.nn.modules.linear', 'Linear.register_forward_hook')).toBe('unknown');
    expect(familyOf('pathlib', 'PosixPath.unlink')).toBe('filesystem');
  });
  it('treats an absurd walk length as a trick', () => {
    expect(familyOf('a', Array.from({ length: 40 }, () => 'b').join('.'))).toBe('import-trampoline');
  });
  it('is not fooled by Object.prototype names', () => {
    for (const n of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(familyOf(n, n)).toBe('unknown');
      expect(familyOf('builtins', n)).toBe('import-trampoline');
    }
    expect(familyOf('__proto__', 'x')).toBe('unknown');
  });
  it('returns unknown for names no import could resolve', () => {
    expect(familyOf('os ', 'system')).toBe('unknown');
    expect(familyOf('', 'x')).toBe('unknown');
    expect(familyOf('torch', 'a..b')).toBe('unknown');
  });
  it('normalises Python 2 spellings', () => {
    expect(classify('__builtin__', 'set')).toEqual({ kind: 'safe', profile: 'plain' });
    expect(classify('copy_reg', '_reconstructor')).toEqual({ kind: 'safe', profile: 'plain' });
    expect(familyOf('__builtin__', 'xrange')).toBe('safe');
    expect(familyOf('urllib2', 'urlopen')).toBe('network');
    expect(familyOf('exceptions', 'ValueError')).toBe('import-trampoline');
    expect(familyOf('builtins', 'print')).toBe('import-trampoline');
  });
});

describe('allowlist profiles', () => {
  it('classifies every profile entry safe (exemptions included)', () => {
    for (const profile of Object.values(PROFILES)) {
      for (const [module, names] of Object.entries(profile.table)) {
        for (const name of names.split(/\s+/)) {
          const v = classify(module, name);
          expect([module, name, v.kind]).toEqual([module, name, 'safe']);
        }
      }
    }
  });
  it('lists only exemptions that some profile allows', () => {
    for (const [module, names] of Object.entries(EXEMPTIONS)) {
      for (const name of names.split(' ')) expect(classify(module, name).kind).toBe('safe');
    }
  });
  it('keeps the rest of an exempted module dangerous', () => {
    expect(familyOf('copyreg', 'add_extension')).toBe('import-trampoline');
    expect(familyOf('types', 'FunctionType')).toBe('code-object');
    expect(familyOf('uuid', '_get_command_stdout')).toBe('process');
    expect(familyOf('torch.serialization', '_load')).toBe('nested-loader');
    expect(familyOf('logging', 'FileHandler')).toBe('filesystem');
  });
  it('fails closed on anything unlisted', () => {
    expect(classify('mycompany.models', 'Net')).toEqual({ kind: 'unknown' });
    expect(classify('re', '_compile')).toEqual({ kind: 'unknown' });
    expect(classify('numpy', 'size')).toEqual({ kind: 'unknown' });
    expect(DEFAULT_POLICY.unknownSeverity).toBe('medium');
  });
  it('allows only pure constructors among builtins', () => {
    for (const n of ['dict', 'list', 'set', 'tuple', 'bytes', 'bytearray', 'complex', 'slice', 'object']) {
      expect(familyOf('builtins', n)).toBe('safe');
    }
    for (const n of [
      'getattr',
      'eval',
      'exec',
      'compile',
      'open',
      '__import__',
      'vars',
      'globals',
      'locals',
    ]) {
      expect(classify('builtins', n).kind).toBe('dangerous');
    }
    for (const n of ['setattr', 'delattr', 'input', 'breakpoint', 'help', 'exit', 'quit']) {
      expect(classify('builtins', n).kind).toBe('dangerous');
    }
  });
});

describe('performance', () => {
  it('classifies 100k globals quickly (cached Map lookups)', () => {
    const policy = createPolicy();
    const names = ['_rebuild_tensor_v2', 'FloatStorage', 'OrderedDict', 'system', 'Unlisted'];
    const modules = ['torch._utils', 'torch', 'collections', 'os', 'mine'];
    const t0 = performance.now();
    let dangerous = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const j = i % 5;
      if (policy.classify(modules[j] ?? '', names[j] ?? '').kind === 'dangerous') dangerous += 1;
    }
    expect(dangerous).toBe(20_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('stays bounded with many distinct hostile names', () => {
    const policy = createPolicy();
    for (let i = 0; i < 70_000; i += 1) policy.classify('m', `n${i}`);
    expect(policy.classify('os', 'system').kind).toBe('dangerous');
  });
});
