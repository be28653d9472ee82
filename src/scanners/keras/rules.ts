import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';

const atlas = [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel];
const owasp = [OWASP.supplyChain, OWASP.llmSupplyChain];

const REBUILD =
  'Do not load the model. If you need it, rebuild the architecture in code you control and load only the ' +
  'weights (model.load_weights on a weights-only file, or safetensors).';

/** Rules of the Keras config analysis: H5 `model_config`/`training_config`, `.keras` `config.json`. */
export const KERAS_RULES = defineRules({
  'keras/lambda': {
    title: 'Keras Lambda with marshalled Python bytecode',
    description:
      'A Lambda layer (or any `__lambda__` object) carries base64 `marshal` bytecode that Keras turns back into a ' +
      'function and runs while loading or calling the model: arbitrary code execution (CVE-2024-3660, T51/T52). ' +
      'Keras 2 has no safe mode; Keras 3 runs it with safe_mode=False, after enable_unsafe_deserialization() ' +
      '(which a config can call itself, CVE-2025-9906), and for .h5 files ignores safe_mode entirely ' +
      '(CVE-2025-9905, T53). The finding lists the names and strings the bytecode refers to, read statically.',
    severity: 'critical',
    cwe: [CWE.deserialization, CWE.codeInjection],
    atlas: [...atlas, ATLAS.commandInterpreter],
    owasp,
    remediation: REBUILD,
  },
  'keras/tf-op-lambda': {
    title: 'Keras layer calls a TensorFlow op or tensor method by name',
    description:
      'TFOpLambda, SlicingOpLambda, TensorFlowOpLayer and InstanceMethod/ClassMethod layers name a TensorFlow API ' +
      'symbol or tensor method that Keras looks up and calls. The lookup is limited to the TF API, which includes ' +
      'file, Python-callback and SavedModel ops (tf.io.write_file, tf.py_function, tf.raw_ops.ReadFile …). Pure ' +
      'math and array ops are low; other ops medium; file, Python and loading ops high.',
    severity: 'medium',
    cwe: [CWE.codeInjection],
    atlas,
    owasp,
    remediation:
      'Check that each named op is what the architecture needs; do not load models that call file or Python ops.',
  },
  'keras/foreign-class': {
    title: 'Keras config names a class or function outside Keras',
    description:
      "An object in the config names a `module` outside Keras' own namespaces (keras, keras.src.*, tf_keras, " +
      'tensorflow.keras …). Keras < 3.9 imports that module and calls what the config names with arguments from ' +
      'the config (CVE-2025-1550, T54: `subprocess.Popen`, `types.FunctionType`, `builtins.eval`); later versions ' +
      "still import it for unregistered custom objects. Critical for any module but TensorFlow's (high).",
    severity: 'critical',
    cwe: [CWE.deserialization, CWE.codeInjection],
    atlas: [...atlas, ATLAS.commandInterpreter],
    owasp,
    remediation: REBUILD,
  },
  'keras/custom-object': {
    title: 'Keras config needs custom objects',
    description:
      'A layer, loss, metric or other object is not a Keras built-in: a registered custom class (`Package>Name`), ' +
      'a class from `__main__`, an unknown class name, or a function named by a string (low). Loading needs the ' +
      "author's Python code (custom_objects or registration), which then runs with the config's arguments.",
    severity: 'medium',
    cwe: [CWE.deserialization],
    atlas,
    owasp,
    remediation:
      'Only load with custom objects whose code you have reviewed; never install packages a model asks for ' +
      'without reviewing them.',
  },
  'keras/remote-download': {
    title: 'Keras config downloads a URL at load time',
    description:
      '`keras.utils.get_file` (or `keras.datasets.*.load_data`) is named as a layer or object, so loading the ' +
      'model fetches a URL and writes it into the Keras cache or any `cache_dir` the config chooses ' +
      '(CVE-2025-8747, Keras 3.0.0–3.10.0, a safe_mode bypass; T55).',
    severity: 'high',
    cwe: [CWE.downloadWithoutIntegrity, CWE.ssrf, CWE.fileCreation],
    atlas,
    owasp,
    remediation: 'Do not load the model. Upgrade Keras to 3.11 or later.',
  },
  'keras/unsafe-deserialization': {
    title: 'Keras config switches safe mode off',
    description:
      '`keras.config.enable_unsafe_deserialization` is named in the config: loading calls it first, which turns ' +
      'safe mode off for the rest of the load, so Lambda bytecode that safe_mode would refuse then runs ' +
      '(CVE-2025-9906, fixed in Keras 3.11.0; T55).',
    severity: 'critical',
    cwe: [CWE.protectionFailure, CWE.deserialization],
    atlas,
    owasp,
    remediation: REBUILD,
  },
  'keras/function-layer': {
    title: 'Keras function called as a layer at load time',
    description:
      'A layer entry names a function (class_name `function`, a lowercase name, or a Keras API function such as ' +
      '`keras.config.set_dtype_policy`, `keras.utils.pad_sequences`, `keras.saving.load_model`). Keras resolves it ' +
      'and calls it with the arguments of its inbound nodes while rebuilding the model: global state changes, ' +
      'memory exhaustion, file access (T55).',
    severity: 'high',
    cwe: [CWE.codeInjection],
    atlas,
    owasp,
    remediation: REBUILD,
  },
  'keras/dead-node': {
    title: 'Functional model has nodes no output depends on',
    description:
      'Layers of a Functional config are not reachable from its outputs through inbound nodes. Keras builds and ' +
      'calls every node while loading, reachable or not, while a model saved by Keras holds only the nodes of its ' +
      'graph: dead nodes mean an edited config and hide calls that run at load (T55). High when a dead node is ' +
      'not an ordinary layer.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict],
    atlas: [...atlas, ATLAS.modifyArchitecture],
    owasp,
    remediation: 'Inspect what the dead layers do; do not load the model unless the config is explained.',
  },
  'keras/torch-module': {
    title: 'Keras TorchModuleWrapper holds a torch.save payload',
    description:
      'A TorchModuleWrapper layer keeps a PyTorch module as base64 `torch.save` bytes; Keras 3.11.0–3.11.2 load ' +
      'them with torch.load(weights_only=False), running any pickle inside even in safe mode (CVE-2025-49655, ' +
      'T49). The payload is scanned as a member named `<TorchModuleWrapper>`; its own findings say what it does.',
    severity: 'medium',
    cwe: [CWE.deserialization],
    atlas,
    owasp,
    remediation: 'Upgrade Keras past 3.11.2; load such models only from publishers you trust.',
  },
  'keras/tfsm-layer': {
    title: 'Keras TFSMLayer loads a TensorFlow SavedModel',
    description:
      'A TFSMLayer loads the SavedModel at its `filepath` while the model is rebuilt; the SavedModel graph runs in ' +
      'TensorFlow with its own ops and custom op libraries (T56, a safe_mode bypass). High when the path leaves ' +
      'the model folder or is remote.',
    severity: 'medium',
    cwe: [CWE.untrustedSearchPath, CWE.deserialization],
    atlas,
    owasp,
    remediation: 'Scan the SavedModel it points to; do not load it from paths outside the model folder.',
  },
  'keras/malformed': {
    title: 'Keras config could not be read',
    description:
      'The model config is not JSON, or not the shape Keras writes (no class_name/config). Keras refuses it too, ' +
      'but nothing in it was inspected and loaders disagree on damaged files (fail closed). High when the text is ' +
      'YAML with `!!python/` tags, which a YAML loader (model_from_yaml, T58) would run.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    atlas,
    owasp,
    remediation: 'Obtain a clean copy of the model from the publisher and compare its hash.',
  },
  'keras/config-limit': {
    title: 'Keras config over a scan limit',
    description:
      'The config is larger, deeper or holds more values than the named limit; the rest was not inspected. ' +
      'Real configs are far below these limits: size and nesting are ways to exhaust or outrun scanners.',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.uncontrolledRecursion],
    ...THREAT_IDS.exhaustion,
    remediation: 'Treat the model as hostile unless the size is explained.',
  },
});

