/**
 * What a model folder says about itself: the model card (README.md: YAML front matter and the markdown
 * sections on limitations, risks and uses) and config.json. Every read is capped; anything unreadable
 * becomes a warning, never an exception.
 */
import { join } from 'node:path';
import { fmtInt } from '../../core/format-number.js';
import { type CardSection, cardSections } from './card-sections.js';
import { parseFrontMatter, splitFrontMatter } from './front-matter.js';
import type { BomLimits } from './limits.js';
import type { CdxPerformanceMetric } from './model-card.js';
import { field, isObject, list, type PlainObject, str, strList } from './plain.js';
import { decodeUtf8, readHead } from './read-head.js';

export interface DatasetInfo {
  /** As the card names it (`wikitext`, `ns/name`, or free text). */
  readonly id: string;
  readonly usage: 'training' | 'evaluation';
  /** Hugging Face dataset page, when `id` is a Hub id. */
  readonly url: string | undefined;
}

export interface LicenceInfo {
  /** The card's value (`apache-2.0`, `other`, a list entry). */
  readonly value: string;
  /** `license_name` / `license_link` of cards whose licence is `other`. */
  readonly name: string | undefined;
  readonly url: string | undefined;
}

export interface ModelInfo {
  /** README.md was found and read as text. */
  readonly hasCard: boolean;
  readonly name: string | undefined;
  readonly licences: readonly LicenceInfo[];
  readonly task: string | undefined;
  /** config.json `model_type`. */
  readonly architectureFamily: string | undefined;
  /** config.json `architectures`, comma-separated. */
  readonly modelArchitecture: string | undefined;
  readonly datasets: readonly DatasetInfo[];
  readonly metrics: readonly CdxPerformanceMetric[];
  readonly sections: readonly CardSection[];
  readonly libraryName: string | undefined;
  readonly baseModels: readonly string[];
  readonly languages: readonly string[];
  readonly tags: readonly string[];
  readonly transformersVersion: string | undefined;
  readonly warnings: readonly string[];
}

/** Longest short value kept (names, ids, licence strings). */
const SHORT = 200;
/** Most entries kept of a short list (languages, tags, base models). */
const FEW = 50;
const HF_ID = /^[A-Za-z0-9][\w.-]{0,95}(?:\/[A-Za-z0-9][\w.-]{0,95})?$/;

/** Reads README.md and config.json of a model folder (nothing for a single-file model). */
export async function readModelInfo(folder: string | undefined, limits: BomLimits): Promise<ModelInfo> {
  const warnings: string[] = [];
  const card = folder === undefined ? undefined : await readCard(join(folder, 'README.md'), limits, warnings);
  const config =
    folder === undefined ? undefined : await readConfig(join(folder, 'config.json'), limits, warnings);
  const fm = card?.frontMatter ?? {};
  const cfg = config ?? {};
  const modelIndex = list(field(fm, 'model-index'));
  const firstIndex = modelIndex.find(isObject);

  const datasets = new Map<string, DatasetInfo>();
  const addDataset = (v: unknown, usage: DatasetInfo['usage']): void => {
    for (const id of strList(v, limits.maxDatasets, SHORT)) {
      if (datasets.has(id)) continue;
      if (datasets.size >= limits.maxDatasets) {
        pushOnce(
          warnings,
          `more than maxDatasets (${fmtInt(limits.maxDatasets)}) datasets: the rest are not listed`,
        );
        return;
      }
      datasets.set(id, {
        id,
        usage,
        url: HF_ID.test(id) ? `https://huggingface.co/datasets/${id}` : undefined,
      });
    }
  };
  addDataset(field(fm, 'datasets'), 'training');
  const metrics = readModelIndex(modelIndex, limits, warnings, (d) => addDataset(d, 'evaluation'));

  return {
    hasCard: card !== undefined,
    name:
      str(field(fm, 'model_name'), SHORT) ?? (firstIndex ? str(field(firstIndex, 'name'), SHORT) : undefined),
    licences: readLicences(fm),
    task:
      str(field(fm, 'pipeline_tag'), SHORT) ??
      str(field(cfg, 'task'), SHORT) ??
      str(field(cfg, 'pipeline_tag'), SHORT),
    architectureFamily: str(field(cfg, 'model_type'), SHORT),
    modelArchitecture: strList(field(cfg, 'architectures'), FEW, SHORT).join(', ') || undefined,
    datasets: [...datasets.values()],
    metrics,
    sections: card?.sections ?? [],
    libraryName: str(field(fm, 'library_name'), SHORT),
    baseModels: strList(field(fm, 'base_model'), FEW, SHORT),
    languages: strList(field(fm, 'language'), FEW, SHORT),
    tags: strList(field(fm, 'tags'), FEW, SHORT),
    transformersVersion: str(field(cfg, 'transformers_version'), SHORT),
    warnings,
  };
}

interface Card {
  readonly frontMatter: PlainObject;
  readonly sections: readonly CardSection[];
}

