import { defineRules } from '../core/rule.js';
import { ATLAS, CWE, OWASP } from '../core/taxonomy.js';

const supplyChain = { atlas: [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel], owasp: [OWASP.supplyChain] };

/** Rules of the scan engine itself (limits that span formats, failures of a scanner). */
export const ENGINE_RULES = defineRules({
  'scan/total-inflated-limit': {
    title: 'Total decompressed size over the limit',
    description:
      'The members of this file decompress to more than limits.maxTotalInflatedBytes in total; the rest was not inspected (decompression bomb or an unusually large archive).',
    severity: 'high',
    cwe: [CWE.decompressionBomb],
    ...supplyChain,
    remediation:
      'Treat the file as hostile unless you expect this much data; raise the limit to scan it fully.',
  },
  'scan/handler-error': {
    title: 'Scanner failed on this input',
    description:
      'A format handler stopped with an unexpected error. The content after that point was not inspected, so the file is not known to be safe (fail closed).',
    severity: 'high',
    cwe: [CWE.improperInputValidation],
    ...supplyChain,
    remediation:
      'Do not load the file until it is understood; report the error to the modelguard maintainers.',
  },
});
