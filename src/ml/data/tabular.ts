/**
 * Tabular and text datasets: CSV (RFC 4180: a header row, `"`-quoted fields with `""` escapes, newlines
 * inside quotes, LF or CRLF) and JSONL (one JSON object per line). Numeric feature columns become `x`
 * (`[N, F]` float32), the label column `y`, an optional text column `texts`. Every size is bounded by
 * TABULAR_LIMITS; malformed input gives a ModelguardError (`MALFORMED` or `LIMIT_EXCEEDED`) naming the line.
 */
import { readFileSync, statSync } from 'node:fs';
import { LimitError, ModelguardError } from '../../core/errors.js';
import type { Dataset } from '../types.js';

/** Named limits of the CSV/JSONL loaders; each comment names what it stops. */
export const TABULAR_LIMITS = {
  /** Bytes of one CSV/JSONL file (read whole; V8 strings stop near 512 MiB). CWE-400. */
  maxFileBytes: 256 * 2 ** 20,
  /** Data rows (CSV records or JSONL lines). CWE-400. */
  maxRows: 10_000_000,
  /** Columns of a CSV record or numeric features of a JSONL object. CWE-400. */
  maxColumns: 100_000,
  /** Characters of one record (a CSV record may span lines inside quotes). Stops runaway quotes. CWE-400. */
  maxRecordChars: 4 * 2 ** 20,
  /** float32 feature values, all rows together. CWE-789. */
  maxElements: 2 ** 28,
  /** Distinct labels. */
  maxClasses: 100_000,
} as const;

/** A dataset read from a table; `texts` when a text column was chosen. */
export interface TabularDataset extends Dataset {
  readonly classNames: readonly string[];
  readonly texts?: readonly string[];
  /** Names of the feature columns, in `x` order. */
  readonly featureNames: readonly string[];
}

export interface TabularOptions {
  /** Label column/field. Default: `label`, else `y`, else (CSV) the last column. */
  readonly label?: string;
  /** Text column/field. Default: a column/field named `text` when there is one. */
  readonly text?: string;
  /** Columns/fields to leave out of the features (ids, names). */
  readonly ignore?: readonly string[];
  /** Class order (index = position); every label must be one of them and each must occur. */
  readonly classNames?: readonly string[];
}

function malformed(message: string): ModelguardError {
  return new ModelguardError('MALFORMED', message);
}

function limit(name: keyof typeof TABULAR_LIMITS, message: string): LimitError {
  return new LimitError(name, `${message}, more than ${name} ${TABULAR_LIMITS[name]}`);
}

