/**
 * `buildBom`: a CycloneDX ML-BOM of a model folder or file. The library builds and serializes the
 * standard parts (components, hashes, licences, references, properties, dependencies, vulnerabilities);
 * `modelCard` and `data`, which it lacks, are attached to the serialized document by bom-ref.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Enums, Models, Serialize, SPDX, Spec } from '@cyclonedx/cyclonedx-library';
import type { RuleMeta } from '../../core/rule.js';
import type { ScanReport } from '../../scanners/report-model.js';
import { ALL_RULES } from '../../scanners/rules.js';
import { VERSION } from '../../scanners/version.js';
import type { VerifyResult } from '../types.js';
import { clip } from './card-sections.js';
import { type FileListing, listModelFiles } from './files.js';
import {
  FRAMEWORKS,
  type FrameworkKey,
  frameworkOfLibraryName,
  frameworksOfFormats,
  frameworksOfModules,
  importedModules,
} from './frameworks.js';
import { modelIdentity } from './identity.js';
import { BOM_LIMITS, type BomLimits } from './limits.js';
import {
  attachExtensions,
  buildDatasetData,
  buildModelCard,
  type CdxComponentData,
  type CdxProperty,
} from './model-card.js';
import { type ModelInfo, readModelInfo } from './model-info.js';
import { PROP } from './properties.js';
import { displayPath, type SignatureInfo, signatureInfo } from './signature.js';
import { sniffFormats } from './sniff-file.js';
import { taskIo } from './task-io.js';
import { toVulnerabilities } from './vulnerabilities.js';

export type BomSpecVersion = '1.6' | '1.5';

export interface BuildBomOptions {
  /** Findings become vulnerabilities; formats, digests and pickle imports are taken from it. */
  scanReport?: ScanReport;
  /** The verifier's result; null or absent: the BOM only says whether a signature file is there. */
  verifyResult?: VerifyResult | null;
  /** A signature file other than the default `model.sig` (used when there is no verifyResult). */
  signaturePath?: string;
  specVersion?: BomSpecVersion;
  /** `urn:uuid:…`; default a random one. Give it (and `timestamp`) for reproducible output. */
  serialNumber?: string;
  timestamp?: Date;
  limits?: Partial<BomLimits>;
  /** Hashing threads (default: the hashing engine's). */
  workers?: number;
}

/** The CycloneDX JSON document (validates against bom-1.6/1.5.schema.json). */
export type BomDocument = Serialize.JSON.Types.Normalized.Bom & Record<string, unknown>;

const SPECS = { '1.6': Spec.Spec1dot6, '1.5': Spec.Spec1dot5 } as const;
const SERIAL = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const MODEL_REF = 'model';
const VERSION_TEXT = /^[\w.+!-]{1,64}$/;

