import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP, THREAT_IDS } from '../../core/taxonomy.js';

const CLEAN_COPY =
  'Do not load the file with llama.cpp, Ollama or other GGUF readers; obtain a clean copy from the publisher or re-convert the model from a trusted source.';
const REFUSED =
  'Current llama.cpp refuses the file; older versions and other readers (gguf-py, Ollama, custom loaders) may not.';

/**
 * Rules of the GGUF header checks (T64 parser memory safety, T65 llamafile). Chat templates inside a
 * GGUF are reported under the shared `chat-template/…` rules.
 */
export const GGUF_RULES = defineRules({
  'gguf/malformed': {
    title: 'GGUF file is malformed',
    description: `The GGUF header cannot be read to its end: truncated, invalid value types, empty keys. Everything after the damage was not inspected (fail closed). ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/unsupported-version': {
    title: 'GGUF version is old, unknown or big-endian',
    description:
      'GGUF v1 (32-bit lengths) is no longer loaded by llama.cpp; versions above 3 are unknown (not parsed); big-endian files are refused by little-endian hosts. Readers that guess the layout misread the file.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation:
      'Re-convert the model with a current llama.cpp (convert_hf_to_gguf.py) from a trusted source.',
  },
  'gguf/count-overflow': {
    title: 'GGUF count or length larger than the file',
    description:
      'A tensor count, key/value count, string length, array length or dimension count declares more than the rest of the file can hold. Readers that allocate or loop on it overflow integers and the heap (n_kv overflow CVE-2024-23605, Databricks GGML/GGUF heap overflows, GHSA-3p4r-fq3f-q74v).',
    severity: 'high',
    cwe: [CWE.integerOverflow, CWE.excessiveAllocation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/limit-exceeded': {
    title: 'GGUF header exceeds a reader limit',
    description:
      'More key/values or tensors than the scanner limits, strings or arrays over llama.cpp’s 1 GiB / 2^30-element caps, keys over 65,535 bytes, or arrays nested deeper than the limit: resource exhaustion in readers without the caps; only part of the file was read.',
    severity: 'high',
    cwe: [CWE.resourceConsumption, CWE.unboundedAllocation],
    ...THREAT_IDS.loaderDos,
    remediation: CLEAN_COPY,
  },
  'gguf/duplicate-key': {
    title: 'GGUF metadata key appears twice',
    description:
      'A metadata key occurs more than once. llama.cpp refuses the file; gguf-py and other readers keep one copy, so two tools can see two different chat templates or tokenizers (parser differential). Every copy of a chat template was analysed.',
    severity: 'high',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/duplicate-tensor': {
    title: 'GGUF tensor name appears twice',
    description: `Two tensor infos share a name; readers pick different copies. ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/type-confusion': {
    title: 'GGUF metadata value has the wrong type',
    description:
      'A well-known key has another type than readers expect (`tokenizer.ggml.scores` stored as bytes but read as f32, `general.alignment` not u32, token ids not u32). Code that takes the array data without checking its type reads past it (T64 element-type confusion).',
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.outOfBoundsRead],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/tokenizer-mismatch': {
    title: 'GGUF tokenizer arrays disagree',
    description:
      '`tokenizer.ggml.scores` or `token_type` has another length than `tokenizer.ggml.tokens`, or a special token id lies outside the vocabulary: readers index these arrays by token id and read out of bounds.',
    severity: 'high',
    cwe: [CWE.outOfBoundsRead, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/bad-tensor-shape': {
    title: 'GGUF tensor shape is invalid',
    description:
      'A tensor has more than 4 dimensions (ggml’s fixed ne[4] overflows, CVE-2024-21802 class), a dimension negative as int64, or rows that are not a multiple of its quantisation block.',
    severity: 'high',
    cwe: [CWE.improperInputValidation, CWE.integerOverflow],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/shape-overflow': {
    title: 'GGUF tensor size overflows 64-bit arithmetic',
    description:
      'A tensor’s element count overflows int64, or its byte size (or that size padded to the alignment) overflows 64 bits: ggml_nbytes / GGML_PAD wrap around and the reader allocates a small buffer for a huge tensor (CVE-2025-53630, CVE-2026-33298, CVE-2026-27940 class).',
    severity: 'high',
    cwe: [CWE.integerOverflow, CWE.excessiveAllocation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/invalid-tensor-type': {
    title: 'GGUF tensor has an unknown ggml type',
    description: `A tensor’s ggml type id is out of range or was removed from ggml. Older readers indexed their type-traits table with it (out-of-bounds read). ${REFUSED}`,
    severity: 'high',
    cwe: [CWE.outOfBoundsRead, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/bad-tensor-name': {
    title: 'GGUF tensor name too long',
    description:
      'A tensor name is 64 bytes or longer: it does not fit ggml’s fixed name buffer (GGML_MAX_NAME). Current llama.cpp refuses it; older readers copied it into the buffer (overflow).',
    severity: 'high',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/bad-alignment': {
    title: 'GGUF alignment invalid or absurd',
    description:
      '`general.alignment` is zero, not a power of two, or huge: padding arithmetic (GGML_PAD) with it overflows in readers that do not check it (unbounded general.alignment advisory).',
    severity: 'high',
    cwe: [CWE.integerOverflow, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/offset-out-of-range': {
    title: 'GGUF tensor data outside the file',
    description:
      'A tensor’s data offset plus size ends past the end of the file. Readers that mmap and trust the header read out of bounds (Ollama “Bleeding Llama” CVE-2026-7482 class).',
    severity: 'high',
    cwe: [CWE.outOfBoundsRead],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/misaligned': {
    title: 'GGUF tensor data not aligned',
    description: `A tensor's data offset is not a multiple of the file's alignment. No writer produces this. ${REFUSED}`,
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/overlap': {
    title: 'GGUF tensors overlap',
    description:
      'Two tensors’ data ranges overlap: one region is read as two tensors (aliasing), which no writer produces and readers handle inconsistently.',
    severity: 'high',
    cwe: [CWE.interpretationConflict, CWE.improperInputValidation],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/tensor-layout': {
    title: 'GGUF tensor data not laid out contiguously',
    description:
      'Tensors are not stored one after another in declaration order (gaps or reordering). Current llama.cpp refuses such files; other readers follow the offsets. Unreferenced gaps can carry data.',
    severity: 'low',
    cwe: [CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: 'Re-convert the model with a standard GGUF writer if the file is not from a known tool.',
  },
  'gguf/trailing-data': {
    title: 'GGUF file has bytes after its data',
    description:
      'The file continues after the last tensor (or after the metadata of a vocabulary-only file). Such bytes can carry a second file; they were sniffed and scanned as a member.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.interpretationConflict],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/nested-array': {
    title: 'GGUF metadata has nested arrays',
    description:
      'A metadata array contains arrays. llama.cpp refuses it while gguf-py reads it: a parser differential, and a recursion vector in readers without a depth limit.',
    severity: 'medium',
    cwe: [CWE.interpretationConflict, CWE.uncontrolledRecursion],
    ...THREAT_IDS.supplyChain,
    remediation: CLEAN_COPY,
  },
  'gguf/executable': {
    title: 'Model file is an executable program',
    description:
      'The file is a native executable — a llamafile (Actually Portable Executable polyglot that runs on Linux, macOS, Windows and BSD) carrying its weights in an appended zip. Running the “model” runs its code; nothing about the program is verified by a weights scan (T65). Embedded GGUF weights were scanned as members.',
    severity: 'high',
    cwe: [CWE.downloadWithoutIntegrity, CWE.codeInjection],
    atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel, ATLAS.embedMalware],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
    remediation:
      'Run only llamafiles whose program you trust (verify the release signature or build it yourself); prefer the plain .gguf weights with your own llama.cpp build.',
  },
});
