import type { Command } from 'commander';

/** `modelguard verify` — not built yet (issue 4). */
export function registerVerify(_program: Command, _setExit: (code: number) => void): void {}
