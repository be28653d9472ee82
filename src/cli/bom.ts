import type { Command } from 'commander';

/** `modelguard bom` — not built yet (issue 4). */
export function registerBom(_program: Command, _setExit: (code: number) => void): void {}