/** Rules of the HDF5 reader (h5wasm). */
export const HDF5_RULES = defineRules({
  'hdf5/malformed': {
    title: 'HDF5 file is malformed',
    description:
      'The HDF5 library refused the file (truncated, bad superblock, corrupt object headers); h5py refuses it ' +
      'as well, but its attributes were not inspected. High when the library aborted on it (a failed internal ' +
      'check or allocation in the C library: the shape of memory-corruption exploits against native readers).',
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    atlas,
    owasp,
    remediation: 'Obtain a clean copy of the model from the publisher and compare its hash.',
  },
  'hdf5/user-block': {
    title: 'HDF5 data behind a user block',
    description:
      'The file starts with something else (text, a script, a pickle) and holds an HDF5 file after a user block of ' +
      '512, 1024, 2048 … bytes, where the HDF5 library looks for it: h5py and Keras open it as HDF5, while tools ' +
      'that read the head see another format (a polyglot). Its Keras content is analysed as for any .h5 file.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict],
    atlas,
    owasp,
    remediation: 'Do not load the file; a model has no reason to hide behind a user block.',
  },
  'hdf5/not-inspected': {
    title: 'HDF5 file could not be inspected',
    description:
      'The HDF5 reader stopped before the root attributes were read: it ran past limits (time, bytes read) or ' +
      'h5wasm could not be loaded. Whatever the file holds is not known (fail closed).',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.protectionFailure],
    ...THREAT_IDS.exhaustion,
    remediation: 'Do not load the file until it is understood; scan it again with h5wasm installed.',
  },
});
