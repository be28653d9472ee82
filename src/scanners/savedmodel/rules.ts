import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';

/** Rules of the TensorFlow SavedModel scanner (threat catalogue T57, T51/T52 for Keras metadata). */
export const SAVEDMODEL_RULES = defineRules({
  'savedmodel/malformed': {
    title: 'SavedModel protobuf is malformed',
    description:
      'saved_model.pb (or keras_metadata.pb) is not a well-formed protobuf as TensorFlow parses it. TensorFlow refuses the file or reads it differently from the scanner; nothing after the fault was inspected.',
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Do not load the model. Obtain a clean copy from the publisher and compare its hash.',
  },
  'savedmodel/limit-exceeded': {
    title: 'SavedModel exceeds a scan limit',
    description:
      'The model has more nodes, functions or meta graphs than the walker accepts, or Keras metadata too large or deep to parse. The rest was not inspected, so the model is not known to be safe (fail closed).',
    severity: 'high',
    cwe: [CWE.resourceConsumption],
    ...THREAT_IDS.exhaustion,
    remediation:
      'Treat the model as hostile unless its size is expected; inspect it with TensorFlow tools in a sandbox.',
  },
  'savedmodel/python-op': {
    title: 'Graph calls registered Python (PyFunc / EagerPyFunc)',
    description:
      'A graph or library function contains PyFunc, PyFuncStateless or EagerPyFunc (T57). These run the Python function registered under a token in the loading process: when loaded outside the process that saved them they fail or call whatever the loader registered, a hook for code execution in serving code that registers functions.',
    severity: 'critical',
    cwe: [CWE.codeInjection],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.commandInterpreter, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation: 'Do not serve the model; re-export it without tf.py_function / tf.numpy_function.',
  },
  'savedmodel/file-op': {
    title: 'Graph reads or writes files',
    description:
      'A graph or library function contains an op that reads, lists or writes files (ReadFile, WriteFile, MatchingFiles, ImmutableConst, file readers and tf.data file sources, tf.data save/snapshot, summary writers, debugger dumps, PrintV2 to file://, checkpoint ops outside the saver), or an asset file name escapes the SavedModel folder (T57). When the model runs (tf.saved_model.load, serving) it can read credentials into outputs or overwrite files. Vocabulary reads (InitializeTableFromTextFile) are medium: benign models read their own assets that way.',
    severity: 'high',
    cwe: [CWE.pathTraversal, CWE.fileCreation],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.embedMalware, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation:
      'Do not load or serve the model until the file operations are explained; legitimate inference graphs do not touch the file system.',
  },
  'savedmodel/network-op': {
    title: 'Graph talks to the network',
    description:
      'A graph or library function contains an op that connects to other hosts or configures cloud credentials (Rpc/TryRpc, tf.data service, BigQuery, GcsConfigureCredentials) (T57). Running the model can exfiltrate inputs or reach internal services.',
    severity: 'high',
    cwe: [CWE.ssrf],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.embedMalware, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation: 'Do not load or serve the model; inference graphs have no reason to open connections.',
  },
  'savedmodel/unknown-op': {
    title: 'Op outside the standard TensorFlow op set',
    description:
      "A node's op is neither a function of the model's library nor in modelguard's list of standard TensorFlow ops (the TF Lite Flex allowlist plus common TF2 ops; see the docs). It needs a custom op library (tf.load_op_library, a native .so from the model's publisher) or is a rare standard op missing from the list.",
    severity: 'medium',
    cwe: [CWE.untrustedFunctionality],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation: 'Check the op in tf.raw_ops; load custom op libraries only from vendors you trust.',
  },
  'savedmodel/keras-lambda': {
    title: 'Keras Lambda layer in SavedModel metadata',
    description:
      "The Keras metadata (keras_metadata.pb, or the object graph's user-object metadata in TF ≤ 2.4) holds a Lambda layer (T51/T52). tf.keras.models.load_model rebuilds it from its config: a marshalled Python function (function_type 'lambda') is unmarshalled and runs as code; a function by name imports it. High for marshalled bytecode, medium for a function by name.",
    severity: 'high',
    cwe: [CWE.deserialization, CWE.codeInjection],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation:
      'Load the model with tf.saved_model.load (graph only) rather than keras load_model, or re-create the layer in code you control.',
  },
  'savedmodel/checkpoint-io': {
    title: 'Checkpoint save/restore ops in the saver',
    description:
      "The model's saver (TF1 `save/` scope, TF2 `__inference__traced_save/restore` functions) saves and restores variables with SaveV2/RestoreV2/MergeV2Checkpoints at paths the caller passes: expected in every SavedModel, listed so the file operations are accounted for.",
    severity: 'info',
    cwe: [CWE.fileCreation],
    ...THREAT_IDS.supplyChain,
    remediation: 'Nothing to do; the same ops outside the saver are reported as savedmodel/file-op.',
  },
});
