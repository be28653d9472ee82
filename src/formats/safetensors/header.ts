import { utf8Strictly } from '../../core/bytes.js';
import { LimitError, MalformedError } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { ByteSource } from '../../core/source.js';
import { dtypeBits } from './dtype.js';
import { excerpt, type JsonValue, StrictJson } from './json.js';
import { checkLayout } from './layout.js';
import { type SafetensorsLimits, U64_MAX } from './limits.js';
import type { SafetensorsFact, SafetensorsHeader, SafetensorsTensor } from './types.js';

/** Bytes of the little-endian header length that opens every safetensors file. */
export const LENGTH_BYTES = 8;

function u64le(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
  return v;
}

/** Maps character indices of the header text to byte offsets in the file. */
function byteOffsets(text: string, ascii: boolean): (at: number) => number {
  if (ascii) return (at) => LENGTH_BYTES + at;
  const enc = new TextEncoder();
  return (at) => LENGTH_BYTES + enc.encode(text.slice(0, at)).length;
}

const KNOWN_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

const JSON_KIND = {
  obj: 'object',
  arr: 'array',
  str: 'string',
  num: 'number',
  bool: 'boolean',
  null: 'null',
};

function isU64(v: JsonValue): v is JsonValue & { t: 'num'; int: bigint } {
  return v.t === 'num' && v.int !== undefined && v.int >= 0n && v.int <= U64_MAX;
}

/** Reads one tensor entry as serde would (`TensorInfo`), or explains why the reference loader refuses it. */
function readTensor(
  name: string,
  value: JsonValue,
  at: number,
): { tensor: SafetensorsTensor; extra: string[] } | { error: string; severity?: 'medium' | 'low' } {
  if (value.t !== 'obj') return { error: `tensor '${name}' is a JSON ${JSON_KIND[value.t]}, not an object` };
  const field = new Map(value.entries.map((e) => [e.key, e.value]));
  const dtype = field.get('dtype');
  const shape = field.get('shape');
  const offsets = field.get('data_offsets');
  for (const [k, v] of [
    ['dtype', dtype],
    ['shape', shape],
    ['data_offsets', offsets],
  ] as const)
    if (v === undefined) return { error: `tensor '${name}' has no '${k}'` };
  if (dtype?.t !== 'str') return { error: `tensor '${name}': dtype is not a string` };
  const bits = dtypeBits(dtype.v);
  if (bits === undefined)
    return {
      error: `tensor '${name}': unknown dtype '${dtype.v.slice(0, 40)}' (the reference loader refuses the file)`,
      severity: 'medium',
    };
  if (shape?.t !== 'arr' || !shape.items.every(isU64))
    return { error: `tensor '${name}': shape is not a list of unsigned 64-bit integers` };
  if (offsets?.t !== 'arr' || offsets.items.length !== 2 || !offsets.items.every(isU64))
    return { error: `tensor '${name}': data_offsets is not a pair of unsigned 64-bit integers` };
  const [s, e] = offsets.items.map((x) => (x as { int: bigint }).int) as [bigint, bigint];
  const extra = value.entries.map((x) => x.key).filter((k) => !KNOWN_FIELDS.has(k));
  return {
    extra,
    tensor: {
      name,
      dtype: dtype.v,
      bits,
      shape: shape.items.map((d) => (d as { int: bigint }).int),
      start: s,
      end: e,
      at,
    },
  };
}

/**
 * Parses and validates the header of a safetensors file, reading only the 8-byte length and the JSON
 * header (never tensor data). Every divergence from what the reference loader accepts becomes a fact;
 * nothing is thrown for bad content (only I/O errors propagate).
 */
