import type { FamilyTable } from './types.js';

/** Control of the running interpreter: exit, hooks, signals, sub-interpreters, threads (T30). */
export const INTERPRETER_CONTROL: FamilyTable = {
  sys: 'sys.modules / sys.path / settrace / exit: rewires the interpreter',
  gc: 'gc.get_objects / get_referrers reach any live object',
  'signal _signal': 'installs signal handlers or sends signals',
  atexit: 'registers callables to run at interpreter exit',
  'site sitecustomize usercustomize': 'site.addsitedir processes .pth files, which execute import lines',
  '_interpreters _xxsubinterpreters interpreters concurrent.interpreters _interpqueues':
    'creates sub-interpreters and runs code strings in them (run_string)',
  'threading _thread thread _dummy_thread': 'starts threads running callables',
  platform: 'platform helpers run commands and read system files',
  'resource faulthandler tracemalloc': 'changes interpreter resource limits and handlers',
  'builtins:input builtins:raw_input builtins:breakpoint builtins:help builtins:exit builtins:quit builtins:copyright builtins:credits builtins:license':
    'interactive or exit builtins (breakpoint runs the debugger hook, help/license page files)',
  'getpass readline': 'reads from the terminal',
};
