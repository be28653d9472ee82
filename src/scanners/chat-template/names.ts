/**
 * Names that Jinja2 server-side template injection (SSTI) chains use, classified. The Jinja2 sandbox
 * refuses attributes that start with `_` and a few internals; an unsandboxed environment (llama-cpp-python
 * before 0.2.72, CVE-2024-34359; other renderers) lets a template walk from any object to
 * `__globals__`/`__builtins__` and run commands.
 */
import type { Severity } from '../../core/severity.js';

/** Dunders that appear in sandbox-escape chains; shown in raw text they are worth a look even outside code. */
export const GADGET_DUNDERS: readonly string[] = [
  '__class__',
  '__mro__',
  '__subclasses__',
  '__globals__',
  '__builtins__',
  '__import__',
  '__base__',
  '__bases__',
  '__getattribute__',
  '__reduce__',
  '__reduce_ex__',
  '_TemplateReference__context',
];

const GADGET_RE = new RegExp(GADGET_DUNDERS.join('|'));

/** The first gadget dunder inside `text`, if any. */
export function gadgetIn(text: string): string | undefined {
  return GADGET_RE.exec(text)?.[0];
}

/** Python internals without underscores that reach frames, code and globals. */
const INTERNALS = new Set([
  'mro',
  'func_globals',
  'func_code',
  'func_closure',
  'f_globals',
  'f_locals',
  'f_builtins',
  'f_back',
  'f_code',
  'gi_frame',
  'gi_code',
  'gi_yieldfrom',
  'cr_frame',
  'cr_code',
  'cr_await',
  'ag_frame',
  'ag_code',
  'tb_frame',
  'tb_next',
  'co_code',
  'im_func',
  'im_self',
  'im_class',
]);

/** Modules and callables that run commands or code once reached. */
const COMMANDS = new Set([
  'os',
  'sys',
  'popen',
  'system',
  'subprocess',
  'Popen',
  'check_output',
  'check_call',
  'getoutput',
  'getstatusoutput',
  'spawnl',
  'spawnv',
  'execl',
  'execv',
  'execve',
  'eval',
  'exec',
  'compile',
  'import_module',
  'load_module',
  'importlib',
  'builtins',
  'modules',
]);

/** Identifiers (variables) that no chat template has a reason to name. */
const DANGEROUS_IDENTIFIERS = new Set([
  'os',
  'subprocess',
  'importlib',
  'builtins',
  'eval',
  'exec',
  'getattr',
  'setattr',
  'globals',
  'locals',
  'compile',
  '__import__',
]);

/** Jinja2 globals whose function objects open the classic escape chains (`cycler.__init__.__globals__`). */
export const JINJA_GLOBALS = new Set([
  'cycler',
  'joiner',
  'namespace',
  'lipsum',
  'range',
  'dict',
  'self',
  'url_for',
  'get_flashed_messages',
]);

/** Objects of web frameworks that render templates (Flask): `config` leaks secrets, `request` reaches globals. */
export const FRAMEWORK_OBJECTS = new Set(['request', 'config']);

export interface NameVerdict {
  severity: Severity;
  why: string;
}

const DUNDER = /^__\w+__$/;
const MANGLED = /^_[A-Za-z]\w*__\w+$/;

/** An attribute name (`x.name`, `x['name']`, `|attr('name')`, `map(attribute='name')`). */
export function attributeVerdict(name: string): NameVerdict | undefined {
  if (DUNDER.test(name)) return { severity: 'critical', why: `dunder attribute '${name}'` };
  if (MANGLED.test(name)) return { severity: 'critical', why: `name-mangled private attribute '${name}'` };
  if (name.startsWith('_'))
    return { severity: 'high', why: `private attribute '${name}' (refused by the sandbox)` };
  if (INTERNALS.has(name)) return { severity: 'critical', why: `Python internal '${name}'` };
  // Alone these are ordinary words (`ns.system` is a namespace field in Mistral templates): they only
  // add detail to an expression that is already suspicious.
  if (COMMANDS.has(name)) return { severity: 'info', why: `command/module name '${name}'` };
  return undefined;
}

/** A dotted attribute path in a string (`'__class__.__mro__'` as `map(attribute=…)` accepts). */
export function pathVerdict(path: string): NameVerdict | undefined {
  if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(path)) return undefined;
  let worst: NameVerdict | undefined;
  for (const seg of path.split('.')) {
    const v = attributeVerdict(seg);
    if (
      v !== undefined &&
      (worst === undefined || (v.severity === 'critical' && worst.severity !== 'critical'))
    )
      worst = v;
  }
  return worst;
}

/** A variable name. */
export function identifierVerdict(name: string): NameVerdict | undefined {
  if (DUNDER.test(name)) return { severity: 'critical', why: `dunder name '${name}'` };
  if (MANGLED.test(name)) return { severity: 'critical', why: `name-mangled private name '${name}'` };
  if (DANGEROUS_IDENTIFIERS.has(name))
    return { severity: 'high', why: `Python builtin/module name '${name}'` };
  if (FRAMEWORK_OBJECTS.has(name))
    return { severity: 'medium', why: `web-framework object '${name}' (Flask SSTI target)` };
  return undefined;
}

/** String fragments of dunder names (`'__cla'`, `'ss__'`) that concatenation tricks glue together. */
export function isDunderFragment(s: string): boolean {
  return s !== '__' && (/^__[A-Za-z]/.test(s) || /[A-Za-z]__$/.test(s)) && s.length <= 40 && !/\s/.test(s);
}
