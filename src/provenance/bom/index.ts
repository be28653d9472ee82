/** ML-BOM: a CycloneDX 1.6 (or 1.5) document describing a model folder or file. */
export { type BomDocument, type BomSpecVersion, type BuildBomOptions, buildBom } from './build.js';
export { BomError, type BomErrorCode } from './errors.js';
export { FRAMEWORKS, type FrameworkKey } from './frameworks.js';
export { BOM_LIMITS, type BomLimits } from './limits.js';
export type { CdxComponentData, CdxModelCard } from './model-card.js';
export { PROP as BOM_PROPERTIES } from './properties.js';
export type { SignatureStatus } from './signature.js';
export { type BomSummary, summarizeBom } from './summary.js';
