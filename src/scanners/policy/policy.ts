import type { Severity } from '../../core/severity.js';

/** Families of dangerous callables; each maps to a message and taxonomy in the pickle rules. */
export const DANGER_FAMILIES = [
  'code-execution', // eval/exec/compile, runpy, code-string evaluators (timeit, cProfile …)
  'process', // os/posix/subprocess/pty, hidden subprocess helpers
  'filesystem', // file writes, deletes, opens
  'network', // sockets, HTTP, SMTP, DNS exfiltration
  'native-code', // ctypes, cffi, loading shared libraries
  'nested-loader', // pickle.loads, torch.load, joblib.load, numpy.load, marshal.loads
  'import-trampoline', // importlib, pkgutil.resolve_name, getattr, operator.attrgetter, pydoc.locate
  'interpreter-control', // sys, gc, signal, atexit, site, subinterpreters
  'package-install', // pip, ensurepip, venv
  'code-object', // types.CodeType/FunctionType, cloudpickle function reconstruction
  'scanner-evasion', // imports of the scanners themselves (fickling hook deactivation …)
] as const;
export type DangerFamily = (typeof DANGER_FAMILIES)[number];

export type GlobalVerdict =
  | { kind: 'safe'; profile: string }
  | { kind: 'dangerous'; family: DangerFamily; reason: string }
  | { kind: 'unknown' };

/** Decides what an imported global means. Allowlist-first: unknown globals are never "safe". */
export interface Policy {
  /** Classifies `module.name` (name may be dotted: an attribute walk from the module). */
  classify(module: string, name: string): GlobalVerdict;
  /** Severity of a global in no allowlist and no danger family (default `medium`). */
  readonly unknownSeverity: Severity;
}
