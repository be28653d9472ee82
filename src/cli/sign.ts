import type { Command } from 'commander';

/** `modelguard sign` — not built yet (issue 4). */
export function registerSign(_program: Command, _setExit: (code: number) => void): void {}
