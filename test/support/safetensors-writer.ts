/**
 * Writes safetensors files from the format description (huggingface/safetensors `serialize`): an
 * 8-byte little-endian header length, a compact JSON header padded with spaces to a multiple of 8,
 * then the tensors back to back, ordered by descending dtype (alignment) then name. Options break the
 * rules on purpose for the hostile fixtures.
 */
import { SAFETENSORS_DTYPE_BITS } from '../../src/formats/safetensors/index.js';
import type { FormatFixture } from './fixture-suite.js';

export type { FormatFixture } from './fixture-suite.js';

export interface StTensor {
  name: string;
  dtype: string;
  shape: readonly (number | bigint)[];
  /** Tensor bytes; default: a deterministic pattern of the right size. */
  data?: Uint8Array;
  /** data_offsets to write instead of the real ones. */
  offsets?: readonly [number | bigint, number | bigint];
  /** Extra JSON text spliced into the entry (e.g. `,"dtype":"U8"` for a duplicate field). */
  extraJson?: string;
}

export interface StOptions {
  /** `__metadata__` (any JSON value; the reference only accepts an object of strings). */
  metadata?: unknown;
  /** Use this exact header text instead of the generated one. */
  rawHeader?: string | Uint8Array;
  /** Header length to write instead of the real one. */
  lengthOverride?: bigint;
  /** Bytes appended after the tensor data. */
  trailing?: Uint8Array;
  /** Keep the given tensor order (default: the reference order). */
  keepOrder?: boolean;
  /** JSON text spliced before the closing brace of the header (extra or duplicate entries). */
  extraEntries?: string;
}

/** Reference dtype order (the Dtype enum): tensors are written by descending rank, then name. */
const DTYPE_RANK = Object.keys(SAFETENSORS_DTYPE_BITS);

export function tensorByteLength(dtype: string, shape: readonly (number | bigint)[]): number {
  const bits = SAFETENSORS_DTYPE_BITS[dtype] ?? 8;
  const n = shape.reduce<number>((a, d) => a * Number(d), 1);
  return Math.ceil((n * bits) / 8);
}

