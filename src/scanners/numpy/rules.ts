import { defineRules } from '../../core/rule.js';
import { CWE, THREAT_IDS } from '../../core/taxonomy.js';

export const NUMPY_RULES = defineRules({
  'numpy/malformed': {
    title: 'NumPy file is malformed',
    description:
      'The .npy header cannot be read as numpy reads it (bad magic or version, header not a Python dict literal, missing or extra keys, bad shape). numpy refuses the file or reads it differently from the scanner.',
    severity: 'high',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: 'Do not load the file; obtain a clean copy from the publisher.',
  },
  'numpy/object-array': {
    title: 'NumPy object array (pickled payload)',
    description:
      'The array has an object dtype: its data is a pickle that np.load(..., allow_pickle=True) unpickles (T45, CVE-2019-6446). The pickle itself was analysed separately; this finding only says the loader path runs the unpickler.',
    severity: 'low',
    cwe: [CWE.deserialization],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Load with allow_pickle=False where possible; store numeric data in plain dtypes or safetensors.',
  },
  'numpy/size-mismatch': {
    title: 'NumPy data size differs from its header',
    description:
      'shape × itemsize does not match the bytes after the header: numpy fails to load a short file and ignores extra trailing bytes, where another payload can hide.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Obtain a clean copy; inspect trailing bytes before trusting the file.',
  },
});
