/**
 * `modelguard data --export-clean`: the dataset without its suspects. Tables keep their original text (the
 * header and every kept record byte for byte); arrays (npz, image folders) are written as `.npz` (`x`, `y`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { writeNpz } from '../ml/npy.js';
import type { Dataset } from '../ml/types.js';
import { UsageError } from './errors.js';

/**
 * Raw CSV records (each with its line ending), blank lines left out, split as the loader splits them:
 * a newline ends a record unless it is inside a `"`-quoted field.
 */
export function csvRecordTexts(text: string): string[] {
  const out: string[] = [];
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let quoted = false;
  for (let i = start; i <= text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (i === text.length || (c === '\n' && !quoted)) {
      const rec = text.slice(start, i === text.length ? i : i + 1);
      const body = rec.replace(/\r?\n$/, '');
      // The loader skips a record of one empty field: a blank line or a lone `""`.
      if (body !== '' && body !== '""') out.push(rec);
      start = i + 1;
    }
  }
  return out;
}

/** Raw JSONL records (each with its line ending), blank lines left out. */
export function jsonlRecordTexts(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return (body.match(/[^\n]*(\n|$)/g) ?? []).filter((l) => l.trim() !== '');
}

function withNewline(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/**
 * Writes `data` without the samples in `drop` to `file`; `samples` is how many samples were examined (the
 * first ones, after --limit). Returns how many were kept.
 */
export function exportClean(
  file: string,
  source: { path: string; format: 'npz' | 'image-folder' | 'csv' | 'jsonl' },
  data: Dataset,
  drop: ReadonlySet<number>,
): number {
  const n = data.y.length;
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => !drop.has(i));
  try {
    if (source.format === 'csv' || source.format === 'jsonl') {
      const text = readFileSync(source.path, 'utf8');
      const records = source.format === 'csv' ? csvRecordTexts(text) : jsonlRecordTexts(text);
      const header = source.format === 'csv' ? records.shift() : undefined;
      if (records.length < n)
        throw new UsageError(
          `cannot export ${source.path}: found ${records.length} records, expected at least ${n}`,
        );
      const lines = keep.map((i) => withNewline(records[i]!));
      writeFileSync(file, (header === undefined ? '' : withNewline(header)) + lines.join(''));
    } else {
      const d = data.x.shape.slice(1).reduce((a, b) => a * b, 1);
      const x = new Float32Array(keep.length * d);
      keep.forEach((i, r) => {
        x.set(data.x.data.subarray(i * d, (i + 1) * d), r * d);
      });
      writeNpz(file, {
        x: { data: x, shape: [keep.length, ...data.x.shape.slice(1)] },
        y: Int32Array.from(keep, (i) => data.y[i]!),
      });
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot write ${file}: ${(e as Error).message}`);
  }
  return keep.length;
}
