import type { RuleMeta } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import { CATALOGUE } from '../policy/dangers/index.js';
import type { GlobalVerdict, Policy } from '../policy/policy.js';
import { matchCatalogue } from '../policy/windows.js';
import type { Ref } from './resolve.js';
import { qualified } from './resolve.js';
import { REMOTE_CODE_RULES as R } from './rules.js';

/**
 * What a call (or a reference to a callable) in Python source means. The danger catalogue of the pickle
 * policy names the callables (policy.classify); this layer adds what differs for source code: arguments
 * that make a loader safe (torch.load(weights_only=True)), APIs routine in model code that the pickle
 * catalogue rightly denies (os.path, torch.jit.script, getattr, open), and per-family severities.
 */
export interface Judgement {
  readonly rule: RuleMeta;
  readonly severity: Severity;
  /** Why it matters, one clause. */
  readonly reason: string;
  /** Code-execution calls whose payload argument the analyzer inspects. */
  readonly evaluates?: boolean;
}

/** The arguments of a call, as the judge needs them. */
export interface CallView {
  /** Folded string value of positional argument `i` or keyword `kw`. */
  str(i: number, kw?: string): string | undefined;
  /** True/False when the keyword (or positional `i`) is a literal bool; 'dynamic' when present but not literal. */
  flag(kw: string, i?: number): boolean | 'dynamic' | undefined;
  /** Every string constant among the arguments (list elements included), for pip/curl detection. */
  strings(): readonly string[];
  /** Source text of keyword `kw`'s value. */
  text(kw: string): string | undefined;
}

/** Qualified names (and everything below them) that model code uses routinely and that run nothing. */
const ROUTINE = [
  'os.path',
  'os.environ',
  'os.getenv',
  'os.getcwd',
  'os.getpid',
  'os.getppid',
  'os.cpu_count',
  'os.listdir',
  'os.makedirs',
  'os.mkdir',
  'os.walk',
  'os.stat',
  'os.lstat',
  'os.sep',
  'os.fspath',
  'os.fsencode',
  'os.fsdecode',
  'os.scandir',
  'os.urandom',
  'os.PathLike',
  'os.devnull',
  'os.linesep',
  'os.get_terminal_size',
  'os.remove',
  'os.unlink',
  'os.rename',
  'os.replace',
  'os.rmdir',
  'os.removedirs',
  'os.getuid',
  'os.getgid',
  'os.geteuid',
  'os.umask',
  'os.access',
  'os.name',
  'os.curdir',
  'os.pardir',
  'os.extsep',
  'os.altsep',
  'os.pathsep',
  'os.sched_getaffinity',
  'os.readlink',
  'os.utime',
  'os.isatty',
  'os.strerror',
  'os.error',
  'os.uname',
  'os.chdir',
  'os.getloadavg',
  'concurrent.futures',
  'threading',
  'uuid.uuid1',
  'uuid.uuid3',
  'uuid.uuid4',
  'uuid.uuid5',
  'uuid.UUID',
  'torch.jit.script',
  'torch.jit.trace',
  'torch.jit.is_scripting',
  'torch.jit.is_tracing',
  'torch.jit.ignore',
  'torch.jit.unused',
  'torch.jit.export',
  'torch.jit.interface',
  'torch.jit.annotate',
  'torch.jit.Final',
  'torch.jit.ScriptModule',
  'torch.jit.script_method',
  'torch.jit.Attribute',
  'torch.jit.wait',
  'torch.jit.fork',
  'torch.jit._overload_method',
  'torch.fx',
  'torch._dynamo',
  'torch.compiler',
  'torch.compile',
  'torch.distributed.is_available',
  'torch.distributed.is_initialized',
  'torch.distributed.get_rank',
  'torch.distributed.get_world_size',
  'torch.distributed.all_reduce',
  'torch.distributed.all_gather',
  'torch.distributed.broadcast',
  'torch.distributed.barrier',
  'torch.distributed.ReduceOp',
  'typing',
  'multiprocessing.cpu_count',
  'urllib.parse',
  'http.HTTPStatus',
];

