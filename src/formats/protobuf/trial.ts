/**
 * Trial walks for content sniffing: protobuf files (ONNX, SavedModel) carry no magic, so a sniffer
 * walks the first fields of the head against the schema it expects and claims the file only when every
 * field seen fits. Works on the head bytes alone; a field cut by the end of the head ends the walk.
 */

/** What a sniffer expects of one field number. */
export interface TrialField {
  /** Wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: 0 | 1 | 2 | 5;
  /** Accepted range of a varint. */
  min?: number;
  max?: number;
  /** A length-delimited field: printable UTF-8 text, any bytes, or a nested message with its own schema. */
  kind?: 'text' | 'bytes' | TrialSchema;
}
export type TrialSchema = Readonly<Record<number, TrialField>>;

export interface TrialResult {
  /** Every field seen fits the schema. */
  ok: boolean;
  /** Field numbers of the top-level fields seen, in order (a cut field included). */
  fields: number[];
  /** The head ended exactly after the last field (no field was cut). */
  complete: boolean;
}

/** Decodes a varint at `i`; undefined when cut by the end of `b` or longer than 10 bytes. */
function varintAt(b: Uint8Array, i: number, end: number): { v: number; next: number } | undefined {
  let v = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    if (i + k >= end) return undefined;
    const x = b[i + k] as number;
    v += (x & 0x7f) * mul;
    if (x < 0x80) return { v, next: i + k + 1 };
    mul *= 128;
  }
  return undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Printable UTF-8 (tabs and newlines allowed); a multi-byte character cut at the end is tolerated. */
function printableText(b: Uint8Array, cut: boolean): boolean {
  let bytes = b;
  if (cut) {
    // Drop up to 3 trailing bytes of an incomplete UTF-8 sequence.
    let k = bytes.length;
    let back = 0;
    while (k > 0 && back < 3 && ((bytes[k - 1] as number) & 0xc0) === 0x80) {
      k--;
      back++;
    }
    if (k > 0 && (bytes[k - 1] as number) >= 0xc0) k--;
    bytes = bytes.subarray(0, k);
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

interface Walk {
  ok: boolean;
  fields: number[];
  complete: boolean;
  budget: number;
}

function walk(
  b: Uint8Array,
  start: number,
  end: number,
  schema: TrialSchema,
  w: Walk,
  depth: number,
  top: boolean,
): void {
  let i = start;
  while (i < end) {
    if (w.budget-- <= 0) return;
    const tag = varintAt(b, i, end);
    if (tag === undefined) {
      w.complete = false;
      return;
    }
    const no = Math.floor(tag.v / 8);
    const wire = tag.v % 8;
    const spec = schema[no];
    if (top) w.fields.push(no);
    if (spec === undefined || spec.wire !== wire) {
      w.ok = false;
      return;
    }
    i = tag.next;
    if (wire === 0) {
      const v = varintAt(b, i, end);
      if (v === undefined) {
        w.complete = false;
        return;
      }
      if ((spec.min !== undefined && v.v < spec.min) || (spec.max !== undefined && v.v > spec.max)) {
        w.ok = false;
        return;
      }
      i = v.next;
    } else if (wire === 1 || wire === 5) {
      i += wire === 1 ? 8 : 4;
      if (i > end) {
        w.complete = false;
        return;
      }
    } else {
      const len = varintAt(b, i, end);
      if (len === undefined) {
        w.complete = false;
        return;
      }
      i = len.next;
      const stop = Math.min(end, i + len.v);
      const cut = i + len.v > end;
      const kind = spec.kind ?? 'bytes';
      if (kind === 'text') {
        if (!printableText(b.subarray(i, stop), cut)) {
          w.ok = false;
          return;
        }
      } else if (kind !== 'bytes' && depth < 8) {
        const before = w.complete;
        w.complete = true;
        walk(b, i, stop, kind, w, depth + 1, false);
        if (!w.ok) return;
        // A nested message wholly inside the head must end on a field boundary.
        if (!cut && !w.complete) {
          w.ok = false;
          return;
        }
        w.complete = before;
      }
      if (cut) {
        w.complete = false;
        return;
      }
      i = stop;
    }
  }
}

/**
 * Walks the message at the start of `head` against `schema`, at most `maxFields` fields in all
 * (nested ones included). Never throws.
 */
export function trialWalk(head: Uint8Array, schema: TrialSchema, maxFields = 256): TrialResult {
  const w: Walk = { ok: true, fields: [], complete: true, budget: maxFields };
  walk(head, 0, head.length, schema, w, 0, true);
  return { ok: w.ok, fields: w.fields, complete: w.complete };
}