export function parseSafetensorsHeader(source: ByteSource, limits: SafetensorsLimits): SafetensorsHeader {
  const facts: SafetensorsFact[] = [];
  const out: SafetensorsHeader = {
    headerLength: 0,
    dataStart: LENGTH_BYTES,
    dataLength: 0,
    tensorCount: 0,
    tensors: [],
    metadata: undefined,
    facts,
    holes: [],
    complete: false,
  };
  const fact = (f: SafetensorsFact): void => {
    if (facts.length < limits.maxFacts) facts.push(f);
    else out.droppedFacts = (out.droppedFacts ?? 0) + 1;
  };
  if (source.size < LENGTH_BYTES) {
    fact({
      kind: 'malformed',
      detail: `file of ${source.size} bytes is shorter than the 8-byte header length`,
    });
    return out;
  }
  const n = u64le(source.read(0, LENGTH_BYTES));
  const room = BigInt(source.size - LENGTH_BYTES);
  if (n > BigInt(limits.maxHeaderBytes)) {
    fact({
      kind: 'header-too-large',
      detail: `header length ${fmtInt(n)} exceeds the ${fmtInt(limits.maxHeaderBytes)}-byte cap of the reference loader${n > room ? ` and the file (${fmtInt(room)} bytes after the length)` : ''}; the header was not read`,
      offset: 0,
    });
    return out;
  }
  if (n > room) {
    fact({
      kind: 'malformed',
      detail: `header length ${fmtInt(n)} runs past the end of the file (${fmtInt(room)} bytes after the length)`,
      offset: 0,
    });
    return out;
  }
  const headerLength = Number(n);
  out.headerLength = headerLength;
  out.dataStart = LENGTH_BYTES + headerLength;
  out.dataLength = source.size - out.dataStart;
  const raw = source.read(LENGTH_BYTES, headerLength);
  const text = utf8Strictly(raw);
  if (text === undefined) {
    fact({ kind: 'invalid-json', detail: 'header is not valid UTF-8', offset: LENGTH_BYTES });
    return out;
  }
  const offsetOf = byteOffsets(text, text.length === raw.length);
  const json = new StrictJson(text, limits.maxJsonDepth);
  const byName = new Map<string, SafetensorsTensor>();
  try {
    json.readTopObject((key, at, value) => {
      if (key === '__metadata__') {
        readMetadata(value, offsetOf, fact, out);
        return;
      }
      out.tensorCount++;
      if (out.tensorCount > limits.maxTensors) return;
      const r = readTensor(key, value, offsetOf(at));
      if ('tensor' in r) {
        byName.set(key, r.tensor);
        if (r.extra.length > 0)
          fact({
            kind: 'malformed',
            detail: `tensor '${key}' has fields no loader reads (${r.extra.slice(0, 5).join(', ')}): ignored by the reference loader, possibly read by others`,
            offset: offsetOf(at),
            severity: 'low',
          });
      } else
        fact({
          kind: 'malformed',
          detail: r.error,
          offset: offsetOf(at),
          evidence: excerpt(text, at),
          ...(r.severity === undefined ? {} : { severity: r.severity }),
        });
    });
    json.expectEnd();
    out.complete = true;
  } catch (e) {
    if (!(e instanceof MalformedError || e instanceof LimitError)) throw e;
    const at = e.offset ?? json.pos;
    fact({
      kind: 'invalid-json',
      detail: `header is not valid JSON: ${e.message}`,
      offset: offsetOf(Math.min(at, text.length)),
      evidence: excerpt(text, Math.max(0, at - 40), 100),
    });
  }
  for (const d of json.duplicates) {
    const detail =
      d.path.length === 0
        ? `tensor name '${d.key}' appears more than once: the reference loader and JSON.parse keep the last copy, other parsers the first`
        : d.path.length === 1 && d.path[0] === '__metadata__'
          ? `__metadata__ key '${d.key}' appears more than once: parsers disagree on which copy counts`
          : `field '${d.key}' of '${d.path.join('.')}' appears more than once: the reference loader refuses the file, JSON.parse keeps the last copy`;
    fact({
      kind: 'duplicate-key',
      detail,
      offset: offsetOf(d.at),
      evidence: excerpt(text, d.at, 120),
    });
  }
  if (json.droppedDuplicates > 0)
    fact({
      kind: 'duplicate-key',
      detail: `${fmtInt(json.droppedDuplicates)} more duplicate keys not listed`,
    });
  if (out.tensorCount > limits.maxTensors)
    fact({
      kind: 'too-many-tensors',
      detail: `header declares ${fmtInt(out.tensorCount)} tensors, more than maxTensors (${fmtInt(limits.maxTensors)}); only the first ${fmtInt(limits.maxTensors)} were checked`,
      offset: LENGTH_BYTES,
    });
  out.tensors = [...byName.values()];
  if (out.complete) checkLayout(out, fact, limits.maxHoles);
  return out;
}

function readMetadata(
  value: JsonValue,
  offsetOf: (at: number) => number,
  fact: (f: SafetensorsFact) => void,
  out: SafetensorsHeader,
): void {
  if (value.t === 'null') return;
  if (value.t !== 'obj') {
    fact({
      kind: 'bad-metadata',
      detail: `__metadata__ is a JSON ${JSON_KIND[value.t]}, not an object of strings`,
      offset: offsetOf(value.at),
    });
    return;
  }
  const meta: Record<string, string> = {};
  let bad = 0;
  for (const e of value.entries) {
    if (e.value.t === 'str') {
      meta[e.key] = e.value.v;
      continue;
    }
    bad++;
    if (bad <= 20)
      fact({
        kind: 'bad-metadata',
        detail: `__metadata__ value of '${e.key.slice(0, 80)}' is a JSON ${JSON_KIND[e.value.t]}, not a string: the reference loader refuses the file, others may not`,
        offset: offsetOf(e.at),
      });
  }
  if (bad > 20)
    fact({ kind: 'bad-metadata', detail: `${fmtInt(bad - 20)} more non-string __metadata__ values` });
  out.metadata = meta;
}
