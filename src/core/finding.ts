import type { Severity } from './severity.js';

/** Where a finding sits: the file on disk, the member inside an archive, a byte offset. */
export interface Location {
  /** The file on disk as the user named it, or as found under the directory they named. */
  path: string;
  /** Member inside an archive; nested archives are joined with `!/` (`outer.zip!/inner.tar!/data.pkl`). */
  member?: string;
  /** Byte offset inside the innermost member (or the file). */
  offset?: number;
  /** 1-based line inside the innermost member (or the file), for text such as Python code. */
  line?: number;
}

/** The one finding type shared by every scanner. */
export interface Finding {
  /** `<format>/<rule>`, e.g. `pickle/dangerous-call`. */
  ruleId: string;
  severity: Severity;
  message: string;
  location: Location;
  /** What was seen, readable: a call trace, a header excerpt. */
  evidence?: string;
  /** CWE ids, e.g. `CWE-502`. */
  cwe: string[];
  /** MITRE ATLAS technique ids, e.g. `AML.T0011.000`. */
  atlas: string[];
  /** OWASP ML / LLM Top 10 ids, e.g. `ML06:2023`. */
  owasp: string[];
}