/** Reads a `.csv` or `.jsonl`/`.ndjson` file (by extension). */
export function loadTabular(path: string, options: TabularOptions = {}): TabularDataset {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (e) {
    throw new ModelguardError('IO', `cannot read dataset ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (size > TABULAR_LIMITS.maxFileBytes) throw limit('maxFileBytes', `${path}: ${size} bytes`);
  const text = readFileSync(path, 'utf8');
  if (/\.csv$/i.test(path)) return parseCsv(text, options, path);
  if (/\.(jsonl|ndjson)$/i.test(path)) return parseJsonl(text, options, path);
  throw new ModelguardError('UNSUPPORTED', `${path}: a table is a .csv or .jsonl file`);
}

/** CSV records with the line each starts on (1-based). */
function* csvRecords(text: string, where: string): Generator<{ fields: string[]; line: number }> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const start = i;
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    for (;;) {
      if (i - start > TABULAR_LIMITS.maxRecordChars)
        throw limit('maxRecordChars', `${where}:${startLine}: record longer than ${i - start} characters`);
      if (text[i] === '"') {
        let j = i + 1;
        let value = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0 || q - start > TABULAR_LIMITS.maxRecordChars) {
            if (q < 0) throw malformed(`${where}:${startLine}: quoted field is never closed`);
            throw limit(
              'maxRecordChars',
              `${where}:${startLine}: record longer than ${q - start} characters`,
            );
          }
          const chunk = text.slice(j, q);
          for (let k = chunk.indexOf('\n'); k >= 0; k = chunk.indexOf('\n', k + 1)) line++;
          value += chunk;
          if (text[q + 1] === '"') {
            value += '"';
            j = q + 2;
          } else {
            j = q + 1;
            break;
          }
        }
        i = j;
        field = value;
        const c = text[i];
        if (c !== undefined && c !== ',' && c !== '\n' && c !== '\r')
          throw malformed(`${where}:${line}: text after a closing quote (expected , or end of line)`);
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === 44 || c === 10 || c === 13) break;
          if (c === 34) throw malformed(`${where}:${line}: quote inside an unquoted field`);
          j++;
        }
        field = text.slice(i, j);
        i = j;
      }
      fields.push(field);
      if (fields.length > TABULAR_LIMITS.maxColumns)
        throw limit('maxColumns', `${where}:${startLine}: ${fields.length} fields`);
      const c = text[i];
      if (c === ',') {
        i++;
        continue;
      }
      if (c === '\r') i++;
      if (text[i] === '\n') i++;
      else if (c === '\r' || (c !== undefined && c !== '\n'))
        throw malformed(`${where}:${line}: unexpected character after a field`);
      line++;
      break;
    }
    if (fields.length === 1 && fields[0] === '') continue; // blank line
    yield { fields, line: startLine };
  }
}

function pickColumn(names: readonly string[], wanted: string | undefined, fallback: string[]): number {
  if (wanted !== undefined) return names.indexOf(wanted);
  for (const f of fallback) {
    const i = names.indexOf(f);
    if (i >= 0) return i;
  }
  return -1;
}

/** Collects rows and builds the dataset; shared by CSV and JSONL. */
class TableBuilder {
  private readonly values: number[] = [];
  private readonly labels: string[] = [];
  private readonly texts: string[] = [];
  private rows = 0;
  constructor(
    private readonly where: string,
    readonly featureNames: readonly string[],
    private readonly hasText: boolean,
    /** JSONL: features must be JSON numbers (CSV fields are strings parsed as numbers). */
    private readonly numbersOnly = false,
  ) {
    if (featureNames.length === 0 && !hasText)
      throw malformed(`${where}: no feature columns and no text column`);
  }

  add(line: number, label: unknown, features: readonly unknown[], text: unknown): void {
    const at = `${this.where}:${line}`;
    if (++this.rows > TABULAR_LIMITS.maxRows) throw limit('maxRows', `${at}: ${this.rows} rows`);
    if (this.values.length + features.length > TABULAR_LIMITS.maxElements)
      throw limit('maxElements', `${at}: ${this.values.length + features.length} feature values`);
    const l = typeof label === 'number' && Number.isFinite(label) ? String(label) : label;
    if (typeof l !== 'string' || l.trim() === '') throw malformed(`${at}: missing label`);
    this.labels.push(l.trim());
    features.forEach((v, k) => {
      const parsable = typeof v === 'string' && v.trim() !== '' && !this.numbersOnly;
      const num = typeof v === 'number' ? v : parsable ? Number(v) : Number.NaN;
      if (!Number.isFinite(num))
        throw malformed(
          `${at}: feature '${this.featureNames[k]}' is ${v === '' || v === undefined || v === null ? 'missing' : `not a finite number (${JSON.stringify(v).slice(0, 40)})`}`,
        );
      this.values.push(num);
    });
    if (this.hasText) {
      if (typeof text !== 'string') throw malformed(`${at}: text is missing or not a string`);
      this.texts.push(text);
    }
  }

  build(classOrder: readonly string[] | undefined): TabularDataset {
    if (this.rows === 0) throw malformed(`${this.where}: no data rows`);
    const seen = [...new Set(this.labels)];
    let classNames: readonly string[];
    if (classOrder !== undefined) {
      const unknown = seen.find((l) => !classOrder.includes(l));
      if (unknown !== undefined)
        throw malformed(`${this.where}: label '${unknown}' is not one of the given classes`);
      classNames = classOrder;
    } else if (seen.every((l) => /^(0|[1-9]\d{0,8})$/.test(l))) {
      const max = Math.max(...seen.map(Number));
      classNames = Array.from({ length: max + 1 }, (_, k) => String(k));
    } else {
      classNames = seen.sort();
    }
    if (classNames.length > TABULAR_LIMITS.maxClasses)
      throw limit('maxClasses', `${this.where}: ${classNames.length} classes`);
    const index = new Map(classNames.map((c, k) => [c, k]));
    const y = Int32Array.from(this.labels, (l) => index.get(l)!);
    const counts = new Int32Array(classNames.length);
    for (const v of y) counts[v]!++;
    const empty = classNames.filter((_, k) => counts[k] === 0);
    if (empty.length > 0)
      throw malformed(
        `${this.where}: class${empty.length > 1 ? 'es' : ''} ${empty.slice(0, 10).join(', ')} ha${empty.length > 1 ? 've' : 's'} no samples (empty class)`,
      );
    const f = this.featureNames.length;
    return {
      x: { data: Float32Array.from(this.values), shape: [this.rows, f] },
      y,
      classNames,
      featureNames: this.featureNames,
      ...(this.hasText ? { texts: this.texts } : {}),
    };
  }
}

/** Parses CSV text (see the module comment); `where` names the source in errors. */
export function parseCsv(text: string, options: TabularOptions = {}, where = 'csv'): TabularDataset {
  const records = csvRecords(text, where);
  const first = records.next();
  if (first.done) throw malformed(`${where}: empty file (expected a header row)`);
  const header = first.value.fields.map((h) => h.trim());
  const dup = header.find((h, k) => header.indexOf(h) !== k);
  if (dup !== undefined) throw malformed(`${where}:1: column '${dup}' appears twice in the header`);
  let labelCol = pickColumn(header, options.label, ['label', 'y']);
  if (options.label === undefined && labelCol < 0) labelCol = header.length - 1;
  if (labelCol < 0) throw malformed(`${where}:1: no label column '${options.label}' in the header`);
  const textCol = pickColumn(header, options.text, ['text']);
  if (options.text !== undefined && textCol < 0)
    throw malformed(`${where}:1: no text column '${options.text}' in the header`);
  const ignored = new Set(options.ignore ?? []);
  const featureCols = header.flatMap((h, k) =>
    k === labelCol || k === textCol || ignored.has(h) ? [] : [k],
  );
  const table = new TableBuilder(
    where,
    featureCols.map((k) => header[k]!),
    textCol >= 0,
  );
  for (const { fields, line } of records) {
    if (fields.length !== header.length)
      throw malformed(
        `${where}:${line}: ${fields.length} fields, the header has ${header.length} (ragged row)`,
      );
    table.add(
      line,
      fields[labelCol],
      featureCols.map((k) => fields[k]),
      textCol >= 0 ? fields[textCol] : undefined,
    );
  }
  return table.build(options.classNames);
}

/**
 * Parses JSONL text: each non-blank line an object with the label field, and either a `features` (or `x`)
 * array of numbers or numeric fields (the first line's keys, in its order), and/or the text field.
 */
export function parseJsonl(text: string, options: TabularOptions = {}, where = 'jsonl'): TabularDataset {
  let table: TableBuilder | undefined;
  let labelKey = '';
  let textKey: string | undefined;
  let arrayKey: string | undefined;
  let keys: string[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start < text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (end - start > TABULAR_LIMITS.maxRecordChars)
      throw limit('maxRecordChars', `${where}:${line}: line of ${end - start} characters`);
    const raw = text.slice(start, end).trim();
    start = end + 1;
    if (raw === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (e) {
      throw malformed(`${where}:${line}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
      throw malformed(`${where}:${line}: expected a JSON object`);
    const o = obj as Record<string, unknown>;
    if (table === undefined) {
      const names = Object.keys(o);
      labelKey = options.label ?? (['label', 'y'].find((k) => k in o) as string);
      if (labelKey === undefined || !(labelKey in o))
        throw malformed(`${where}:${line}: no label field '${options.label ?? 'label'}'`);
      textKey = options.text ?? ('text' in o ? 'text' : undefined);
      const ignored = new Set([...(options.ignore ?? []), labelKey, ...(textKey ? [textKey] : [])]);
      arrayKey = ['features', 'x'].find((k) => !ignored.has(k) && Array.isArray(o[k]));
      let featureNames: string[];
      if (arrayKey !== undefined) {
        const len = (o[arrayKey] as unknown[]).length;
        if (len > TABULAR_LIMITS.maxColumns) throw limit('maxColumns', `${where}:${line}: ${len} features`);
        featureNames = Array.from({ length: len }, (_, k) => `${arrayKey}[${k}]`);
      } else {
        keys = names.filter((k) => !ignored.has(k) && typeof o[k] === 'number');
        if (keys.length > TABULAR_LIMITS.maxColumns)
          throw limit('maxColumns', `${where}:${line}: ${keys.length} features`);
        featureNames = keys;
      }
      table = new TableBuilder(where, featureNames, textKey !== undefined, true);
    }
    let features: unknown[];
    if (arrayKey !== undefined) {
      const arr = o[arrayKey];
      if (!Array.isArray(arr)) throw malformed(`${where}:${line}: '${arrayKey}' is not an array`);
      features = arr;
      const want = table.featureNames.length;
      if (arr.length !== want)
        throw malformed(`${where}:${line}: ${arr.length} features, the first line has ${want} (ragged row)`);
    } else {
      features = keys.map((k) => o[k]);
    }
    table.add(line, o[labelKey], features, textKey === undefined ? undefined : o[textKey]);
  }
  if (table === undefined) throw malformed(`${where}: no data rows`);
  return table.build(options.classNames);
}
