import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';

/** Rules of the ONNX scanner (threat catalogue T59–T61). */
export const ONNX_RULES = defineRules({
  'onnx/malformed': {
    title: 'ONNX protobuf is malformed',
    description:
      'The file is not a well-formed ModelProto as onnx and onnxruntime parse it: a varint longer than 10 bytes, a length running past its message, an invalid wire type or field number, an unterminated group, a packed field of the wrong size. Loaders refuse the file or read it differently from the scanner; nothing after the fault was inspected.',
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Do not load the file. Obtain a clean copy from the publisher and compare its hash.',
  },
  'onnx/limit-exceeded': {
    title: 'ONNX model exceeds a scan limit',
    description:
      'The model has more nodes, tensors or functions than the walker accepts, or subgraphs (If/Loop/Scan bodies) nested deeper than maxGraphDepth. The part beyond the limit was not inspected, so the model is not known to be safe (fail closed); such counts also exhaust loaders.',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.uncontrolledRecursion],
    ...THREAT_IDS.exhaustion,
    remediation: 'Treat the model as hostile unless its size is expected; inspect the graph with onnx tools.',
  },
  'onnx/external-data-traversal': {
    title: 'External tensor data outside the model folder',
    description:
      "A tensor's external_data `location` is absolute, has a drive letter, contains a `..` segment or a NUL byte (T59: CVE-2022-25882, CVE-2024-27318 `subdir/../../x`, CVE-2025-51480). onnx.load and onnxruntime read the named file as tensor bytes (leaking e.g. /etc/passwd or credentials into outputs), and onnx.save with external data writes there.",
    severity: 'high',
    cwe: [CWE.pathTraversal],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Do not load the model. External data must be a plain relative file name inside the model folder; re-export the model with onnx.save_model(..., save_as_external_data=True).',
  },
  'onnx/external-data-symlink': {
    title: 'External tensor data reached through a link',
    description:
      'The external-data file next to the model resolves (through a symlink, in the file or a parent folder) to a file outside the model folder, or is not a regular file (a device or FIFO that blocks or never ends). Loaders follow the link and read whatever it names (T60).',
    severity: 'high',
    cwe: [CWE.linkFollowing, CWE.pathTraversal],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Replace links in the model folder with the real files; never load models from folders with links out.',
  },
  'onnx/external-data-missing': {
    title: 'External tensor data file not found',
    description:
      'A tensor names an external-data file that is not next to the model. The model cannot load as scanned; whatever file appears there later is read as weights, so it was not checked.',
    severity: 'low',
    cwe: [CWE.integrity],
    ...THREAT_IDS.supplyChain,
    remediation: 'Scan the whole model folder, with its external-data files, before loading.',
  },
  'onnx/external-data-range': {
    title: 'External data reference with an invalid or out-of-range offset/length',
    description:
      'An external_data entry has an offset or length that is not a decimal integer, is beyond 2^53, lies past the end of the external file, or declares more bytes than the limit (T60). Loaders seek or allocate according to these values (memory exhaustion, reads of unrelated bytes, or a refusal).',
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.excessiveAllocation],
    ...THREAT_IDS.exhaustion,
    remediation: 'Re-export the model with onnx tools; do not load it as is.',
  },
  'onnx/custom-op': {
    title: 'Operator outside the standard ONNX opsets',
    description:
      "A node uses a custom operator domain or an op_type that no standard ONNX opset defines (T61). It runs only with a native custom-op library that the user must load (SessionOptions.register_custom_ops_library): code from the model's publisher, outside the ONNX runtime. onnxruntime's own contrib domains (com.microsoft …) are reported low: native, but shipped with the runtime.",
    severity: 'medium',
    cwe: [CWE.untrustedFunctionality],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.modifyArchitecture, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.modelPoisoning],
    remediation:
      'Load custom-op libraries only from a vendor you trust and review them; prefer models that use standard opsets only.',
  },
  'onnx/model-function': {
    title: 'Model-local functions',
    description:
      'The model defines functions (FunctionProto) that its graph calls like operators. Their bodies were walked like the graph (custom operators inside are reported separately); listed so a review knows where computation is defined.',
    severity: 'info',
    cwe: [CWE.integrity],
    atlas: [ATLAS.modifyArchitecture],
    owasp: [OWASP.modelPoisoning],
    remediation: 'Review function bodies when the model comes from an untrusted source.',
  },
  'onnx/metadata': {
    title: 'Model metadata_props',
    description:
      'The model carries metadata_props key/value pairs; listed for review (loaders do not act on them).',
    severity: 'info',
    cwe: [CWE.integrity],
    ...THREAT_IDS.supplyChain,
    remediation: 'Nothing to do unless a key is unexpected for this publisher.',
  },
  'onnx/size-anomaly': {
    title: 'Tensor size does not match its declaration',
    description:
      "A tensor's dims × element size disagree with the bytes or values stored for it (extra bytes can hide a payload; too few make loaders fail or read past the data), declare a negative or absurd number of dimensions, or declare a tensor larger than maxTensorBytes that allocating on load would exhaust memory.",
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.excessiveAllocation],
    ...THREAT_IDS.exhaustion,
    remediation: 'Re-export the model with onnx tools; inspect the tensor named in the finding.',
  },
});
