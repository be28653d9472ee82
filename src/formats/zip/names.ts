/** Byte-wise equality of name `a` and the bytes of `b` from `bAt` (to its end when bAt is 0). */
export function sameBytes(a: Uint8Array, b: Uint8Array, bAt = 0): boolean {
  if (bAt === 0 ? a.length !== b.length : bAt + a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[bAt + i]) return false;
  return true;
}