export async function buildBom(modelPath: string, opts: BuildBomOptions = {}): Promise<BomDocument> {
  const limits: BomLimits = { ...BOM_LIMITS, ...opts.limits };
  const specVersion = opts.specVersion ?? '1.6';
  const serialNumber = opts.serialNumber ?? `urn:uuid:${randomUUID()}`;
  if (!SERIAL.test(serialNumber))
    throw new RangeError(`serialNumber must be a urn:uuid:<uuid>, got ${serialNumber}`);
  const report = opts.scanReport;

  const signature = signatureInfo(modelPath, opts.verifyResult, opts.signaturePath);
  const artifacts = new Map((report?.artifacts ?? []).map((a) => [resolve(a.path), a]));
  const listing = await listModelFiles(modelPath, {
    maxFiles: limits.maxFiles,
    exclude: new Set(signature.path === undefined ? [] : [signature.path]),
    artifacts,
    sniff: sniffFormats,
    ...(opts.workers === undefined ? {} : { workers: opts.workers }),
  });
  const info = await readModelInfo(listing.isFile ? undefined : listing.root, limits);
  const identity = modelIdentity(modelPath, info.name);

  const bom = new Models.Bom({ serialNumber });
  bom.metadata.timestamp = opts.timestamp ?? new Date();
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, 'modelguard', { version: VERSION }),
  );
  const model = new Models.Component(Enums.ComponentType.MachineLearningModel, identity.name, {
    bomRef: MODEL_REF,
    ...(identity.group === undefined ? {} : { group: identity.group }),
    ...(identity.version === undefined ? {} : { version: identity.version }),
    ...(identity.purl === undefined ? {} : { purl: identity.purl }),
  });
  bom.metadata.component = model;
  addLicences(model, info);
  addReferences(model, identity.website, identity.version, info.hasCard);

  const fileRefs = new Map<string, Models.BomRef>();
  const fileNames = new Map<string, string>();
  let totalBytes = 0;
  for (const f of listing.files) {
    const c = new Models.Component(Enums.ComponentType.File, f.name, { bomRef: `file:${f.name}` });
    if (f.sha256 !== undefined) c.hashes.set(Enums.HashAlgorithm['SHA-256'], f.sha256);
    c.properties.add(new Models.Property(PROP.fileSize, String(f.size)));
    if (f.formats.length > 0) c.properties.add(new Models.Property(PROP.fileFormat, f.formats.join(', ')));
    model.components.add(c);
    fileRefs.set(resolve(f.path), c.bomRef);
    fileNames.set(resolve(f.path), f.name);
    totalBytes += f.size;
  }
  const only = listing.isFile ? listing.files[0] : undefined;
  if (only?.sha256 !== undefined) model.hashes.set(Enums.HashAlgorithm['SHA-256'], only.sha256);
  addModelProperties(model, listing, totalBytes, signature);

  const frameworks = neededFrameworks(listing, report, info);
  for (const key of frameworks) {
    const spec: (typeof FRAMEWORKS)[FrameworkKey] = FRAMEWORKS[key];
    const version =
      key === 'transformers' &&
      info.transformersVersion !== undefined &&
      VERSION_TEXT.test(info.transformersVersion)
        ? info.transformersVersion
        : undefined;
    const c = new Models.Component(
      spec.type === 'framework' ? Enums.ComponentType.Framework : Enums.ComponentType.Library,
      spec.name,
      {
        bomRef: `framework:${key}`,
        description: spec.description,
        purl: version === undefined ? spec.purl : `${spec.purl}@${version}`,
        ...('group' in spec ? { group: spec.group } : {}),
        ...(version === undefined ? {} : { version }),
      },
    );
    bom.components.add(c);
    model.dependencies.add(c.bomRef);
  }

  const data = new Map<string, CdxComponentData[]>();
  for (const d of info.datasets) {
    const ref = `dataset:${d.id}`;
    const c = new Models.Component(Enums.ComponentType.Data, d.id, { bomRef: ref });
    if (d.url !== undefined)
      c.externalReferences.add(new Models.ExternalReference(d.url, Enums.ExternalReferenceType.Website));
    c.properties.add(new Models.Property(PROP.datasetUsage, d.usage));
    bom.components.add(c);
    data.set(ref, [buildDatasetData(d.id, d.url)]);
  }

  if (report !== undefined) {
    const rules = new Map<string, RuleMeta>(ALL_RULES.map((r) => [r.id, r]));
    const vulns = toVulnerabilities(report.findings, {
      fileRefs,
      fileNames,
      modelRef: model.bomRef,
      rules,
      maxTextChars: limits.maxTextChars,
    });
    for (const v of vulns) bom.vulnerabilities.add(v);
  }

  bom.metadata.properties.add(new Models.Property(PROP.scanPerformed, String(report !== undefined)));
  for (const w of [...listing.warnings, ...info.warnings]) {
    bom.metadata.properties.add(new Models.Property(PROP.warning, clip(w, limits.maxTextChars)));
  }

  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(SPECS[specVersion]));
  const doc = JSON.parse(serializer.serialize(bom, { sortLists: true })) as BomDocument;
  attachExtensions(doc, { modelRef: MODEL_REF, modelCard: modelCardOf(info, [...data.keys()]), data });
  return doc;
}

