import type { RuleMeta } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import type { Policy } from '../policy/policy.js';

/** Named limits of the Python analysis; each bounds something a hostile file controls. */
export interface PythonLimits {
  /** Files larger than this are token-scanned, not parsed (a 5 MB file parses in ~2 s). CWE-400. */
  maxParseBytes: number;
  /** Parse time after which the parser is cancelled and the token scan used. CWE-400/CWE-834. */
  parseBudgetMs: number;
  /** Bytes of a file read at all (the token scan of a huge file stops here). CWE-400. */
  maxReadBytes: number;
  /** Findings of one rule listed per file before the rest are summarised. CWE-400. */
  maxIssuesPerRule: number;
  /** Levels of exec('…') payloads parsed and analysed in turn. CWE-674. */
  maxExecNesting: number;
  /** Characters of a folded constant (decoded payloads included). CWE-789. */
  maxConstChars: number;
  /** Characters of a source line shown in evidence. */
  maxEvidenceChars: number;
}

export const PYTHON_LIMITS: PythonLimits = {
  maxParseBytes: 4 << 20,
  parseBudgetMs: 4000,
  maxReadBytes: 32 << 20,
  maxIssuesPerRule: 25,
  maxExecNesting: 2,
  maxConstChars: 1 << 20,
  maxEvidenceChars: 200,
};

/** One finding of the Python analysis; the caller reports it on the file (or archive) it came from. */
export interface PyIssue {
  rule: RuleMeta;
  severity: Severity;
  /** `line 12: calls os.system … — reason`. */
  message: string;
  /** `modeling_x.py:12: <source line>`. */
  evidence: string;
  /** 1-based line, when the issue has one. */
  line?: number;
  /** Byte offset of the call in the file (top-level code only). */
  offset?: number;
}

export interface PythonAnalysis {
  issues: PyIssue[];
  /** False when only the token scan ran (too large, not text, parser cancelled or unavailable). */
  parsed: boolean;
  /** Modules the file imports (absolute imports, first segment), for reports. */
  imports: string[];
}

export interface AnalyzeOptions {
  /** File name used in evidence (`modeling_x.py`, `model.mar!/handler.py`). */
  label: string;
  policy: Policy;
  limits?: Partial<PythonLimits>;
  /** Whether byte offsets point into the scanned file (false for archive members reported on their archive). */
  offsets?: boolean;
}
