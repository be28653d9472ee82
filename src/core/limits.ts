/**
 * Named limits of a scan. Each bounds one resource an attacker controls; exceeding one yields a
 * finding that names it, never a crash. Defaults suit real checkpoints with room to spare.
 */
export interface ScanLimits {
  /** Archive nesting depth (zip in tar in gzip …). Stops recursion bombs. CWE-674/CWE-409. */
  maxDepth: number;
  /** Entries read from one archive. Stops central directories with millions of records. CWE-400. */
  maxEntries: number;
  /** Bytes one member or stream may inflate to. Stops zip/gzip bombs. CWE-409. */
  maxInflatedBytes: number;
  /** Bytes inflated across a whole top-level file, all members together. CWE-409. */
  maxTotalInflatedBytes: number;
  /** Compression ratio above which a member is reported as a bomb. CWE-409. */
  maxCompressionRatio: number;
  /** Bytes of one pickle stream analysed. CWE-400. */
  maxPickleBytes: number;
  /** Opcodes executed symbolically in one pickle stream. CWE-400/CWE-834. */
  maxPickleOps: number;
  /** Depth of the symbolic stack and of MARK nesting. CWE-674. */
  maxStackDepth: number;
  /** Memo entries. CWE-789. */
  maxMemoEntries: number;
  /** Pickles read back to back from one stream (legacy torch has 5). CWE-400. */
  maxPicklesPerStream: number;
  /** Characters of one argument shown in evidence (longer values are elided). */
  maxEvidenceChars: number;
  /** Files visited under one directory. CWE-400. */
  maxFiles: number;
}

export const DEFAULT_LIMITS: ScanLimits = {
  maxDepth: 6,
  maxEntries: 100_000,
  maxInflatedBytes: 1 << 30,
  maxTotalInflatedBytes: 4 * (1 << 30),
  maxCompressionRatio: 1000,
  maxPickleBytes: 1 << 30,
  maxPickleOps: 50_000_000,
  maxStackDepth: 100_000,
  maxMemoEntries: 10_000_000,
  maxPicklesPerStream: 64,
  maxEvidenceChars: 200,
  maxFiles: 1_000_000,
};
