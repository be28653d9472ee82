import type { DangerFamily } from '../policy.js';

/**
 * One family's part of the danger catalogue. Keys are space-separated targets sharing one reason:
 * - `module` — the module, every submodule and every attribute reached from it (`asyncio` covers
 *   `asyncio.unix_events._UnixSubprocessTransport._start`);
 * - `module:name` — that attribute and anything below it (`trace:Trace.run` covers `Trace.run.__call__`);
 * - `module:Name.*` — any attribute strictly below `Name` (`pathlib:Path.*` covers `Path.write_text`).
 */
export type FamilyTable = Readonly<Record<string, string>>;

export interface Danger {
  readonly family: DangerFamily;
  readonly reason: string;
}

export interface FamilyCatalogue {
  readonly family: DangerFamily;
  readonly table: FamilyTable;
}
