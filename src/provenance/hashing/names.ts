/**
 * Canonical order of resource names: Unicode code-point order, which is the byte order of their UTF-8
 * encodings (OMS spec §5.2.1; the Go verifier requires it). JS's default string comparison uses UTF-16
 * code units, which disagrees for astral characters (surrogates 0xD800–0xDFFF) against 0xE000–0xFFFF.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitKey(x) - unitKey(y);
  }
  return a.length - b.length;
}

/** Maps a UTF-16 unit so that surrogates (astral code points) sort above 0xE000–0xFFFF. */
function unitKey(u: number): number {
  if (u >= 0xe000) return u - 0x800;
  if (u >= 0xd800) return u + 0x2000;
  return u;
}
