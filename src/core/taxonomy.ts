/**
 * Exact taxonomy identifiers used by rules (see shared/specs/provenance-serving.md §4).
 * Rules refer to these constants so an id is spelled once.
 */
export const CWE = {
  deserialization: 'CWE-502',
  codeInjection: 'CWE-94',
  templateInjection: 'CWE-1336',
  pathTraversal: 'CWE-22',
  linkFollowing: 'CWE-59',
  ssrf: 'CWE-918',
  integrity: 'CWE-345',
  downloadWithoutIntegrity: 'CWE-494',
  missingIntegrityCheck: 'CWE-353',
  resourceConsumption: 'CWE-400',
  unboundedAllocation: 'CWE-770',
  decompressionBomb: 'CWE-409',
  excessiveAllocation: 'CWE-789',
  outOfBoundsRead: 'CWE-125',
  improperInputValidation: 'CWE-20',
  interpretationConflict: 'CWE-436',
  fileCreation: 'CWE-73',
  osCommand: 'CWE-78',
  untrustedSearchPath: 'CWE-426',
  uncontrolledRecursion: 'CWE-674',
  protectionFailure: 'CWE-693',
  untrustedFunctionality: 'CWE-829',
  unsafeReflection: 'CWE-470',
  embeddedMaliciousCode: 'CWE-506',
  integerOverflow: 'CWE-190',
  llmPromptInjection: 'CWE-1427',
} as const;

export const ATLAS = {
  unsafeArtifacts: 'AML.T0011.000',
  supplyChainModel: 'AML.T0010.003',
  supplyChainSoftware: 'AML.T0010.001',
  supplyChainData: 'AML.T0010.002',
  publishPoisonedModels: 'AML.T0058',
  embedMalware: 'AML.T0018.002',
  modifyArchitecture: 'AML.T0018.001',
  denialOfService: 'AML.T0029',
  commandInterpreter: 'AML.T0050',
  llmPromptInjection: 'AML.T0051',
} as const;

export const OWASP = {
  supplyChain: 'ML06:2023',
  modelPoisoning: 'ML10:2023',
  llmSupplyChain: 'LLM03:2025',
  unboundedConsumption: 'LLM10:2025',
  llmPromptInjection: 'LLM01:2025',
} as const;

/** Taxonomy ids shared by whole families of rules (spread into a rule definition). */
export const THREAT_IDS = {
  /** A model file that runs code or misleads its loader: a compromised ML supply chain. */
  supplyChain: {
    atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel],
    owasp: [OWASP.supplyChain, OWASP.llmSupplyChain],
  },
  /** Input built to exhaust the scanner or a loader (counts, sizes, nesting). */
  exhaustion: { atlas: [ATLAS.denialOfService], owasp: [OWASP.supplyChain, OWASP.unboundedConsumption] },
  /** A model file built to exhaust the memory or time of the runtime that loads it. */
  loaderDos: { atlas: [ATLAS.denialOfService, ATLAS.supplyChainModel], owasp: [OWASP.unboundedConsumption] },
} as const;
