import { defineRules } from '../../core/rule.js';
import { CWE, THREAT_IDS } from '../../core/taxonomy.js';

const REFUSED =
  'The reference loader (huggingface/safetensors) refuses this file; other loaders (hand-written readers, ' +
  'mmap wrappers, other languages) may read it differently.';
const CLEAN_COPY =
  'Do not load the file; obtain a clean copy from the publisher or re-save the weights with the safetensors library.';

/** Rules of the safetensors header checks (T66). The format runs no code: these are parser attacks. */
export const SAFETENSORS_RULES = defineRules({
  'safetensors/header-too-large': {
    title: 'safetensors header length over the cap',
    description:
      'The 8-byte header length declares a JSON header larger than the reference loader accepts (100,000,000 bytes). Loaders without the cap allocate and parse it: memory exhaustion (T66).',
    severity: 'high',
    cwe: [CWE.excessiveAllocation, CWE.resourceConsumption],
    ...THREAT_IDS.loaderDos,
    remediation: CLEAN_COPY,
  },
  'safetensors/invalid-json': {
    title: 'safetensors header is not valid UTF-8 JSON',
    description: `The header is not strict JSON in UTF-8 (as serde_json reads it): control characters, lone surrogates, trailing characters, nesting deeper than 128. ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/duplicate-key': {
    title: 'safetensors header repeats a key',
    description:
      'A key occurs twice in one JSON object (a tensor name, a field of a tensor, a metadata key). JSON.parse and the reference loader keep the last copy, other parsers the first: two tools see two different models in one file (parser differential).',
    severity: 'high',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/offset-out-of-range': {
    title: 'safetensors tensor bytes outside the file',
    description:
      "A tensor's data_offsets end past the data section (or end before they start). Loaders that slice or mmap without the reference checks read out of bounds.",
    severity: 'high',
    cwe: [CWE.outOfBoundsRead, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/overlap': {
    title: 'safetensors tensors overlap',
    description: `Two tensors' byte ranges overlap, so one write or read aliases the other; no writer produces this. ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.interpretationConflict, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/gap': {
    title: 'safetensors data section has unreferenced bytes',
    description: `Bytes between tensors belong to no tensor. No writer leaves gaps; they can carry a hidden payload (the bytes were sniffed for known formats). ${REFUSED}`,
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/size-mismatch': {
    title: 'safetensors dtype × shape differs from the byte range',
    description:
      "A tensor's element count × element width differs from the length of its data_offsets (or is not a whole number of bytes for sub-byte dtypes). Loaders that trust the shape read past the tensor.",
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.outOfBoundsRead],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/shape-overflow': {
    title: 'safetensors shape overflows 64-bit arithmetic',
    description:
      "The product of a tensor's dimensions (or its size in bits) exceeds 2^64. Loaders without checked arithmetic wrap around and allocate or read the wrong size.",
    severity: 'high',
    cwe: [CWE.integerOverflow, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/bad-metadata': {
    title: 'safetensors __metadata__ is not a map of strings',
    description: `__metadata__ must map strings to strings. ${REFUSED}`,
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/trailing-data': {
    title: 'safetensors file has bytes after the last tensor',
    description: `The file continues after the last tensor. Such bytes can carry a second file (the bytes were sniffed for known formats and scanned). ${REFUSED}`,
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'safetensors/too-many-tensors': {
    title: 'safetensors header declares too many tensors',
    description:
      'The header declares more tensor entries than limits allow (100,000+ entries exhaust CPU and memory of loaders that build one object per entry, T66). Only the first entries were checked.',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.unboundedAllocation],
    ...THREAT_IDS.loaderDos,
    remediation: CLEAN_COPY,
  },
  'safetensors/malformed': {
    title: 'safetensors file is malformed',
    description: `The file cannot be read as safetensors: too short, header length past the end, tensor entries without a valid dtype, shape or data_offsets. ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
});
