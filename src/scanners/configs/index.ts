export {
  analyzeCarrier,
  type CarrierKind,
  type CarrierOptions,
  type CarrierResult,
  carrierFormat,
  carrierKind,
  carrierReadBytes,
} from './carriers.js';
export { isCodeCarrier, scanCodeCarrier } from './members.js';
export { scanMlmodel } from './mlmodel.js';
export { CONFIG_RULES } from './rules.js';
export { judgeTarget, KNOWN_TARGET_PREFIXES, type TargetVerdict } from './targets.js';
export { BUILTIN_HANDLERS, type ManifestInfo, scanTorchserveManifest } from './torchserve.js';
export { CONFIG_LIMITS, type ConfigLimits, type Issue } from './types.js';
export { flowDepth, parseYaml, scanYamlConfig, type YamlParse } from './yaml-config.js';
