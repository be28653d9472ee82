import { fmtInt } from '../../core/format-number.js';
import { GGML_TYPES, REMOVED_GGML_TYPES } from './ggml-types.js';
import type { GgufLimits } from './limits.js';
import type { GgufFact, GgufFile, GgufTensorInfo } from './types.js';

const INT64_MAX = (1n << 63n) - 1n;
const SIZE_MAX = (1n << 64n) - 1n;

function pad(n: bigint, a: bigint): bigint {
  return ((n + a - 1n) / a) * a;
}

function describe(t: GgufTensorInfo): string {
  const type = GGML_TYPES.get(t.type)?.name ?? `type ${t.type}`;
  return `${type} [${t.dims.join(', ')}] offset ${t.offset}`;
}

function shown(s: string): string {
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

/**
 * The checks gguf.cpp makes on one tensor info (name length, dimension count and signs, element
 * count and byte size representable, valid ggml type, rows a multiple of the block size, aligned
 * offset); sets `nbytes` when the size is well defined.
 */
export function checkTensor(
  t: GgufTensorInfo,
  alignment: number,
  limits: GgufLimits,
  fact: (f: GgufFact) => void,
): void {
  const name = `tensor '${shown(t.name)}'`;
  const at = { offset: t.at, evidence: describe(t) };
  if (t.nameBytes > limits.maxTensorNameBytes)
    fact({
      kind: 'bad-tensor-name',
      detail: `${name}: name of ${fmtInt(t.nameBytes)} bytes is longer than ggml's ${limits.maxTensorNameBytes + 1}-byte name buffer (GGML_MAX_NAME): llama.cpp refuses it, older readers overflowed the buffer`,
      ...at,
    });
  if (t.dims.length > limits.maxDims)
    fact({
      kind: 'bad-tensor-shape',
      detail: `${name} has ${fmtInt(t.dims.length)} dimensions, more than GGML_MAX_DIMS (${limits.maxDims}): writing them into ggml's fixed ne[] array overflows it (CVE-2024-21802 class)`,
      ...at,
    });
  if (t.dims.some((d) => d > INT64_MAX))
    fact({ kind: 'bad-tensor-shape', detail: `${name} has a dimension that is negative as int64`, ...at });
  const type = GGML_TYPES.get(t.type);
  if (type === undefined) {
    const removed = REMOVED_GGML_TYPES.get(t.type);
    fact({
      kind: 'invalid-tensor-type',
      detail: `${name} has ggml type ${t.type}${removed === undefined ? ' (no such type)' : ` (${removed}, removed from ggml)`}: llama.cpp refuses it, older readers indexed their type table with it`,
      ...at,
    });
    return;
  }
  let elements = 1n;
  for (const d of t.dims) elements *= d;
  if (t.dims.some((d) => d > INT64_MAX)) return;
  if (elements > INT64_MAX) {
    fact({
      kind: 'shape-overflow',
      detail: `${name}: element count ${fmtInt(elements)} overflows int64 (ggml_nelements; allocations wrap around)`,
      ...at,
    });
    return;
  }
  const ne0 = t.dims[0] ?? 1n;
  const block = BigInt(type.blockSize);
  if (ne0 % block !== 0n) {
    fact({
      kind: 'bad-tensor-shape',
      detail: `${name}: rows of ${fmtInt(ne0)} ${type.name} elements are not a multiple of its block size ${type.blockSize}`,
      ...at,
    });
    return;
  }
  const nbytes = (elements / block) * BigInt(type.typeSize);
  const a = BigInt(alignment);
  if (nbytes > SIZE_MAX || pad(nbytes, a) > SIZE_MAX) {
    fact({
      kind: 'shape-overflow',
      detail: `${name}: ${fmtInt(nbytes)} bytes (padded to ${alignment}) overflow a 64-bit size (ggml_nbytes / GGML_PAD overflow, CVE-2026-33298 class)`,
      ...at,
    });
    return;
  }
  if (t.offset % a !== 0n)
    fact({
      kind: 'misaligned',
      detail: `${name}: data offset ${fmtInt(t.offset)} is not a multiple of the alignment ${alignment}`,
      ...at,
    });
  t.nbytes = nbytes;
}

/**
 * Data-section checks across tensors: every tensor inside the file, no two overlapping, llama.cpp's
 * canonical layout (each tensor right after the previous one, padded), nothing after the last tensor.
 */
export function checkLayout(file: GgufFile, size: number, fact: (f: GgufFact) => void): void {
  if (file.dataOffset === undefined || file.infoEnd === undefined) return;
  const start = BigInt(file.dataOffset);
  const fileSize = BigInt(size);
  const a = BigInt(file.alignment);
  const sized = file.tensors.filter((t): t is GgufTensorInfo & { nbytes: bigint } => t.nbytes !== undefined);
  for (const t of sized) {
    const end = start + t.offset + t.nbytes;
    if (end > fileSize && t.nbytes > 0n)
      fact({
        kind: 'offset-out-of-range',
        detail: `tensor '${shown(t.name)}' (${fmtInt(t.nbytes)} bytes at data offset ${fmtInt(t.offset)}) ends at ${fmtInt(end)}, past the end of the ${fmtInt(fileSize)}-byte file: readers that trust it read out of bounds`,
        offset: t.at,
        evidence: describe(t),
      });
  }
  const sorted = [...sized].sort((x, y) => (x.offset < y.offset ? -1 : x.offset > y.offset ? 1 : 0));
  let maxEnd = 0n;
  let last: GgufTensorInfo | undefined;
  for (const t of sorted) {
    if (t.nbytes === 0n) continue;
    if (last !== undefined && t.offset < maxEnd)
      fact({
        kind: 'overlap',
        detail: `tensor '${shown(t.name)}' (data offset ${fmtInt(t.offset)}) overlaps '${shown(last.name)}' (ending at ${fmtInt(maxEnd)}): two tensors alias the same bytes`,
        offset: t.at,
        evidence: describe(t),
      });
    if (t.offset + t.nbytes > maxEnd) {
      maxEnd = t.offset + t.nbytes;
      last = t;
    }
  }
  let expected = 0n;
  for (const t of file.tensors) {
    if (t.nbytes === undefined) break;
    if (t.offset !== expected) {
      fact({
        kind: 'tensor-layout',
        detail: `tensor '${shown(t.name)}' is at data offset ${fmtInt(t.offset)}, not ${fmtInt(expected)} where the previous tensor's padded data ends: llama.cpp refuses non-contiguous layouts, other readers follow the offsets`,
        offset: t.at,
        evidence: describe(t),
      });
      break;
    }
    expected += pad(t.nbytes, a);
  }
  if (sized.length < file.tensors.length) return;
  let used = pad(BigInt(file.infoEnd), a);
  if (file.tensors.length > 0) {
    used = start;
    for (const t of sized) {
      const end = start + pad(t.offset + t.nbytes, a);
      if (end > used) used = end;
    }
  }
  if (fileSize > used) {
    const offset = Number(used);
    const length = size - offset;
    file.trailing = { offset, length };
    fact({
      kind: 'trailing-data',
      detail: `${fmtInt(length)} bytes after the ${file.tensors.length === 0 ? 'metadata' : 'last tensor'} belong to nothing the header describes (a place to hide a payload; scanned as a member)`,
      offset,
    });
  }
}
