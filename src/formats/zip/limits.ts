/** Named limits of the zip reader; each comment names the attack it stops. */
export const ZIP_LIMITS = {
  /** EOCD search window: the record (22 bytes) plus the longest comment (65,535). Bounds the backwards scan. CWE-400. */
  eocdSearchBytes: 22 + 0xffff,
  /** Facts and anomalies recorded per archive before further ones are dropped. Stops finding floods. CWE-400. */
  maxAnomalies: 1_000,
  /** Compressed bytes inflated to produce a bounded prefix of a bomb or a sniff. Deflate expands at most ~1032:1. CWE-409. */
  prefixInputBytes: 1_024,
  /** Ratio checks apply only above this many inflated bytes: tiny members compress absurdly well. CWE-409. */
  ratioFloorBytes: 1 << 20,
} as const;

/** Size of the fixed parts of the zip records. */
export const ZIP_RECORD = {
  eocd: 22,
  zip64Locator: 20,
  zip64Eocd: 56,
  central: 46,
  local: 30,
} as const;

export const ZIP_SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  eocd: 0x06054b50,
  zip64Eocd: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;
