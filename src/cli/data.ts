import type { Command } from 'commander';

/** `modelguard data` — being built (issue 6). */
export function registerData(_program: Command, _setExit: (code: number) => void): void {}
