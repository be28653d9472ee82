import {
  DANGEROUS_CALLABLES,
  isDangerousModule,
  isKerasModule,
  isTensorflowModule,
  KNOWN_CLASSES,
  KNOWN_FUNCTIONS,
  SPECIAL_CLASSES,
} from './names.js';

/**
 * Where the class or function a Keras config object names comes from, as Keras resolves it: its own
 * namespaces (nothing to say), a custom object the loader must be given, or a module outside Keras that
 * Keras < 3.9 imports (CVE-2025-1550).
 */

type Rec = Record<string, unknown>;

/** Lowercased names of Keras' built-in functions and classes (configs may spell either). */
export const KNOWN_LOWER: ReadonlySet<string> = new Set([
  ...KNOWN_FUNCTIONS,
  ...[...KNOWN_CLASSES].map((c) => c.toLowerCase()),
]);

export type Origin =
  | { kind: 'custom'; reason: 'registered' | 'main-module' | 'unknown-class' | 'unknown-function' }
  | {
      kind: 'foreign';
      reason: 'dangerous-module' | 'dangerous-builtin' | 'tensorflow-module' | 'other-module';
    }
  | undefined;

const custom = (reason: 'registered' | 'main-module' | 'unknown-class' | 'unknown-function'): Origin => ({
  kind: 'custom',
  reason,
});
const foreign = (
  reason: 'dangerous-module' | 'dangerous-builtin' | 'tensorflow-module' | 'other-module',
): Origin => ({
  kind: 'foreign',
  reason,
});

/** Keras' own objects give undefined; custom objects and foreign modules say why. */
export function originOf(
  v: Rec,
  cls: string,
  name: string,
  module: string | undefined,
  reg: string | undefined,
  fnName: string | undefined,
): Origin {
  if (module === undefined || module === '') {
    // Keras 2 / legacy configs: classes resolve through Keras' own registry and custom_objects only;
    // Keras 3 writes `module: null` for classes of `__main__`.
    const known = SPECIAL_CLASSES.has(cls) || KNOWN_CLASSES.has(cls);
    if (v['module'] === null && !known) return custom('main-module');
    if (known) return undefined;
    const pkg = /^([^>]+)>(.+)$/.exec(cls);
    if (pkg !== null && (pkg[1] === 'Custom' || pkg[1] === 'keras') && KNOWN_CLASSES.has(pkg[2] as string))
      return undefined;
    return custom(pkg !== null ? 'registered' : 'unknown-class');
  }
  if (module === '__main__') return custom('main-module');
  if (isKerasModule(module)) return undefined;
  if (module === 'builtins') {
    if (cls !== 'function') return foreign('dangerous-builtin');
    if (fnName === undefined || KNOWN_LOWER.has(fnName.toLowerCase())) return undefined;
    if (DANGEROUS_CALLABLES.has(fnName)) return foreign('dangerous-builtin');
    return custom('unknown-function');
  }
  if (isDangerousModule(module)) return foreign('dangerous-module');
  if (isTensorflowModule(module)) return cls === '__typespec__' ? undefined : foreign('tensorflow-module');
  const pkg = reg === undefined ? null : /^([^>]+)>(.+)$/.exec(reg);
  if (pkg !== null && pkg[2] === name && !DANGEROUS_CALLABLES.has(name)) return custom('registered');
  return foreign('other-module');
}
