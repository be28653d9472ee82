import type { RuleMeta } from '../core/rule.js';
import { ARCHIVE_RULES, PYTORCH_CONTAINER_RULES } from './archive/index.js';
import { CHAT_TEMPLATE_RULES } from './chat-template/index.js';
import { CONFIG_RULES } from './configs/index.js';
import { ENGINE_RULES } from './engine-rules.js';
import { GGUF_RULES } from './gguf/index.js';
import { HF_REPO_RULES } from './hf-repo/index.js';
import { HDF5_RULES, KERAS_RULES } from './keras/index.js';
import { NUMPY_RULES } from './numpy/index.js';
import { ONNX_RULES } from './onnx/index.js';
import { PICKLE_RULES } from './pickle/index.js';
import { REMOTE_CODE_RULES } from './remote-code/index.js';
import { SAFETENSORS_RULES } from './safetensors/index.js';
import { SAVEDMODEL_RULES } from './savedmodel/index.js';
import { TFJS_RULES } from './tfjs/index.js';
import { TFLITE_RULES } from './tflite/index.js';

/** Every rule of every scanner; docs/rules.md and SARIF rule metadata are generated from this list. */
export const ALL_RULES: readonly RuleMeta[] = [
  ...Object.values(ENGINE_RULES),
  ...Object.values(PICKLE_RULES),
  ...Object.values(ARCHIVE_RULES),
  ...Object.values(PYTORCH_CONTAINER_RULES),
  ...Object.values(NUMPY_RULES),
  ...Object.values(REMOTE_CODE_RULES),
  ...Object.values(HF_REPO_RULES),
  ...Object.values(CONFIG_RULES),
  ...Object.values(ONNX_RULES),
  ...Object.values(SAVEDMODEL_RULES),
  ...Object.values(TFLITE_RULES),
  ...Object.values(SAFETENSORS_RULES),
  ...Object.values(GGUF_RULES),
  ...Object.values(CHAT_TEMPLATE_RULES),
  ...Object.values(KERAS_RULES),
  ...Object.values(HDF5_RULES),
  ...Object.values(TFJS_RULES),
];