function addLicences(model: Models.Component, info: ModelInfo): void {
  for (const l of info.licences) {
    const spdx = SPDX.fixupSpdxId(l.value);
    if (spdx !== undefined) {
      model.licenses.add(new Models.SpdxLicense(spdx));
      continue;
    }
    const url = l.url !== undefined && /^\S+$/.test(l.url) ? l.url : undefined;
    model.licenses.add(new Models.NamedLicense(l.name ?? l.value, url === undefined ? {} : { url }));
  }
}

function addReferences(
  model: Models.Component,
  website: string | undefined,
  commit: string | undefined,
  hasCard: boolean,
): void {
  if (website === undefined) return;
  model.externalReferences.add(new Models.ExternalReference(website, Enums.ExternalReferenceType.Website));
  if (hasCard && commit !== undefined) {
    model.externalReferences.add(
      new Models.ExternalReference(
        `${website}/blob/${commit}/README.md`,
        Enums.ExternalReferenceType.ModelCard,
      ),
    );
  }
}

function addModelProperties(
  model: Models.Component,
  listing: FileListing,
  totalBytes: number,
  signature: SignatureInfo,
): void {
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) model.properties.add(new Models.Property(name, value));
  };
  add(PROP.fileCount, String(listing.files.length));
  add(PROP.totalBytes, String(totalBytes));
  if (listing.truncated) add(PROP.filesTruncated, 'true');
  add(PROP.signatureStatus, signature.status);
  add(PROP.signatureMethod, signature.method);
  add(PROP.signatureSigner, signature.signer);
  if (signature.path !== undefined)
    add(PROP.signaturePath, displayPath(listing.root, listing.isFile, signature.path));
  for (const p of signature.problems) add(PROP.signatureProblem, p);
}

/** Frameworks from the files' formats, the pickles' imports and the card's `library_name`, in catalogue order. */
function neededFrameworks(
  listing: FileListing,
  report: ScanReport | undefined,
  info: ModelInfo,
): FrameworkKey[] {
  const keys = frameworksOfFormats(listing.files.flatMap((f) => f.formats));
  for (const k of frameworksOfModules(importedModules(report?.artifacts ?? []))) keys.add(k);
  const lib = info.libraryName === undefined ? undefined : frameworkOfLibraryName(info.libraryName);
  if (lib !== undefined) keys.add(lib);
  return (Object.keys(FRAMEWORKS) as FrameworkKey[]).filter((k) => keys.has(k));
}

function modelCardOf(info: ModelInfo, datasetRefs: readonly string[]) {
  const io = taskIo(info.task);
  const sections = (kind: string) => info.sections.filter((s) => s.kind === kind).map((s) => s.text);
  const properties: CdxProperty[] = [
    ...(info.libraryName === undefined ? [] : [{ name: PROP.cardLibraryName, value: info.libraryName }]),
    ...info.baseModels.map((value) => ({ name: PROP.cardBaseModel, value })),
    ...info.languages.map((value) => ({ name: PROP.cardLanguage, value })),
    ...info.tags.map((value) => ({ name: PROP.cardTag, value })),
  ];
  return buildModelCard({
    task: info.task,
    architectureFamily: info.architectureFamily,
    modelArchitecture: info.modelArchitecture,
    datasetRefs,
    inputs: io.inputs,
    outputs: io.outputs,
    metrics: info.metrics,
    useCases: sections('useCases'),
    technicalLimitations: sections('technicalLimitations'),
    performanceTradeoffs: sections('tradeoffs'),
    ethicalConsiderations: sections('ethicalConsiderations').map((name) => ({ name })),
    properties,
  });
}
