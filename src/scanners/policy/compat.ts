import { fixImports } from '../../formats/pickle/compat-names.js';

/**
 * The Python 3 spelling of a global, or undefined when the unpickler would not rename it. Protocol 0–2
 * pickles are loaded with fix_imports=True, so `__builtin__.eval` is `builtins.eval` and
 * `commands.getoutput` is `subprocess.getoutput`; a global is judged under both spellings. The rename
 * table is CPython's (Lib/_compat_pickle.py), kept once in the pickle format module.
 */
export function py3Spelling(module: string, name: string): readonly [string, string] | undefined {
  const fixed = fixImports(module, name);
  return fixed[0] === module && fixed[1] === name ? undefined : fixed;
}
