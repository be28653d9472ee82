/**
 * T23–T32: callables that run code, spawn processes, touch files or the network without being
 * os.system (../shared/threats/model-files.md section C.2). One sample per representative callable,
 * each `callable(args)` via STACK_GLOBAL + REDUCE in protocol 4 unless noted. Nothing is ever loaded.
 */
import type { PickleAssembler } from '../../src/formats/pickle/assembler.js';
import { type Build, CMD, CMD_PY, framed, stackGlobal, strList } from './pickle-kit.js';
import { type CorpusSample, type Expect, fileSample } from './types.js';

interface Gadget {
  id: string;
  technique: string;
  description: string;
  mustMention: string;
  expect?: Expect;
  fileName?: string;
  build: Build;
}

/** `module.name(*args)` with args written by `args` between MARK and TUPLE; STOP after. */
function call(module: string, name: string, args: Build): Build {
  return (a) => {
    stackGlobal(a, module, name).mark();
    args(a);
    a.tuple().reduce().stop();
  };
}

const str =
  (...items: readonly string[]): Build =>
  (a) => {
    for (const s of items) a.binunicode(s);
  };

/** `(host, port)` as a tuple argument. */
function hostPort(a: PickleAssembler, host: string, port: number): PickleAssembler {
  return a.binunicode(host).binint2(port).tuple2();
}

