import type { Command } from 'commander';

/** `modelguard grad` — being built (issue 5). */
export function registerGrad(_program: Command, _setExit: (code: number) => void): void {}