function isRoutine(q: string): boolean {
  return ROUTINE.some((p) => q === p || q.startsWith(`${p}.`));
}

/** os/posix/nt functions that start processes. */
const OS_PROCESS =
  /^(system|popen[234]?|exec[lv]p?e?|execvpe|spawn[lv]p?e?|posix_spawnp?|fork|forkpty|startfile|kill|killpg)$/;

/** Modules whose every call spawns or drives a process. */
const SHELL_MODULES = new Set([
  'subprocess',
  'commands',
  'popen2',
  '_posixsubprocess',
  '_winapi',
  'pty',
  'pexpect',
  'pipes',
]);

/** Last segments of nested-loader names that load (dump/dumps only write and are harmless). */
const LOADER_NAMES =
  /^(load|loads|load_all|Unpickler|read_pickle|open|_load_from_bytes|load_model|_unpickle|load_config|NumpyUnpickler|NDArrayWrapper|decode|load_url)$/;

/** Code-execution family members that run code strings outright (others, such as pdb, only on request). */
const EVALUATOR_MODULES = new Set([
  'runpy',
  'code',
  'codeop',
  'torch.package',
  'idlelib',
  'torch.distributed.rpc',
]);

/** Exceptions and constants of process modules (`except subprocess.CalledProcessError`, `stdout=PIPE`). */
const INERT_PROCESS_NAMES =
  /(Error|Expired|Exception)$|^(PIPE|DEVNULL|STDOUT|CompletedProcess|list2cmdline)$/;

/** Names in worker/process modules that start processes (not semaphores, queues or start-method queries). */
const WORKER_STARTERS = /subprocess|spawn|fork|Process$|Pool|exec|system|popen|start_processes|run/i;

/** code-object callables that turn code objects into something callable. */
const CODE_BUILDERS = /^(CodeType|FunctionType|LambdaType|code|function)$/;

const CODE_FILE = /\.(py|pyc|pyw|so|pyd|dll|dylib|sh|bash|exe|whl|egg)$/i;

function moduleRoot(module: string): string {
  return module.split('.')[0] ?? module;
}

function fileArg(call: CallView | undefined): string | undefined {
  return call?.str(1, 'filename') ?? call?.str(0, 'filename');
}

/**
 * policy.classify for names read from source code. The pickle policy matches catalogue modules at any
 * segment of an attribute chain (a pickle may reach os through pathlib.os) and flags builtins
 * re-exported by any module (`module.eval`); in source, attribute chains are exact, so a danger must be
 * explained by the catalogue from the root of the path, or by a catalogue module in the middle of it
 * (a re-export, `pathlib.os.system`) — never by the last segment alone (`PIL.Image.new` is not the Python
 * 2 `new` module, `editdistance.eval` is not builtins.eval).
 */
export function classifySource(policy: Policy, module: string, name: string): GlobalVerdict {
  const v = policy.classify(module, name);
  if (v.kind !== 'dangerous') return v;
  const segs = [...module.split('.'), ...(name === '' ? [] : name.split('.'))];
  if (matchCatalogue(CATALOGUE, segs.length, segs) !== undefined) return v;
  for (let j = 1; j < segs.length - 1; j++) {
    let path = '';
    for (let k = j + 1; k < segs.length; k++) {
      path = k === j + 1 ? (segs[j] ?? '') : `${path}.${segs[k - 1] ?? ''}`;
      if (CATALOGUE.modules.has(path) || CATALOGUE.names.has(path)) return v;
    }
  }
  return { kind: 'unknown' };
}

