/** What makes a file in a model folder an executable or a script (by content first, then by name). */
export interface ExecutableKind {
  /** `ELF executable or shared library`, `shell script (#!/bin/bash)` … */
  what: string;
  /** A Python script by shebang: analysed as Python (and not an executable when named .py). */
  python?: boolean;
}

/** Bytes of the head needed to decide. */
export const EXECUTABLE_HEAD_BYTES = 512;

const NAMED: readonly (readonly [RegExp, string])[] = [
  [/\.(sh|bash|zsh|ksh|csh|fish)$/i, 'shell script'],
  [/\.(bat|cmd)$/i, 'Windows batch script'],
  [/\.(ps1|psm1)$/i, 'PowerShell script'],
  [/\.(vbs|vbe|jse|wsf|hta)$/i, 'Windows script host file'],
  [/\.(exe|dll|scr|com|msi|sys)$/i, 'Windows executable'],
  [/\.(so|dylib)(\.\d+)*$/i, 'shared library'],
  [/\.(pyc|pyo)$/i, 'compiled Python bytecode (cannot be reviewed; importable in place of the .py)'],
  [/\.pyd$/i, 'Python native extension'],
  [/\.(jar|class)$/i, 'Java bytecode'],
  [/\.(appimage|run|elf)$/i, 'executable'],
];

function u32be(b: Uint8Array, at: number): number {
  return (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0;
}

function isPe(head: Uint8Array): boolean | undefined {
  if (head.length < 0x40) return false; // too short for a DOS/PE header
  const lfanew =
    (head[0x3c] ?? 0) | ((head[0x3d] ?? 0) << 8) | ((head[0x3e] ?? 0) << 16) | ((head[0x3f] ?? 0) << 24);
  if (lfanew < 0x40 || lfanew > 0x10000) return false; // text that happens to start with "MZ"
  if (lfanew + 4 > head.length) return undefined;
  return (
    head[lfanew] === 0x50 && head[lfanew + 1] === 0x45 && head[lfanew + 2] === 0 && head[lfanew + 3] === 0
  );
}

const MACHO = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);

/** The executable kind of a file, from the formats the engine recognised, its head and its name. */
export function executableKind(
  rel: string,
  formats: readonly string[],
  head: Uint8Array,
): ExecutableKind | undefined {
  if (formats.includes('elf')) return { what: 'ELF executable or shared library' };
  if (formats.includes('mach-o') || MACHO.has(u32be(head, 0)))
    return { what: 'Mach-O executable or library' };
  if (formats.includes('pe') || (head[0] === 0x4d && head[1] === 0x5a)) {
    const pe = isPe(head);
    if (pe !== false)
      return { what: pe === true ? 'Windows PE executable or DLL' : 'DOS/Windows MZ executable' };
  }
  const base = rel.replace(/\\/g, '/').split('/').pop() ?? rel;
  if (u32be(head, 0) === 0xcafebabe && !base.endsWith('.class')) return { what: 'Mach-O universal binary' };
  if (head[0] === 0x23 && head[1] === 0x21) {
    const nl = head.indexOf(0x0a);
    const line = new TextDecoder('latin1')
      .decode(head.subarray(0, nl < 0 ? Math.min(head.length, 200) : nl))
      .trim();
    if (/python/i.test(line)) return { what: `Python script (${line})`, python: true };
    return { what: `script (${line.length > 80 ? `${line.slice(0, 80)}…` : line})` };
  }
  for (const [re, what] of NAMED) if (re.test(base)) return { what };
  return undefined;
}
