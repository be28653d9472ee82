import type { Command } from 'commander';

/** `modelguard attack` — being built (issue 5). */
export function registerAttack(_program: Command, _setExit: (code: number) => void): void {}