/** Modules commonly reached through a re-export (`from utils import *` then `os.system`, `pathlib.os`). */
const REEXPORT_ROOTS = new Set([
  'os',
  'posix',
  'nt',
  'sys',
  'subprocess',
  'builtins',
  'socket',
  'ctypes',
  'pickle',
  'marshal',
  'importlib',
  'pty',
  'shutil',
  'requests',
  'urllib',
  'base64',
  'zlib',
  'codecs',
  'runpy',
  'types',
]);

/** `utils.os.path.join` (os re-exported by utils) → `os.path.join`. */
function reroot(ref: Ref): Ref {
  if (REEXPORT_ROOTS.has(ref.module.split('.')[0] ?? '') || ref.name === '') return ref;
  const segs = [...ref.module.split('.'), ...ref.name.split('.')];
  for (let j = 1; j < segs.length - 1; j++) {
    if (REEXPORT_ROOTS.has(segs[j] ?? ''))
      return { module: segs[j] ?? '', name: segs.slice(j + 1).join('.') };
  }
  return ref;
}

/** Judgements that depend on the exact name and its arguments, before the catalogue is consulted. */
function special(q: string, call: CallView | undefined): Judgement | null | undefined {
  switch (q) {
    case 'builtins.eval':
    case 'builtins.exec':
    case 'builtins.execfile':
    case 'builtins.compile':
      return {
        rule: R['remote-code/code-execution'],
        severity: 'high',
        reason: `${q.slice(9)}() evaluates a code string`,
        evaluates: true,
      };
    case 'builtins.__import__':
      return {
        rule: R['remote-code/dynamic-import'],
        severity: 'high',
        reason: `__import__(${call?.str(0, 'name') === undefined ? 'a computed name' : `'${call.str(0, 'name')}'`}) imports a module by name, hiding it from import statements`,
      };
    case 'importlib.import_module':
    case 'importlib.__import__': {
      const name = call?.str(0, 'name');
      if (call === undefined) return undefined;
      return name === undefined
        ? {
            rule: R['remote-code/dynamic-import'],
            severity: 'medium',
            reason: 'imports a module whose name is computed at run time',
          }
        : null; // a constant name is resolved and its uses judged instead
    }
    case 'importlib.util.spec_from_file_location':
    case 'importlib.machinery.SourceFileLoader':
    case 'importlib.machinery.SourcelessFileLoader':
    case 'importlib.machinery.ExtensionFileLoader':
    case 'imp.load_source':
    case 'imp.load_compiled':
    case 'imp.load_dynamic':
    case 'imp.load_module':
    case 'zipimport.zipimporter':
      return {
        rule: R['remote-code/dynamic-import'],
        severity: 'high',
        reason: 'loads a module from a file path: the code run is not the code reviewed',
      };
    case 'pkgutil.resolve_name':
    case 'pydoc.locate':
      return {
        rule: R['remote-code/dynamic-import'],
        severity: 'medium',
        reason: 'resolves any object from a dotted name',
      };
    case 'torch.load':
    case 'torch.serialization.load': {
      const w = call?.flag('weights_only');
      if (w === true) return null;
      return {
        rule: R['remote-code/unsafe-deserialization'],
        severity: call === undefined || w === 'dynamic' ? 'medium' : 'high',
        reason:
          call === undefined
            ? 'torch.load passed as a value: its weights_only argument cannot be checked'
            : w === false
              ? 'torch.load(weights_only=False) unpickles the file: any pickle payload runs'
              : w === 'dynamic'
                ? 'torch.load with a computed weights_only'
                : 'torch.load without weights_only=True unpickles the file (the default is False before torch 2.6)',
      };
    }
    case 'numpy.load':
    case 'numpy.lib.npyio.load': {
      const a = call?.flag('allow_pickle', 1);
      if (call !== undefined && (a === undefined || a === false)) return null;
      return {
        rule: R['remote-code/unsafe-deserialization'],
        severity: a === true ? 'high' : 'medium',
        reason:
          a === true
            ? 'numpy.load(allow_pickle=True) unpickles object arrays'
            : 'numpy.load with allow_pickle not provably False',
      };
    }
    case 'torch.jit.load':
      return {
        rule: R['remote-code/unsafe-deserialization'],
        severity: 'high',
        reason: 'torch.jit.load runs the TorchScript code inside the archive',
      };
    case 'torch.hub.load':
    case 'torch.hub.load_state_dict_from_url':
    case 'torch.utils.model_zoo.load_url':
      return {
        rule: R['remote-code/code-download'],
        severity: 'high',
        reason:
          q === 'torch.hub.load'
            ? 'torch.hub.load downloads a repository and runs its hubconf.py'
            : 'downloads a checkpoint and unpickles it',
      };
    case 'huggingface_hub.hf_hub_download':
    case 'huggingface_hub.file_download.hf_hub_download':
    case 'huggingface_hub.cached_download': {
      const file = fileArg(call);
      const repo = call?.str(0, 'repo_id');
      const from = `${file ?? 'a file'}${repo === undefined ? '' : ` from ${repo}`}`;
      if (file !== undefined && CODE_FILE.test(file))
        return {
          rule: R['remote-code/code-download'],
          severity: 'high',
          reason: `downloads code (${from}) at load time`,
        };
      return { rule: R['remote-code/network'], severity: 'medium', reason: `downloads ${from} at load time` };
    }
    case 'urllib.request.urlretrieve':
    case 'urllib.urlretrieve': {
      const target = call?.strings().find((x) => CODE_FILE.test(x));
      if (target === undefined) return undefined; // judged as network access by the catalogue
      return {
        rule: R['remote-code/code-download'],
        severity: 'high',
        reason: `downloads code (${target}) at load time`,
      };
    }
    case 'huggingface_hub.snapshot_download':
      return {
        rule: R['remote-code/network'],
        severity: 'medium',
        reason: `downloads a whole repository${call?.str(0, 'repo_id') === undefined ? '' : ` (${call.str(0, 'repo_id')})`} at load time`,
      };
    case 'transformers.dynamic_module_utils.get_class_from_dynamic_module':
    case 'transformers.dynamic_module_utils.get_cached_module_file':
    case 'transformers.get_class_from_dynamic_module':
      return {
        rule: R['remote-code/code-download'],
        severity: 'high',
        reason: 'fetches and imports a module from another repository (dynamic module)',
      };
    case 'yaml.unsafe_load':
    case 'yaml.unsafe_load_all':
      return {
        rule: R['remote-code/unsafe-deserialization'],
        severity: 'high',
        reason: 'yaml.unsafe_load constructs !!python/object tags (any call)',
      };
    case 'yaml.load':
    case 'yaml.load_all': {
      const loader = call?.text('Loader');
      if (loader !== undefined && /Safe|BaseLoader/.test(loader)) return null;
      return {
        rule: R['remote-code/unsafe-deserialization'],
        severity: 'high',
        reason: `yaml.load with ${loader ?? 'no safe Loader'} constructs !!python tags`,
      };
    }
    default:
      break;
  }
  if (q.startsWith('huggingface_hub.')) {
    const last = q.slice(q.lastIndexOf('.') + 1);
    if (/^(upload_|create_commit|HfApi|Repository|InferenceClient|login|HfFileSystem)/.test(last))
      return {
        rule: R['remote-code/network'],
        severity: 'high',
        reason: `${last} talks to the Hub (upload/exfiltration)`,
      };
    return null;
  }
  return undefined;
}

