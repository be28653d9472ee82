/**
 * A framework profile: the exact (module, name) pairs a framework's own serializer emits. A table maps a
 * module path to its allowed names, written as one space-separated string (names may be dotted for nested
 * classes). Matching is exact: an allowlisted class never launders an attribute walk below it
 * (`Linear.register_forward_hook` is not `Linear`).
 */
export type NameTable = Readonly<Record<string, string>>;

export interface Profile {
  /** Stable id, used in policy files (`profiles: ["torch", …]`) and in safe verdicts. */
  readonly id: string;
  readonly description: string;
  /** module → space-separated names. */
  readonly table: NameTable;
}

/** Splits a table into module → Set(names). */
export function tableEntries(table: NameTable): Array<[string, string[]]> {
  return Object.entries(table).map(([module, names]) => [module, names.split(/\s+/).filter((n) => n !== '')]);
}