function pattern(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function le64(v: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
}

/** Builds the header text and the data section. */
export function buildSafetensorsParts(
  tensors: readonly StTensor[],
  opts: StOptions = {},
  headerOnly = false,
): { header: Uint8Array; data: Uint8Array; dataLength: number } {
  const order = opts.keepOrder
    ? [...tensors]
    : [...tensors].sort(
        (a, b) =>
          DTYPE_RANK.indexOf(b.dtype) - DTYPE_RANK.indexOf(a.dtype) ||
          (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
      );
  const datas: Uint8Array[] = [];
  const entries: string[] = [];
  if (opts.metadata !== undefined) entries.push(`"__metadata__":${JSON.stringify(opts.metadata)}`);
  let offset = 0;
  order.forEach((t, i) => {
    const length = t.data?.length ?? tensorByteLength(t.dtype, t.shape);
    const [s, e] = t.offsets ?? [offset, offset + length];
    offset += length;
    if (!headerOnly) datas.push(t.data ?? pattern(length, i + 1));
    entries.push(
      `${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${s},${e}]${t.extraJson ?? ''}}`,
    );
  });
  let headerText = `{${entries.join(',')}${opts.extraEntries ?? ''}}`;
  headerText += ' '.repeat((8 - (new TextEncoder().encode(headerText).length % 8)) % 8);
  const header =
    opts.rawHeader === undefined
      ? new TextEncoder().encode(headerText)
      : typeof opts.rawHeader === 'string'
        ? new TextEncoder().encode(opts.rawHeader)
        : opts.rawHeader;
  return { header, data: concat(datas), dataLength: offset };
}

/** A complete safetensors file. */
export function buildSafetensors(tensors: readonly StTensor[], opts: StOptions = {}): Uint8Array {
  const { header, data } = buildSafetensorsParts(tensors, opts);
  return concat([
    le64(opts.lengthOverride ?? BigInt(header.length)),
    header,
    data,
    opts.trailing ?? new Uint8Array(0),
  ]);
}

/** Only the length and header (for sparse files whose data is a hole). */
export function buildSafetensorsHead(
  tensors: readonly StTensor[],
  opts: StOptions = {},
): {
  head: Uint8Array;
  dataLength: number;
} {
  const { header, dataLength } = buildSafetensorsParts(tensors, opts, true);
  return { head: concat([le64(BigInt(header.length)), header]), dataLength };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A pickle calling posix.system('id') (hidden in gaps and trailing bytes). */
export function systemIdPickle(): Uint8Array {
  // PROTO 2, GLOBAL 'posix system', BINUNICODE 'id', TUPLE1, REDUCE, STOP
  return Uint8Array.from([
    0x80,
    0x02,
    0x63,
    ...enc('posix\nsystem\n'),
    0x58,
    2,
    0,
    0,
    0,
    ...enc('id'),
    0x85,
    0x52,
    0x2e,
  ]);
}

const F32x4: StTensor = { name: 'w', dtype: 'F32', shape: [2, 2] };

/** The committed safetensors fixtures (test/fixtures/safetensors/, checked by test/safetensors-fixtures.test.ts). */
export const SAFETENSORS_FIXTURES: readonly FormatFixture[] = [
  {
    file: 'benign-dtypes.safetensors',
    technique: 'benign',
    what: 'one tensor of each common dtype (F32 F16 BF16 F64 I64 I32 I16 I8 U8 BOOL F8_E4M3 F8_E5M2) plus packed F4, with __metadata__ {format: pt}',
    build: () =>
      buildSafetensors(
        [
          { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [16, 8] },
          { name: 'model.norm.weight', dtype: 'F32', shape: [8] },
          { name: 'lm_head.weight', dtype: 'F16', shape: [16, 8] },
          { name: 'stats.mean', dtype: 'F64', shape: [3] },
          { name: 'position_ids', dtype: 'I64', shape: [1, 8] },
          { name: 'ids32', dtype: 'I32', shape: [4] },
          { name: 'ids16', dtype: 'I16', shape: [4] },
          { name: 'q.int8', dtype: 'I8', shape: [4, 4] },
          { name: 'q.uint8', dtype: 'U8', shape: [4, 4] },
          { name: 'mask', dtype: 'BOOL', shape: [8] },
          { name: 'fp8.e4m3', dtype: 'F8_E4M3', shape: [4, 4] },
          { name: 'fp8.e5m2', dtype: 'F8_E5M2', shape: [4, 4] },
          { name: 'mx.f4', dtype: 'F4', shape: [4, 4] },
        ],
        { metadata: { format: 'pt' } },
      ),
    verdict: 'safe',
    rules: [],
  },
  {
    file: 'benign-empty.safetensors',
    technique: 'benign',
    what: 'no tensors: the header is `{}` padded to 8 bytes',
    build: () => buildSafetensors([]),
    verdict: 'safe',
    rules: [],
  },
  {
    file: 'header-too-large.safetensors',
    technique: 'T66',
    what: 'header length 200,000,000 (over the 100,000,000-byte cap of the reference loader)',
    build: () => buildSafetensors([F32x4], { lengthOverride: 200_000_000n }),
    verdict: 'unsafe',
    rules: ['safetensors/header-too-large'],
  },
  {
    file: 'header-past-eof.safetensors',
    technique: 'T66',
    what: 'header length 4,096 in a file of ~100 bytes',
    build: () => buildSafetensors([F32x4], { lengthOverride: 4096n }),
    verdict: 'unsafe',
    rules: ['safetensors/malformed'],
  },
  {
    file: 'invalid-json.safetensors',
    technique: 'T66',
    what: 'a trailing comma in the header (serde_json refuses it, lenient parsers do not)',
    build: () =>
      buildSafetensors([], { rawHeader: '{"w":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},}' }),
    verdict: 'unsafe',
    rules: ['safetensors/invalid-json'],
  },
  {
    file: 'invalid-utf8.safetensors',
    technique: 'T66',
    what: 'header bytes that are not UTF-8 (0xff in a tensor name)',
    build: () =>
      buildSafetensors([], {
        rawHeader: Uint8Array.from([
          ...enc('{"w'),
          0xff,
          ...enc('":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}}'),
        ]),
      }),
    verdict: 'unsafe',
    rules: ['safetensors/invalid-json'],
  },
  {
    file: 'duplicate-key.safetensors',
    technique: 'T66',
    what: "tensor 'w' declared twice with different byte ranges: the reference loader keeps the second, first-wins parsers the first",
    build: () =>
      buildSafetensors([F32x4, { name: 'b', dtype: 'F32', shape: [4] }], {
        keepOrder: true,
        extraEntries: ',"w":{"dtype":"F32","shape":[4],"data_offsets":[16,32]}',
      }),
    verdict: 'unsafe',
    rules: ['safetensors/duplicate-key'],
  },
  {
    file: 'offset-out-of-range.safetensors',
    technique: 'T66',
    what: 'data_offsets end at 1,048,576 in a 16-byte data section',
    build: () => buildSafetensors([{ ...F32x4, offsets: [0, 1 << 20] }]),
    verdict: 'unsafe',
    rules: ['safetensors/offset-out-of-range'],
  },
  {
    file: 'overlap.safetensors',
    technique: 'T66',
    what: "tensors 'a' and 'b' share their 16 bytes",
    build: () =>
      buildSafetensors(
        [
          { name: 'a', dtype: 'F32', shape: [4] },
          { name: 'b', dtype: 'F32', shape: [4], offsets: [0, 16], data: new Uint8Array(0) },
        ],
        { keepOrder: true },
      ),
    verdict: 'unsafe',
    rules: ['safetensors/overlap'],
  },
  {
    file: 'gap-with-pickle.safetensors',
    technique: 'T66',
    what: "a gap between two tensors holds a pickle calling posix.system('id')",
    build: () => {
      // 'a' is declared as 8 bytes, but its data carries the pickle after them: 'b' starts after the pickle.
      const p = systemIdPickle();
      const a = new Uint8Array(8 + p.length);
      a.set(p, 8);
      return buildSafetensors(
        [
          { name: 'a', dtype: 'U8', shape: [8], data: a, offsets: [0, 8] },
          { name: 'b', dtype: 'U8', shape: [8] },
        ],
        { keepOrder: true },
      );
    },
    verdict: 'unsafe',
    rules: ['safetensors/gap', 'pickle/dangerous-global'],
  },
  {
    file: 'size-mismatch.safetensors',
    technique: 'T66',
    what: 'F32 [2, 2] (16 bytes) declared over a 12-byte range',
    build: () => buildSafetensors([{ ...F32x4, data: new Uint8Array(12) }]),
    verdict: 'unsafe',
    rules: ['safetensors/size-mismatch'],
  },
  {
    file: 'shape-overflow.safetensors',
    technique: 'T66',
    what: 'shape [2^40, 2^40] overflows u64',
    build: () =>
      buildSafetensors([{ name: 'w', dtype: 'F32', shape: [1n << 40n, 1n << 40n], data: new Uint8Array(4) }]),
    verdict: 'unsafe',
    rules: ['safetensors/shape-overflow'],
  },
  {
    file: 'bad-metadata.safetensors',
    technique: 'T66',
    what: '__metadata__ with a number and a nested object as values',
    build: () => buildSafetensors([F32x4], { metadata: { format: 'pt', epoch: 3, extra: { a: 1 } } }),
    verdict: 'suspicious',
    rules: ['safetensors/bad-metadata'],
  },
  {
    file: 'trailing-pickle.safetensors',
    technique: 'T66',
    what: "a pickle calling posix.system('id') appended after the last tensor",
    build: () => buildSafetensors([F32x4], { trailing: systemIdPickle() }),
    verdict: 'unsafe',
    rules: ['safetensors/trailing-data', 'pickle/dangerous-global'],
  },
  {
    file: 'malformed-entry.safetensors',
    technique: 'T66',
    what: "tensor 'w' without data_offsets and tensor 'x' with an unknown dtype",
    build: () =>
      buildSafetensors([], {
        rawHeader: '{"w":{"dtype":"F32","shape":[1]},"x":{"dtype":"Q4","shape":[0],"data_offsets":[0,0]}}',
      }),
    verdict: 'unsafe',
    rules: ['safetensors/malformed'],
  },
];

/** A header of `n` zero-size tensors (the T66 tensor-count DoS), built in memory by the tests. */
export function manyTensors(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`"t${i}":{"dtype":"U8","shape":[0],"data_offsets":[0,0]}`);
  return buildSafetensors([], { rawHeader: `{${parts.join(',')}}` });
}
