import { MalformedError } from '../../core/errors.js';

/** FlexBuffers type codes used here (flatbuffers/flexbuffers.h). */
const T = { string: 5, map: 9, vector: 10, blob: 25 } as const;

/** A value inside a FlexBuffer: where its data sits, its width, its parent's width and its type. */
interface Ref {
  at: number;
  parentWidth: number;
  width: number;
  type: number;
}

function uint(b: Uint8Array, at: number, width: number): number {
  if (at < 0 || at + width > b.length)
    throw new MalformedError(`flexbuffer: ${width}-byte value at ${at} outside ${b.length} bytes`, at);
  let v = 0;
  for (let i = width - 1; i >= 0; i--) v = v * 256 + (b[at + i] as number);
  return v;
}

function refOf(at: number, parentWidth: number, packed: number): Ref {
  return { at, parentWidth, width: 1 << (packed & 3), type: packed >> 2 };
}

/** Follows the offset stored at a reference (offsets point backwards in FlexBuffers). */
function indirect(b: Uint8Array, r: Ref): number {
  const target = r.at - uint(b, r.at, r.parentWidth);
  if (target < 0 || target > b.length)
    throw new MalformedError(`flexbuffer: offset at ${r.at} leaves the buffer`, r.at);
  return target;
}

/** The bytes of a STRING or BLOB reference. */
function bytesOf(b: Uint8Array, r: Ref): Uint8Array {
  if (r.type !== T.string && r.type !== T.blob)
    throw new MalformedError(`flexbuffer: expected a string or blob, found type ${r.type}`, r.at);
  const data = indirect(b, r);
  const len = uint(b, data - r.width, r.width);
  if (data + len > b.length)
    throw new MalformedError(`flexbuffer: string at ${data} runs past the buffer`, data);
  return b.subarray(data, data + len);
}

/**
 * Decodes the custom options of a TFLite Flex operator: a FlexBuffer vector `[op name, NodeDef bytes]`
 * (tensorflow/lite/delegates/flex/kernel.cc reads exactly these two elements and runs the NodeDef).
 * Returns the two byte strings; throws MalformedError when the buffer is not shaped that way.
 */
export function decodeFlexOptions(b: Uint8Array): { name: Uint8Array; nodeDef: Uint8Array } {
  if (b.length < 3) throw new MalformedError('flexbuffer: shorter than its root', 0);
  const rootWidth = b[b.length - 1] as number;
  const packed = b[b.length - 2] as number;
  if (rootWidth !== 1 && rootWidth !== 2 && rootWidth !== 4 && rootWidth !== 8)
    throw new MalformedError(`flexbuffer: root width ${rootWidth}`, b.length - 1);
  const root = refOf(b.length - 2 - rootWidth, rootWidth, packed);
  if (root.type !== T.vector && root.type !== T.map)
    throw new MalformedError(`flexbuffer: root is type ${root.type}, not a vector`, root.at);
  const data = indirect(b, root);
  const size = uint(b, data - root.width, root.width);
  if (size < 2) throw new MalformedError(`flexbuffer: vector of ${size} elements, expected 2`, data);
  const types = data + size * root.width;
  if (types + size > b.length) throw new MalformedError('flexbuffer: vector runs past the buffer', data);
  const elem = (i: number) => refOf(data + i * root.width, root.width, b[types + i] as number);
  return { name: bytesOf(b, elem(0)), nodeDef: bytesOf(b, elem(1)) };
}
