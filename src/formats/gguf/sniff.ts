import { startsWith } from '../../core/bytes.js';

const GGUF = [0x47, 0x47, 0x55, 0x46];
/** Actually Portable Executable shell-script headers (cosmopolitan): `MZqFpD='` and, without Windows support, `jartsr='`. */
const APE = [
  [0x4d, 0x5a, 0x71, 0x46, 0x70, 0x44, 0x3d, 0x27],
  [0x6a, 0x61, 0x72, 0x74, 0x73, 0x72, 0x3d, 0x27],
] as const;

/** True when `head` starts with the GGUF magic. */
export function isGguf(head: Uint8Array): boolean {
  return startsWith(head, GGUF);
}

/**
 * True for an APE polyglot (the shell-script header of cosmopolitan executables): the form llamafile
 * ships in, a program that carries its weights in an appended zip.
 */
export function isApe(head: Uint8Array): boolean {
  return APE.some((m) => startsWith(head, m));
}

export type ExecutableKind = 'ape' | 'elf' | 'pe' | 'mach-o';

/** The kind of native executable `head` starts like, if any. */
export function executableKind(head: Uint8Array): ExecutableKind | undefined {
  if (isApe(head)) return 'ape';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (startsWith(head, [0x4d, 0x5a])) return 'pe';
  if (
    startsWith(head, [0xcf, 0xfa, 0xed, 0xfe]) ||
    startsWith(head, [0xce, 0xfa, 0xed, 0xfe]) ||
    startsWith(head, [0xca, 0xfe, 0xba, 0xbe])
  )
    return 'mach-o';
  return undefined;
}
