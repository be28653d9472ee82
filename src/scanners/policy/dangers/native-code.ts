import type { FamilyTable } from './types.js';

/** Loading shared libraries or calling C directly (T27). */
export const NATIVE_CODE: FamilyTable = {
  'ctypes _ctypes':
    'loads shared libraries and calls C functions (ctypes.CDLL(None).system, cast, CFUNCTYPE)',
  'cffi _cffi_backend': 'cffi loads shared libraries (dlopen) and calls C',
  'numpy.ctypeslib': 'numpy.ctypeslib.load_library loads a shared library',
  'torch.utils.cpp_extension': 'compiles and loads C++/CUDA extensions',
  'torch.ops:load_library torch._ops:ops.load_library torch._ops:_Ops.load_library torch.classes:load_library torch._classes:classes.load_library':
    'torch.ops.load_library dlopens a shared library',
  '_imp:create_dynamic importlib.machinery:ExtensionFileLoader':
    'loads a native extension module from a path',
};
