/**
 * The frameworks and libraries a model needs to be loaded: from the formats of its files, from the
 * modules its pickles import (the scan report's `Artifact.imports`), and from the card's
 * `library_name`. One catalogue; each source only maps to catalogue keys.
 */
import type { Artifact } from '../../scanners/report-model.js';

export interface FrameworkSpec {
  readonly type: 'framework' | 'library';
  readonly name: string;
  readonly group?: string;
  readonly purl: string;
  readonly description: string;
}

export const FRAMEWORKS = {
  pytorch: { type: 'framework', name: 'torch', purl: 'pkg:pypi/torch', description: 'PyTorch' },
  tensorflow: {
    type: 'framework',
    name: 'tensorflow',
    purl: 'pkg:pypi/tensorflow',
    description: 'TensorFlow',
  },
  tfjs: {
    type: 'framework',
    group: '@tensorflow',
    name: 'tfjs',
    purl: 'pkg:npm/%40tensorflow/tfjs',
    description: 'TensorFlow.js',
  },
  keras: { type: 'framework', name: 'keras', purl: 'pkg:pypi/keras', description: 'Keras' },
  onnx: { type: 'framework', name: 'onnx', purl: 'pkg:pypi/onnx', description: 'ONNX' },
  'llama.cpp': {
    type: 'framework',
    name: 'llama.cpp',
    purl: 'pkg:github/ggml-org/llama.cpp',
    description: 'llama.cpp (GGUF)',
  },
  'scikit-learn': {
    type: 'framework',
    name: 'scikit-learn',
    purl: 'pkg:pypi/scikit-learn',
    description: 'scikit-learn',
  },
  xgboost: { type: 'framework', name: 'xgboost', purl: 'pkg:pypi/xgboost', description: 'XGBoost' },
  lightgbm: { type: 'framework', name: 'lightgbm', purl: 'pkg:pypi/lightgbm', description: 'LightGBM' },
  transformers: {
    type: 'library',
    name: 'transformers',
    purl: 'pkg:pypi/transformers',
    description: 'Hugging Face Transformers',
  },
  diffusers: {
    type: 'library',
    name: 'diffusers',
    purl: 'pkg:pypi/diffusers',
    description: 'Hugging Face Diffusers',
  },
  'sentence-transformers': {
    type: 'library',
    name: 'sentence-transformers',
    purl: 'pkg:pypi/sentence-transformers',
    description: 'Sentence Transformers',
  },
  safetensors: {
    type: 'library',
    name: 'safetensors',
    purl: 'pkg:pypi/safetensors',
    description: 'safetensors',
  },
  numpy: { type: 'library', name: 'numpy', purl: 'pkg:pypi/numpy', description: 'NumPy' },
  joblib: { type: 'library', name: 'joblib', purl: 'pkg:pypi/joblib', description: 'joblib' },
} as const satisfies Record<string, FrameworkSpec>;

export type FrameworkKey = keyof typeof FRAMEWORKS;

/** Formats recognised by content (scan report `artifact.format`) → what loads them. */
const BY_FORMAT: Readonly<Record<string, FrameworkKey>> = {
  'pytorch-zip': 'pytorch',
  'pytorch-legacy': 'pytorch',
  'pytorch-tar': 'pytorch',
  torchscript: 'pytorch',
  savedmodel: 'tensorflow',
  tflite: 'tensorflow',
  tfjs: 'tfjs',
  keras: 'keras',
  'keras-h5': 'keras',
  'keras-weights': 'keras',
  onnx: 'onnx',
  gguf: 'llama.cpp',
  safetensors: 'safetensors',
  numpy: 'numpy',
  npz: 'numpy',
  joblib: 'joblib',
};

/** Top-level Python modules a pickle imports → the framework that provides them. */
const BY_MODULE: Readonly<Record<string, FrameworkKey>> = {
  torch: 'pytorch',
  sklearn: 'scikit-learn',
  numpy: 'numpy',
  joblib: 'joblib',
  xgboost: 'xgboost',
  lightgbm: 'lightgbm',
  tensorflow: 'tensorflow',
  keras: 'keras',
  transformers: 'transformers',
};

/** The card's `library_name` → catalogue key (Hub values). */
const BY_LIBRARY_NAME: Readonly<Record<string, FrameworkKey>> = {
  transformers: 'transformers',
  diffusers: 'diffusers',
  'sentence-transformers': 'sentence-transformers',
  keras: 'keras',
  'tf-keras': 'keras',
  pytorch: 'pytorch',
  tensorflow: 'tensorflow',
  'transformers.js': 'tfjs',
  tensorflowjs: 'tfjs',
  onnx: 'onnx',
  gguf: 'llama.cpp',
  'llama.cpp': 'llama.cpp',
  'scikit-learn': 'scikit-learn',
  sklearn: 'scikit-learn',
  joblib: 'joblib',
};

export function frameworksOfFormats(formats: Iterable<string>): Set<FrameworkKey> {
  const out = new Set<FrameworkKey>();
  for (const f of formats) {
    const k = BY_FORMAT[f];
    if (k !== undefined) out.add(k);
  }
  return out;
}

export function frameworkOfLibraryName(name: string): FrameworkKey | undefined {
  return Object.hasOwn(BY_LIBRARY_NAME, name) ? BY_LIBRARY_NAME[name] : undefined;
}

/** Top-level modules of the callables the scanned files import (`Artifact.imports`: pickle GLOBALs). */
export function importedModules(artifacts: readonly Artifact[]): Set<string> {
  const out = new Set<string>();
  for (const a of artifacts) for (const name of a.imports ?? []) out.add(name.split('.')[0] as string);
  return out;
}

export function frameworksOfModules(modules: Iterable<string>): Set<FrameworkKey> {
  const out = new Set<FrameworkKey>();
  for (const m of modules) {
    const k = Object.hasOwn(BY_MODULE, m) ? BY_MODULE[m] : undefined;
    if (k !== undefined) out.add(k);
  }
  return out;
}