async function readCard(path: string, limits: BomLimits, warnings: string[]): Promise<Card | undefined> {
  const head = await readHead(path, limits.maxReadmeBytes);
  if (!head.ok) {
    if (!head.missing) warnings.push(`README.md could not be read: ${head.error}`);
    return undefined;
  }
  const text = decodeUtf8(head.bytes, head.truncated);
  if (text === undefined || text.includes('\0')) {
    warnings.push('README.md is not UTF-8 text: the model card was not read');
    return undefined;
  }
  if (head.truncated) {
    warnings.push(
      `README.md is longer than maxReadmeBytes (${fmtInt(limits.maxReadmeBytes)}): only its start was read`,
    );
  }
  const split = splitFrontMatter(text, limits);
  warnings.push(...split.warnings);
  let frontMatter: PlainObject = {};
  if (split.yaml !== undefined) {
    const parsed = parseFrontMatter(split.yaml, limits);
    warnings.push(...parsed.warnings);
    if (isObject(parsed.value)) frontMatter = parsed.value;
    else if (parsed.value !== undefined && parsed.value !== null) {
      warnings.push('README.md front matter is not a mapping: ignored');
    }
  }
  return { frontMatter, sections: cardSections(split.body, limits.maxTextChars) };
}

async function readConfig(
  path: string,
  limits: BomLimits,
  warnings: string[],
): Promise<PlainObject | undefined> {
  const head = await readHead(path, limits.maxConfigBytes);
  if (!head.ok) {
    if (!head.missing) warnings.push(`config.json could not be read: ${head.error}`);
    return undefined;
  }
  if (head.truncated) {
    warnings.push(`config.json is larger than maxConfigBytes (${fmtInt(limits.maxConfigBytes)}): not read`);
    return undefined;
  }
  const text = decodeUtf8(head.bytes, false);
  let value: unknown;
  try {
    if (text === undefined) throw new Error('not UTF-8');
    value = JSON.parse(text);
  } catch (e) {
    warnings.push(`config.json is not valid JSON (${(e as Error).message}): not read`);
    return undefined;
  }
  if (!isObject(value)) {
    warnings.push('config.json is not a JSON object: not read');
    return undefined;
  }
  return value;
}

function readLicences(fm: PlainObject): LicenceInfo[] {
  const name = str(field(fm, 'license_name'), SHORT);
  const url = str(field(fm, 'license_link'), SHORT);
  return strList(field(fm, 'license'), FEW, SHORT).map((value) => ({
    value,
    name: value.toLowerCase() === 'other' ? name : undefined,
    url: value.toLowerCase() === 'other' ? url : undefined,
  }));
}

/**
 * `model-index` (Hugging Face evaluation results) → performance metrics: type and value of each
 * metric, the slice naming the dataset (config, split) and task it was measured on.
 */
function readModelIndex(
  entries: readonly unknown[],
  limits: BomLimits,
  warnings: string[],
  onDataset: (id: unknown) => void,
): CdxPerformanceMetric[] {
  const out: CdxPerformanceMetric[] = [];
  for (const entry of entries) {
    if (!isObject(entry)) continue;
    for (const result of list(field(entry, 'results'))) {
      if (!isObject(result)) continue;
      const task = isObject(field(result, 'task')) ? (field(result, 'task') as PlainObject) : {};
      const dataset = isObject(field(result, 'dataset')) ? (field(result, 'dataset') as PlainObject) : {};
      onDataset(field(dataset, 'type'));
      const slice = describeSlice(task, dataset);
      for (const metric of list(field(result, 'metrics'))) {
        if (!isObject(metric)) continue;
        if (out.length >= limits.maxMetrics) {
          pushOnce(
            warnings,
            `more than maxMetrics (${fmtInt(limits.maxMetrics)}) metrics in model-index: the rest are not listed`,
          );
          return out;
        }
        const type = str(field(metric, 'type'), SHORT) ?? str(field(metric, 'name'), SHORT);
        const value = str(field(metric, 'value'), SHORT);
        if (type === undefined && value === undefined) continue;
        out.push({
          ...(type === undefined ? {} : { type }),
          ...(value === undefined ? {} : { value }),
          ...(slice === undefined ? {} : { slice }),
        });
      }
    }
  }
  return out;
}

/** `GLUE (sst2, validation), text-classification`. */
function describeSlice(task: PlainObject, dataset: PlainObject): string | undefined {
  const name = str(field(dataset, 'name'), SHORT) ?? str(field(dataset, 'type'), SHORT);
  const detail = [str(field(dataset, 'config'), SHORT), str(field(dataset, 'split'), SHORT)].filter(
    (s): s is string => s !== undefined,
  );
  const taskName = str(field(task, 'type'), SHORT) ?? str(field(task, 'name'), SHORT);
  const where = name === undefined ? undefined : detail.length > 0 ? `${name} (${detail.join(', ')})` : name;
  const parts = [where, taskName].filter((s): s is string => s !== undefined);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function pushOnce(list: string[], s: string): void {
  if (!list.includes(s)) list.push(s);
}
