/**
 * Why an archive member name would escape the extraction folder (zip slip, CWE-22), or undefined when
 * it stays inside: absolute paths, Windows drive letters and UNC prefixes, `..` segments. Shared by the
 * zip and tar readers.
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
