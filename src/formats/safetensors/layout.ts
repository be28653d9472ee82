import { fmtInt } from '../../core/format-number.js';
import { U64_MAX } from './limits.js';
import type { SafetensorsFact, SafetensorsHeader, SafetensorsTensor } from './types.js';

/** Bytes of one tensor per dtype × shape, or why it cannot be computed (as the reference `validate`). */
export function tensorBytes(
  t: SafetensorsTensor,
): { bytes: bigint } | { overflow: string } | { misaligned: bigint } {
  let n = 1n;
  for (const d of t.shape) {
    n *= d;
    if (n > U64_MAX) return { overflow: `element count of shape [${t.shape.join(', ')}] overflows u64` };
  }
  const bits = n * BigInt(t.bits);
  if (bits > U64_MAX)
    return { overflow: `${fmtInt(n)} elements × ${t.bits} bits (${t.dtype}) overflows u64` };
  if (bits % 8n !== 0n) return { misaligned: bits };
  return { bytes: bits / 8n };
}

function shapeText(t: SafetensorsTensor): string {
  return `${t.dtype} [${t.shape.join(', ')}] data_offsets [${t.start}, ${t.end}]`;
}

/**
 * The checks of the reference `Metadata::validate` and `read_metadata`, each reported on its own:
 * tensors sorted by offsets must tile the data section exactly (no gap, no overlap, nothing after),
 * and each byte range must match dtype × shape.
 */
export function checkLayout(h: SafetensorsHeader, fact: (f: SafetensorsFact) => void, maxHoles = 16): void {
  const data = BigInt(h.dataLength);
  const sorted = [...h.tensors].sort((a, b) =>
    a.start < b.start ? -1 : a.start > b.start ? 1 : a.end < b.end ? -1 : a.end > b.end ? 1 : 0,
  );
  let covered = 0n;
  let last: SafetensorsTensor | undefined;
  const hole = (kind: 'gap' | 'trailing', from: bigint, to: bigint): void => {
    if (h.holes.length >= maxHoles || from >= data) return;
    const end = to > data ? data : to;
    h.holes.push({ kind, offset: h.dataStart + Number(from), length: Number(end - from) });
  };
  for (const t of sorted) {
    const where = { offset: t.at, evidence: shapeText(t) };
    if (t.end < t.start) {
      fact({ kind: 'offset-out-of-range', detail: `tensor '${t.name}' ends before it starts`, ...where });
      continue;
    }
    if (t.end > data)
      fact({
        kind: 'offset-out-of-range',
        detail: `tensor '${t.name}' ends at data offset ${fmtInt(t.end)}, past the ${fmtInt(data)}-byte data section (an out-of-bounds read for loaders that trust the header)`,
        ...where,
      });
    if (t.start < covered && last !== undefined)
      fact({
        kind: 'overlap',
        detail: `tensor '${t.name}' (bytes ${fmtInt(t.start)}–${fmtInt(t.end)}) overlaps '${last.name}' (ending at ${fmtInt(covered)}): two tensors alias the same bytes`,
        ...where,
      });
    else if (t.start > covered) {
      fact({
        kind: 'gap',
        detail: `${fmtInt(t.start - covered)} bytes between data offset ${fmtInt(covered)} and tensor '${t.name}' belong to no tensor (the reference loader refuses the file; the bytes can hide a payload)`,
        ...where,
      });
      hole('gap', covered, t.start);
    }
    const size = tensorBytes(t);
    if ('overflow' in size)
      fact({ kind: 'shape-overflow', detail: `tensor '${t.name}': ${size.overflow}`, ...where });
    else if ('misaligned' in size)
      fact({
        kind: 'size-mismatch',
        detail: `tensor '${t.name}': ${fmtInt(size.misaligned)} bits of ${t.dtype} are not a whole number of bytes`,
        ...where,
      });
    else if (size.bytes !== t.end - t.start)
      fact({
        kind: 'size-mismatch',
        detail: `tensor '${t.name}': ${t.dtype} × [${t.shape.join(', ')}] is ${fmtInt(size.bytes)} bytes but data_offsets span ${fmtInt(t.end - t.start)}`,
        ...where,
      });
    if (t.end > covered) {
      covered = t.end;
      last = t;
    }
  }
  if (covered < data) {
    fact({
      kind: 'trailing-data',
      detail: `${fmtInt(data - covered)} bytes after the last tensor (data offset ${fmtInt(covered)}) belong to no tensor: the reference loader refuses the file, others ignore the bytes`,
      offset: h.dataStart + Number(covered),
    });
    hole('trailing', covered, data);
  }
}
