/** modelguard as a library: scan model files, sign and verify them, build ML-BOMs, audit, render reports. */

// Adversarial robustness: model backends (onnxruntime-node, TF.js; loaded lazily), datasets, the ONNX
// gradient builder, attacks and their report.
export { ATTACKS, evaluate, runAutoAttack } from './attacks/index.js';
export type { Attack, AttackName, AttackOptions, AttackResult, Norm } from './attacks/types.js';
export type { Finding, Location } from './core/finding.js';
export { DEFAULT_LIMITS, type ScanLimits } from './core/limits.js';
export type { RuleMeta } from './core/rule.js';
export { SEVERITIES, type Severity } from './core/severity.js';
export type {
  ClassTrigger,
  NeuralCleanseOptions,
  NeuralCleanseResult,
} from './defenses/backdoor/index.js';
// Backdoored models: Neural Cleanse (trigger reverse-engineering per class, MAD anomaly index).
export {
  anomalyIndices,
  BACKDOOR_LIMITS,
  BackdoorError,
  NC_DEFAULTS,
  neuralCleanse,
} from './defenses/backdoor/index.js';
// Training-data checks: label issues, duplicates, outliers, balance, backdoor poisoning.
export { runDataChecks } from './defenses/data/index.js';
export { detectPoison } from './defenses/poison/index.js';
export { loadDataset } from './ml/data/index.js';
export { writeNpy, writeNpz } from './ml/npy.js';
export { addOutputs, buildGradientModel, UnsupportedOpError } from './ml/onnx/index.js';
export { loadOnnxClassifier } from './ml/ort/index.js';
export { loadTfjsClassifier } from './ml/tfjs/index.js';
export type { Classifier, Dataset, LossKind, ModelProfile, Tensor } from './ml/types.js';
// Provenance: hashing, OpenSSF Model Signing, CycloneDX ML-BOM, and the audit that combines them with a scan.
export { type AuditOptions, type AuditReport, auditModel } from './provenance/audit.js';
export { type BomSummary, buildBom, summarizeBom } from './provenance/bom/index.js';
export { enumerateModel, hashModel, sha256File } from './provenance/hashing/index.js';
export { findSignature, readBundle, signModel, verifyModel } from './provenance/oms/index.js';
export type { Manifest, Resource, VerifyProblem, VerifyResult } from './provenance/types.js';
export { renderAttackHtml, renderAttackJson, renderAttackText } from './report/attack/index.js';
export { renderAuditJson } from './report/audit/json.js';
export { renderAuditSarif } from './report/audit/sarif.js';
export { renderAuditText } from './report/audit/text.js';
export { renderBackdoorHtml, renderBackdoorJson, renderBackdoorText } from './report/backdoor/index.js';
export type { BackdoorReport, BackdoorTriggerImages } from './report/backdoor/types.js';
export { renderDataHtml, renderDataJson, renderDataText } from './report/data/index.js';
export type { DataReport } from './report/data/types.js';
export { renderHtml } from './report/html.js';
export { renderJson } from './report/json.js';
export { renderSarif } from './report/sarif.js';
export { renderText } from './report/text.js';
export { type ScanOptions, scanPaths } from './scanners/engine.js';
export { createPolicy } from './scanners/policy/index.js';
export { loadPolicyFile } from './scanners/policy/policy-file.js';
export type { Artifact, ScanReport, Verdict } from './scanners/report-model.js';
export { ALL_RULES } from './scanners/rules.js';
