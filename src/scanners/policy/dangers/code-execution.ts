import type { FamilyTable } from './types.js';

/** Evaluators of code strings and script runners (T02, T24, T25). */
export const CODE_EXECUTION: FamilyTable = {
  'builtins:eval builtins:exec builtins:compile builtins:execfile':
    'evaluates a Python code string (eval/exec/compile)',
  'builtins:apply': 'Python 2 apply(func, args): calls any callable with any arguments',
  'runpy code codeop':
    'runs Python source (runpy._run_code, code.InteractiveInterpreter.runcode, codeop.compile)',
  'timeit cProfile profile trace pstats':
    'runs a statement string through a timer/profiler/tracer (timeit.timeit, cProfile.run, Profile.runctx, Trace.run)',
  'doctest bdb pdb':
    'runs code strings through the doctest/debugger machinery (doctest.debug_script, Bdb.run, pdb.run)',
  idlelib:
    'IDLE shell internals execute code (ModifiedInterpreter.runcode/runcommand, Executive.runcode, get_entity)',
  lib2to3:
    'lib2to3 parser generator evaluates strings (pgen ParserGenerator.make_label); Grammar.loads unpickles',
  rlcompleter: 'rlcompleter.Completer.attr_matches evaluates the expression before the last dot',
  'tkinter _tkinter turtle turtledemo':
    'the Tcl interpreter evaluates scripts, including `exec` of shell commands',
  'numpy.f2py': 'numpy.f2py evaluates Fortran expressions with eval (crackfortran.getlincoef/myeval)',
  'numpy.testing': 'numpy.testing._private.utils.runstring executes a code string',
  'torch.utils.bottleneck':
    'torch.utils.bottleneck.__main__ run_cprofile/run_autograd_prof execute code strings',
  'torch._dynamo': 'TorchDynamo guards evaluate code strings (GuardBuilder.get)',
  'torch._inductor': 'TorchInductor compiles and loads generated code (codecache.compile_file)',
  'torch.fx':
    'FX GraphModules are rebuilt by exec of generated source (reduce_graph_module); ShapeEnv.evaluate_guards_expression evals',
  'torch.jit':
    'TorchScript compilation/loading evaluates code (unsupported_tensor_ops.execWrapper, jit.load)',
  'torch:compile torch.compiler': 'torch.compile compiles and runs generated code',
  'torch.utils.benchmark': 'torch.utils.benchmark.Timer executes statement strings',
  'torch.package': 'torch.package.PackageImporter imports and runs code shipped inside the package',
  'torch.hub': 'torch.hub downloads a repository and runs its hubconf.py (load, load_state_dict_from_url)',
  'torch.distributed.rpc': 'RPC executes functions on remote workers (rpc_sync, rpc_async, remote)',
  'pandas:eval pandas.core.computation': 'pandas.eval evaluates expression strings',
  'setuptools pkg_resources._vendor':
    'setuptools runs setup scripts and build commands (sandbox.run_setup, build hooks)',
  'typing:get_type_hints typing:_eval_type typing:ForwardRef.*': 'evaluates string annotations with eval',
};