function processDetail(call: CallView | undefined): string {
  if (call === undefined) return '';
  const all = call.strings().join(' ');
  const parts: string[] = [];
  if (/\bpip3?\b/.test(all) && /\binstall\b/.test(all)) parts.push('installs packages with pip');
  if (/\b(curl|wget)\b/.test(all)) parts.push('downloads with curl/wget');
  if (/\/dev\/tcp|\bnc\b|\bncat\b|\bbash -i\b/.test(all)) parts.push('reverse-shell pattern');
  return parts.length === 0 ? '' : ` (${parts.join('; ')})`;
}

/**
 * Judges a resolved callee. `call` is undefined for a reference that is not called here (passed as a
 * value, stored in a dict): argument-sensitive loaders are then only `medium`.
 */
export function judge(original: Ref, policy: Policy, call: CallView | undefined): Judgement | undefined {
  const ref = reroot(original);
  const q = qualified(ref);
  if (ref.module === '<globals>' || isRoutine(q)) return undefined;
  const s = special(q, call);
  if (s !== undefined) return s ?? undefined;
  const root = moduleRoot(ref.module);
  if (root === 'os' || root === 'posix' || root === 'nt') {
    const fn = ref.module === root ? (ref.name.split('.')[0] ?? '') : '';
    if (OS_PROCESS.test(fn))
      return {
        rule: R['remote-code/process'],
        severity: 'critical',
        reason: `${root}.${fn} runs an operating-system command${processDetail(call)}`,
      };
    if (call === undefined || ref.name === '') return undefined;
    return {
      rule: R['remote-code/dangerous-call'],
      severity: 'medium',
      reason: `${q}: a low-level operating-system call model code does not need`,
    };
  }
  if (ref.name === '' && call === undefined) return undefined; // a bare module reference
  const v = classifySource(policy, ref.module, ref.name);
  if (v.kind !== 'dangerous') return undefined;
  const last = q.slice(q.lastIndexOf('.') + 1);
  switch (v.family) {
    case 'process':
      if (INERT_PROCESS_NAMES.test(last)) return undefined;
      if (SHELL_MODULES.has(root) || /create_subprocess|subprocess/i.test(q))
        return {
          rule: R['remote-code/process'],
          severity: 'critical',
          reason: `${v.reason}${processDetail(call)}`,
        };
      // Other process-family modules (multiprocessing, asyncio, torch.multiprocessing): only what starts something.
      if (!WORKER_STARTERS.test(last)) return undefined;
      return { rule: R['remote-code/dangerous-call'], severity: 'medium', reason: v.reason };
    case 'code-execution':
      return {
        rule: R['remote-code/code-execution'],
        severity: EVALUATOR_MODULES.has(root) || EVALUATOR_MODULES.has(ref.module) ? 'high' : 'medium',
        reason: v.reason,
        evaluates: EVALUATOR_MODULES.has(root),
      };
    case 'network':
      return { rule: R['remote-code/network'], severity: 'high', reason: v.reason };
    case 'native-code':
      return { rule: R['remote-code/native-code'], severity: 'high', reason: v.reason };
    case 'nested-loader':
      if (!LOADER_NAMES.test(last) && ref.name !== '') return undefined;
      if (root === 'marshal' || root === '_marshal')
        return {
          rule: R['remote-code/code-execution'],
          severity: 'high',
          reason: 'marshal.loads builds code objects from bytes',
        };
      return { rule: R['remote-code/unsafe-deserialization'], severity: 'high', reason: v.reason };
    case 'package-install':
      return {
        rule: R['remote-code/code-download'],
        severity: 'high',
        reason: `${v.reason}${processDetail(call)}`,
      };
    case 'code-object':
      if (root === 'cloudpickle') {
        if (!/^loads?$/.test(last)) return undefined;
        return { rule: R['remote-code/unsafe-deserialization'], severity: 'high', reason: v.reason };
      }
      // Binding methods (MethodType), empty modules (ModuleType), new_class: routine monkeypatching.
      if (!CODE_BUILDERS.test(last)) return undefined;
      return {
        rule: R['remote-code/code-execution'],
        severity: 'high',
        reason: `${last} builds a function from a code object`,
        evaluates: true,
      };
    case 'scanner-evasion':
      return { rule: R['remote-code/dangerous-call'], severity: 'high', reason: v.reason };
    default:
      // import-trampoline, interpreter-control, filesystem: routine in source code (getattr, sys, open).
      return undefined;
  }
}
