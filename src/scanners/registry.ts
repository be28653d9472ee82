import { ARCHIVE_HANDLERS } from './archive/index.js';
import { ggufHandler } from './gguf/index.js';
import { hfRepoScanner } from './hf-repo/index.js';
import { hdf5Handler, kerasRepoScanner } from './keras/index.js';
import { numpyHandler } from './numpy/index.js';
import { onnxHandler } from './onnx/index.js';
import { pickleHandler } from './pickle/index.js';
import { safetensorsHandler } from './safetensors/index.js';
import { savedModelHandler } from './savedmodel/index.js';
import { tfjsRepoScanner } from './tfjs/index.js';
import { tfliteHandler } from './tflite/index.js';
import type { FormatHandler, FormatId, RepoScanner } from './types.js';

/** Format handlers by format id. A format without a handler is recorded but not analysed. */
export const HANDLERS: Partial<Record<FormatId, FormatHandler>> = {
  ...ARCHIVE_HANDLERS,
  numpy: numpyHandler,
  pickle: pickleHandler,
  onnx: onnxHandler,
  savedmodel: savedModelHandler,
  tflite: tfliteHandler,
  safetensors: safetensorsHandler,
  gguf: ggufHandler,
  hdf5: hdf5Handler,
};

/** Checks over whole directories, in order. */
export const REPO_SCANNERS: readonly RepoScanner[] = [hfRepoScanner, tfjsRepoScanner, kerasRepoScanner];
