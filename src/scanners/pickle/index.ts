export { callLabel, globalEvidence, summarizeCalls } from './calls-summary.js';
export { pickleHandler } from './handler.js';
export { NESTED_PAYLOADS_MAX, type NestedPayload, nestedPayloads } from './nested-payloads.js';
export { type ReportOptions, reportPickleAnalysis } from './report-analysis.js';
export { PICKLE_RULES, type PickleRuleId } from './rules.js';
