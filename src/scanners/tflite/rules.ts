import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';

/** Rules of the TFLite scanner. */
export const TFLITE_RULES = defineRules({
  'tflite/malformed': {
    title: 'TFLite flatbuffer is malformed',
    description:
      "An offset, vtable, vector or string of the flatbuffer lies outside the file (or lacks its terminator), an operator names an operator code that does not exist, builtin_code and deprecated_builtin_code disagree, or a buffer's external data runs past the file. TFLite's verifier rejects such files; unverified loaders read out of bounds (CWE-125). Nothing after a structural fault was inspected.",
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.outOfBoundsRead],
    ...THREAT_IDS.supplyChain,
    remediation: 'Do not load the model. Obtain a clean copy from the publisher and compare its hash.',
  },
  'tflite/limit-exceeded': {
    title: 'TFLite model exceeds a scan limit',
    description:
      'The model declares more operator codes, subgraphs, operators or buffers than the walker accepts; the rest was not inspected (fail closed).',
    severity: 'high',
    cwe: [CWE.resourceConsumption],
    atlas: [ATLAS.denialOfService],
    owasp: [OWASP.supplyChain, OWASP.unboundedConsumption],
    remediation: 'Treat the model as hostile unless its size is expected.',
  },
  'tflite/custom-op': {
    title: 'TFLite custom operator',
    description:
      "An operator code is CUSTOM (or a StableHLO custom call, or a builtin code this schema does not know): the interpreter runs it only with a kernel the application registers, native code that usually comes with the model's publisher. Custom ops that TFLite's own BuiltinOpResolver registers (TFLite_Detection_PostProcess, Mfcc, AudioSpectrogram) are low.",
    severity: 'medium',
    cwe: [CWE.untrustedFunctionality],
    ...THREAT_IDS.supplyChain,
    remediation: 'Register custom kernels only from sources you trust and review them.',
  },
  'tflite/flex-op': {
    title: 'TFLite Flex (TensorFlow) operator',
    description:
      "A custom code `Flex<Op>` needs the TF Flex delegate, which runs full TensorFlow kernels inside the TFLite interpreter, with TensorFlow's attack surface. The delegate executes the NodeDef stored in the operator's custom options, so that NodeDef is decoded and judged too. Medium for compute ops; high when the TensorFlow op reads or writes files, talks to the network or calls Python (FlexReadFile, FlexWriteFile, FlexSaveV2 …), or when the NodeDef runs another op than the custom code names.",
    severity: 'medium',
    cwe: [CWE.untrustedFunctionality],
    ...THREAT_IDS.supplyChain,
    remediation: 'Avoid the Flex delegate for untrusted models; re-convert with builtin ops only.',
  },
});
