import type { Command } from 'commander';

/** `modelguard audit` — not built yet (issue 4). */
export function registerAudit(_program: Command, _setExit: (code: number) => void): void {}
