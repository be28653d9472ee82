/** Checks on member names shared by the zip and tar readers. */

/**
 * Why a member name would escape the extraction folder (zip slip, CWE-22), or undefined when it
 * stays inside: absolute paths, Windows drive letters and UNC prefixes, `..` segments.
 */
export function traversalReason(name: string): string | undefined {
  if (name.startsWith('/') || name.startsWith('\\')) return 'absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'drive-letter path';
  // Fast path (no split per name): a '..' segment needs the substring '..'.
  if (!name.includes('..')) return undefined;
  const parts = name.split(/[\\/]/);
  if (parts.includes('..')) return "'..' path segment";
  return undefined;
}

/** Byte-wise equality of name `a` and the bytes of `b` from `bAt` (to its end when bAt is 0). */
export function sameBytes(a: Uint8Array, b: Uint8Array, bAt = 0): boolean {
  if (bAt === 0 ? a.length !== b.length : bAt + a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[bAt + i]) return false;
  return true;
}
