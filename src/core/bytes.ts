const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: false });
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export function asciiOf(b: Uint8Array): string {
  return latin1.decode(b);
}
export function utf8Of(b: Uint8Array): string {
  return utf8.decode(b);
}
/** Decodes strict UTF-8, or returns undefined when the bytes are not valid UTF-8. */
export function utf8Strictly(b: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(b);
  } catch {
    return undefined;
  }
}
export function startsWith(b: Uint8Array, prefix: readonly number[] | Uint8Array, at = 0): boolean {
  if (at + prefix.length > b.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}
export function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
export function hexOf(b: Uint8Array, max = 32): string {
  const n = Math.min(b.length, max);
  let s = '';
  for (let i = 0; i < n; i++) s += (b[i] as number).toString(16).padStart(2, '0');
  return b.length > max ? `${s}…` : s;
}
