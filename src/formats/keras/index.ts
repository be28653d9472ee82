export { analyzeKerasConfig, decodeBase64 } from './analyze.js';
export type { ConfigPath, KerasConfigAnalysis, KerasFact, KerasFactKind, LambdaCode } from './facts.js';
export { deadLayers, layerEntries, referencedLayers } from './graph.js';
export { KERAS_LIMITS, type KerasConfigLimits, MARSHAL_LIMITS, type MarshalLimits } from './limits.js';
export { type MarshalResult, type MarshalSummary, summariseMarshal } from './marshal.js';
export * from './names.js';
export { KNOWN_LOWER, type Origin, originOf } from './origin.js';
export { findPythonYamlTags, type ParsedConfig, parseConfigText } from './text.js';
