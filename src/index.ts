/** modelguard as a library: scan model files and render reports. */
export type { Finding, Location } from './core/finding.js';
export { DEFAULT_LIMITS, type ScanLimits } from './core/limits.js';
export type { RuleMeta } from './core/rule.js';
export { SEVERITIES, type Severity } from './core/severity.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderText } from './report/text.js';
export { type ScanOptions, scanPaths } from './scanners/engine.js';
export { createPolicy } from './scanners/policy/index.js';
export { loadPolicyFile } from './scanners/policy/policy-file.js';
export type { Artifact, ScanReport, Verdict } from './scanners/report-model.js';
export { ALL_RULES } from './scanners/rules.js';