const GADGETS: readonly Gadget[] = [
  {
    id: 'T23-pip-main',
    technique: 'T23',
    description:
      "pip.main(['install', 'modelguard-test']): installs a package, i.e. runs its setup code (CVE-2025-1716).",
    mustMention: 'pip',
    build: call('pip', 'main', (a) => strList(a, ['install', 'modelguard-test'])),
  },
  {
    id: 'T23-ensurepip-run-pip',
    technique: 'T23',
    description: "ensurepip._run_pip(['--version']): runs pip in a subprocess (GHSA-xp4f-hrf8-rxw7).",
    mustMention: '_run_pip',
    build: call('ensurepip', '_run_pip', (a) => strList(a, ['--version'])),
  },
  {
    id: 'T23-venv-create-prompt',
    technique: 'T23',
    description:
      "venv.create('/tmp/modelguard-test-venv', False, False, False, False, '$(echo modelguard-test)'): creates an environment with a shell-substituted prompt (picklescan malicious20 shape).",
    mustMention: 'venv',
    build: call('venv', 'create', (a) => {
      a.binunicode('/tmp/modelguard-test-venv').bool(false).bool(false).bool(false).bool(false);
      a.binunicode('$(echo modelguard-test)');
    }),
  },
  {
    id: 'T24-timeit',
    technique: 'T24',
    description: 'timeit.timeit(<code string>): compiles and runs the statement (CVE-2025-71351).',
    mustMention: 'timeit',
    build: call('timeit', 'timeit', str(CMD_PY)),
  },
  {
    id: 'T24-cprofile-run',
    technique: 'T24',
    description: 'cProfile.run(<code string>): exec under the profiler (GHSA-49gj-c84q-6qm9 family).',
    mustMention: 'cProfile',
    build: call('cProfile', 'run', str(CMD_PY)),
  },
  {
    id: 'T24-code-interactive-runcode',
    technique: 'T24',
    description:
      'code.InteractiveInterpreter.runcode(code.InteractiveInterpreter(), <source>): a dotted unbound method called on an instance the pickle builds (CVE-2025-71371).',
    mustMention: 'runcode',
    build: (a) => {
      stackGlobal(a, 'code', 'InteractiveInterpreter.runcode').mark();
      stackGlobal(a, 'code', 'InteractiveInterpreter').emptyTuple().reduce();
      a.binunicode(CMD_PY).tuple().reduce().stop();
    },
  },
  {
    id: 'T24-idlelib-calltip-get-entity',
    technique: 'T24',
    description:
      'idlelib.calltip.get_entity(<expression>): eval()s the expression in a namespace of all modules (GHSA-9xph-j2h6-g47v family).',
    mustMention: 'get_entity',
    build: call('idlelib.calltip', 'get_entity', str(CMD_PY)),
  },
  {
    id: 'T24-numpy-runstring',
    technique: 'T24',
    description: 'numpy.testing._private.utils.runstring(<source>, {}): exec in a dict (CVE-2025-71355).',
    mustMention: 'runstring',
    build: call('numpy.testing._private.utils', 'runstring', (a) => a.binunicode(CMD_PY).emptyDict()),
  },
  {
    id: 'T25-torch-collect-env-run',
    technique: 'T25',
    description:
      "torch.utils.collect_env.run('echo modelguard-test'): runs a shell command (GHSA-f745-w6jp-hpxx).",
    mustMention: 'collect_env',
    fileName: 'pytorch_model.bin',
    build: call('torch.utils.collect_env', 'run', str(CMD)),
  },
  {
    id: 'T25-torch-inductor-compile-file',
    technique: 'T25',
    description:
      "torch._inductor.codecache.compile_file('/tmp/mg.c', '/tmp/mg.so', ['echo', 'modelguard-test']): subprocess.check_output(cmd) (picklescan malicious17).",
    mustMention: 'compile_file',
    fileName: 'pytorch_model.bin',
    build: call('torch._inductor.codecache', 'compile_file', (a) => {
      a.binunicode('/tmp/mg.c').binunicode('/tmp/mg.so');
      strList(a, ['echo', 'modelguard-test']);
    }),
  },
  {
    id: 'T25-torch-jit-execwrapper',
    technique: 'T25',
    description:
      'torch.jit.unsupported_tensor_ops.execWrapper(<source>, {}, {}): exec (GHSA-vr7h-p6mm-wpmh).',
    mustMention: 'execWrapper',
    fileName: 'model.pt',
    build: call('torch.jit.unsupported_tensor_ops', 'execWrapper', (a) =>
      a.binunicode(CMD_PY).emptyDict().emptyDict(),
    ),
  },
  {
    id: 'T26-uuid-get-command-stdout',
    technique: 'T26',
    description:
      "uuid._get_command_stdout('echo', 'modelguard-test'): a hidden subprocess in a stdlib helper (GHSA-g38g-8gr9-h9xp).",
    mustMention: '_get_command_stdout',
    build: call('uuid', '_get_command_stdout', str('echo', 'modelguard-test')),
  },
  {
    id: 'T26-pydoc-pipepager',
    technique: 'T26',
    description:
      "pydoc.pipepager('text', 'echo modelguard-test'): pipes text into a shell command (picklescan malicious18).",
    mustMention: 'pipepager',
    build: call('pydoc', 'pipepager', str('text', CMD)),
  },
  {
    id: 'T26-multiprocessing-spawnv-passfds',
    technique: 'T26',
    description:
      "multiprocessing.util.spawnv_passfds('/bin/echo', ['echo', 'modelguard-test'], []): fork/exec (protectai/modelscan#338).",
    mustMention: 'spawnv_passfds',
    build: call('multiprocessing.util', 'spawnv_passfds', (a) => {
      a.binunicode('/bin/echo');
      strList(a, ['echo', 'modelguard-test']).emptyList();
    }),
  },
  {
    id: 'T27-ctypes-cdll-methodcaller',
    technique: 'T27',
    description:
      "operator.methodcaller('system', b'echo modelguard-test')(ctypes.CDLL(None)): libc's system() through ctypes (GHSA-4675-36f9-wf6r).",
    mustMention: 'CDLL',
    build: (a) => {
      stackGlobal(a, 'operator', 'methodcaller')
        .shortBinunicode('system')
        .shortBinbytes(Buffer.from(CMD))
        .tuple2()
        .reduce();
      stackGlobal(a, 'ctypes', 'CDLL').none().tuple1().reduce().tuple1().reduce().stop();
    },
  },
  {
    id: 'T28-logging-filehandler',
    technique: 'T28',
    description:
      "logging.FileHandler('/tmp/modelguard-test.log'): creates a file at load (GHSA-m7j5-r2p5-c39r).",
    mustMention: 'FileHandler',
    build: call('logging', 'FileHandler', str('/tmp/modelguard-test.log')),
  },
  {
    id: 'T28-io-fileio',
    technique: 'T28',
    description:
      "_io.FileIO('/tmp/modelguard-test', 'w'): opens (creates/truncates) a file (GHSA-9726-w42j-3qjr).",
    mustMention: 'FileIO',
    build: call('_io', 'FileIO', str('/tmp/modelguard-test', 'w')),
  },
  {
    id: 'T28-distutils-write-file',
    technique: 'T28',
    description:
      "distutils.file_util.write_file('/tmp/modelguard-test.txt', ['modelguard-test']) (GHSA-m273-6v24-x4m4).",
    mustMention: 'write_file',
    build: call('distutils.file_util', 'write_file', (a) => {
      a.binunicode('/tmp/modelguard-test.txt');
      strList(a, ['modelguard-test']);
    }),
  },
  {
    id: 'T29-urllib-urlopen',
    technique: 'T29',
    description:
      "urllib.request.urlopen('http://127.0.0.1:9/modelguard-test'): an HTTP request at load (SSRF / beacon).",
    mustMention: 'urlopen',
    build: call('urllib.request', 'urlopen', str('http://127.0.0.1:9/modelguard-test')),
  },
  {
    id: 'T29-ssl-get-server-certificate',
    technique: 'T29',
    description:
      "ssl.get_server_certificate(('modelguard-test.invalid', 443)): a DNS lookup + TLS connect, usable for DNS exfiltration (picklescan dns_exfiltration.npy).",
    mustMention: 'get_server_certificate',
    build: call('ssl', 'get_server_certificate', (a) => hostPort(a, 'modelguard-test.invalid', 443)),
  },
  {
    id: 'T29-socket-create-connection',
    technique: 'T29',
    description: "socket.create_connection(('127.0.0.1', 9)): opens a TCP connection.",
    mustMention: 'create_connection',
    build: call('socket', 'create_connection', (a) => hostPort(a, '127.0.0.1', 9)),
  },
  {
    id: 'T29-http-server',
    technique: 'T29',
    description:
      "http.server.HTTPServer(('127.0.0.1', 8000), http.server.SimpleHTTPRequestHandler): binds a listening socket that serves the working directory (HF hacnho/pickle-scanner-bypass-http-server-httpserver).",
    mustMention: 'HTTPServer',
    build: call('http.server', 'HTTPServer', (a) => {
      hostPort(a, '127.0.0.1', 8000);
      stackGlobal(a, 'http.server', 'SimpleHTTPRequestHandler', false);
    }),
  },
  {
    id: 'T29-smtplib-obj-pop',
    technique: 'T29',
    description:
      "MARK smtplib.SMTP '127.0.0.1' OBJ POP NONE STOP: an SMTP connection whose result is thrown away (fickling GHSA-mxhj-88fx-4pcv sample shape).",
    mustMention: 'smtplib',
    build: (a) => {
      a.mark();
      stackGlobal(a, 'smtplib', 'SMTP', false).shortBinunicode('127.0.0.1').obj().pop().none().stop();
    },
  },
  {
    id: 'T29-webbrowser-open',
    technique: 'T29',
    description: "webbrowser.open('http://modelguard-test.invalid/'): launches a browser process.",
    mustMention: 'webbrowser',
    build: call('webbrowser', 'open', str('http://modelguard-test.invalid/')),
  },
  {
    id: 'T29-pandas-read-csv-url',
    technique: 'T29',
    description:
      "pandas.io.parsers.readers.read_csv('http://modelguard-test.invalid/x.csv'): a network fetch from a data reader no denylist names; the threats note lists it under T29 network/SSRF (protectai/modelscan#338). Not allowlisted for model files, and it fetches a URL: high.",
    mustMention: 'read_csv',
    build: call('pandas.io.parsers.readers', 'read_csv', str('http://modelguard-test.invalid/x.csv')),
  },
  {
    id: 'T30-sys-exit',
    technique: 'T30',
    description:
      'sys.exit(0): terminates the loading process (denial of service, also kills the scanner-in-process).',
    mustMention: 'sys.exit',
    build: call('sys', 'exit', (a) => a.binint1(0)),
  },
  {
    id: 'T30-posixsubprocess-fork-exec',
    technique: 'T30',
    description:
      "_posixsubprocess.fork_exec([b'/bin/echo', b'modelguard-test'], [b'/bin/echo'], True, (), None, None, -1 ×8, True, False, -1, None, None, None, -1, None, False): the raw fork/exec under subprocess (CPython 3.11 argument order).",
    mustMention: '_posixsubprocess',
    build: call('_posixsubprocess', 'fork_exec', (a) => {
      a.emptyList()
        .mark()
        .shortBinbytes(Buffer.from('/bin/echo'))
        .shortBinbytes(Buffer.from('modelguard-test'))
        .appends();
      a.emptyList().shortBinbytes(Buffer.from('/bin/echo')).append();
      a.bool(true).emptyTuple().none().none();
      for (let i = 0; i < 8; i++) a.binint(-1);
      a.bool(true).bool(false).binint(-1).none().none().none().binint(-1).none().bool(false);
    }),
  },
  {
    id: 'T31-partial-torch-load-kwargs',
    technique: 'T31',
    description:
      "functools.partial(torch.serialization.load) REDUCE, BUILD with (load, ('/tmp/modelguard-test.pt',), {'weights_only': False}, None) — exactly how a partial pickles its kwargs — then EMPTY_TUPLE REDUCE: torch.load(path, weights_only=False) of another file (picklescan malicious19).",
    mustMention: 'partial',
    fileName: 'pytorch_model.bin',
    build: (a) => {
      stackGlobal(a, 'functools', 'partial');
      stackGlobal(a, 'torch.serialization', 'load').tuple1().reduce().mark();
      stackGlobal(a, 'torch.serialization', 'load').binunicode('/tmp/modelguard-test.pt').tuple1();
      a.emptyDict().shortBinunicode('weights_only').bool(false).setitem().none().tuple().build();
      a.emptyTuple().reduce().stop();
    },
  },
  {
    id: 'T32-numpy-loadtxt-recon',
    technique: 'T32',
    description:
      "numpy.loadtxt('/etc/hostname', 'U'): a 'legit-module' data reader that reads a local file into the unpickled object. Not in any danger family and no model pickle needs it: allowlist-first means it is at least medium (unknown), not necessarily high.",
    mustMention: 'loadtxt',
    expect: 'suspicious',
    build: call('numpy', 'loadtxt', str('/etc/hostname', 'U')),
  },
  {
    id: 'T32-pil-image-open-recon',
    technique: 'T32',
    description:
      "PIL.Image.open('/etc/hostname'): another data reader used for recon; unknown to every denylist, so at least medium.",
    mustMention: 'PIL.Image',
    expect: 'suspicious',
    build: call('PIL.Image', 'open', str('/etc/hostname')),
  },
];

export const GADGET_SAMPLES: readonly CorpusSample[] = GADGETS.map((g) =>
  fileSample({
    id: g.id,
    technique: g.technique,
    fileName: g.fileName ?? 'model.pkl',
    description: g.description,
    expect: g.expect ?? 'unsafe',
    mustMention: g.mustMention,
    build: () => framed(4, g.build),
  }),
);
