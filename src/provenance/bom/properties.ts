/**
 * Names of the CycloneDX properties the BOM writes, all under our own `modelguard:` prefix (the `cdx:`
 * namespace is reserved for the CycloneDX property taxonomy). docs/bom.md lists them.
 */
export const PROP = {
  /** Something the builder could not read or had to cut (repeatable). */
  warning: 'modelguard:warning',
  /** `true` when the BOM was built with a scan report (so no vulnerabilities means none found). */
  scanPerformed: 'modelguard:scan:performed',
  /** Files of the model (listed or not) and their total size in bytes. */
  fileCount: 'modelguard:files:count',
  totalBytes: 'modelguard:files:total-bytes',
  /** `true` when more files exist than `maxFiles` allowed to list. */
  filesTruncated: 'modelguard:files:truncated',
  fileSize: 'modelguard:file:size',
  /** Formats recognised by content, outermost first, comma-separated (`zip, pytorch-zip, pickle`). */
  fileFormat: 'modelguard:file:format',
  signatureStatus: 'modelguard:signature:status',
  signatureMethod: 'modelguard:signature:method',
  signatureSigner: 'modelguard:signature:signer',
  signaturePath: 'modelguard:signature:path',
  /** What the verifier found wrong (repeatable). */
  signatureProblem: 'modelguard:signature:problem',
  cardLibraryName: 'modelguard:card:library-name',
  cardBaseModel: 'modelguard:card:base-model',
  cardLanguage: 'modelguard:card:language',
  cardTag: 'modelguard:card:tag',
  /** `training` (the card's `datasets`) or `evaluation` (named only in `model-index`). */
  datasetUsage: 'modelguard:dataset:usage',
  findingRule: 'modelguard:finding:rule',
  /** A taxonomy id of a finding with no known reference source. */
  findingTaxonomy: 'modelguard:finding:taxonomy',
} as const;
