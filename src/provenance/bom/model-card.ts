/**
 * CycloneDX `modelCard` and `componentData` (spec 1.5/1.6), which @cyclonedx/cyclonedx-library 10.3
 * does not model: typed shapes as the JSON schema names them, builders that leave out empty parts,
 * and `attachExtensions`, which adds them to the library's serialized document by bom-ref.
 */

export interface CdxProperty {
  readonly name: string;
  readonly value: string;
}

/** `#/definitions/componentData` (used for `type: data` components and inline datasets). */
export interface CdxComponentData {
  readonly 'bom-ref'?: string;
  readonly type: 'source-code' | 'configuration' | 'dataset' | 'definition' | 'other';
  readonly name?: string;
  readonly contents?: { readonly url?: string; readonly properties?: readonly CdxProperty[] };
  readonly classification?: string;
  readonly description?: string;
}

/** A dataset of the model card: a reference to a `data` component. */
export interface CdxDatasetRef {
  readonly ref: string;
}

export interface CdxPerformanceMetric {
  readonly type?: string;
  readonly value?: string;
  readonly slice?: string;
  readonly confidenceInterval?: { readonly lowerBound?: string; readonly upperBound?: string };
}

export interface CdxRisk {
  readonly name?: string;
  readonly mitigationStrategy?: string;
}

export type CdxApproach =
  | 'supervised'
  | 'unsupervised'
  | 'reinforcement-learning'
  | 'semi-supervised'
  | 'self-supervised';

export interface CdxModelParameters {
  readonly approach?: { readonly type: CdxApproach };
  readonly task?: string;
  readonly architectureFamily?: string;
  readonly modelArchitecture?: string;
  readonly datasets?: readonly (CdxDatasetRef | CdxComponentData)[];
  readonly inputs?: readonly { readonly format: string }[];
  readonly outputs?: readonly { readonly format: string }[];
}

export interface CdxConsiderations {
  readonly users?: readonly string[];
  readonly useCases?: readonly string[];
  readonly technicalLimitations?: readonly string[];
  readonly performanceTradeoffs?: readonly string[];
  readonly ethicalConsiderations?: readonly CdxRisk[];
}

/** `#/definitions/modelCard`. */
export interface CdxModelCard {
  readonly 'bom-ref'?: string;
  readonly modelParameters?: CdxModelParameters;
  readonly quantitativeAnalysis?: { readonly performanceMetrics?: readonly CdxPerformanceMetric[] };
  readonly considerations?: CdxConsiderations;
  readonly properties?: readonly CdxProperty[];
}

/** What the BOM builder knows for the model card; every part optional. */
export interface ModelCardParts {
  readonly task?: string | undefined;
  readonly architectureFamily?: string | undefined;
  readonly modelArchitecture?: string | undefined;
  readonly datasetRefs?: readonly string[];
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  readonly metrics?: readonly CdxPerformanceMetric[];
  readonly useCases?: readonly string[];
  readonly technicalLimitations?: readonly string[];
  readonly performanceTradeoffs?: readonly string[];
  readonly ethicalConsiderations?: readonly CdxRisk[];
  readonly properties?: readonly CdxProperty[];
}

/** A model card from its parts, or undefined when there is nothing to say. */
export function buildModelCard(p: ModelCardParts): CdxModelCard | undefined {
  const modelParameters = compact<CdxModelParameters>({
    task: p.task,
    architectureFamily: p.architectureFamily,
    modelArchitecture: p.modelArchitecture,
    datasets: nonEmpty(p.datasetRefs?.map((ref) => ({ ref }))),
    inputs: nonEmpty(p.inputs?.map((format) => ({ format }))),
    outputs: nonEmpty(p.outputs?.map((format) => ({ format }))),
  });
  const metrics = nonEmpty(p.metrics);
  const considerations = compact<CdxConsiderations>({
    useCases: nonEmpty(p.useCases),
    technicalLimitations: nonEmpty(p.technicalLimitations),
    performanceTradeoffs: nonEmpty(p.performanceTradeoffs),
    ethicalConsiderations: nonEmpty(p.ethicalConsiderations),
  });
  return compact<CdxModelCard>({
    modelParameters,
    quantitativeAnalysis: metrics === undefined ? undefined : { performanceMetrics: metrics },
    considerations,
    properties: nonEmpty(p.properties),
  });
}

/** A `dataset` componentData entry for a `data` component. */
export function buildDatasetData(
  name: string,
  url: string | undefined,
  properties: readonly CdxProperty[] = [],
): CdxComponentData {
  const contents = compact({ url, properties: nonEmpty(properties) });
  return compact<CdxComponentData>({ type: 'dataset', name, contents }) ?? { type: 'dataset' };
}

/** The library's serialized component, with the two fields it does not know. */
interface JsonComponent {
  'bom-ref'?: string;
  components?: JsonComponent[];
  modelCard?: CdxModelCard;
  data?: CdxComponentData[];
}

interface JsonBom {
  metadata?: { component?: JsonComponent };
  components?: JsonComponent[];
}

export interface Extensions {
  /** bom-ref of the component that gets the model card. */
  readonly modelRef: string;
  readonly modelCard: CdxModelCard | undefined;
  /** `data` entries by the bom-ref of their `type: data` component. */
  readonly data: ReadonlyMap<string, readonly CdxComponentData[]>;
}

/**
 * Adds `modelCard` and `data` to the components of a serialized BOM, found by bom-ref. Throws when a
 * bom-ref is not in the document: that is a bug in the builder, never bad input.
 */
export function attachExtensions(doc: object, ext: Extensions): void {
  const byRef = new Map<string, JsonComponent>();
  const visit = (list: readonly JsonComponent[] | undefined): void => {
    for (const c of list ?? []) {
      if (c['bom-ref'] !== undefined) byRef.set(c['bom-ref'], c);
      visit(c.components);
    }
  };
  const bom = doc as JsonBom;
  if (bom.metadata?.component !== undefined) visit([bom.metadata.component]);
  visit(bom.components);
  const find = (ref: string): JsonComponent => {
    const c = byRef.get(ref);
    if (c === undefined) throw new Error(`BOM builder: no component with bom-ref ${ref}`);
    return c;
  };
  if (ext.modelCard !== undefined) find(ext.modelRef).modelCard = ext.modelCard;
  for (const [ref, data] of ext.data) if (data.length > 0) find(ref).data = [...data];
}

/** The array, or undefined when it is missing or empty (CycloneDX arrays are better absent than empty). */
function nonEmpty<T>(a: readonly T[] | undefined): readonly T[] | undefined {
  return a !== undefined && a.length > 0 ? a : undefined;
}

/** The object without its undefined fields, or undefined when none is left. */
function compact<T extends object>(o: { [K in keyof T]?: T[K] | undefined }): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}
