/** Named bounds of the hashing engine. */
export const HASHING_LIMITS = {
  /** Directory entries (files and folders) walked in one model: a tree of millions of empty files or
   * folders would otherwise take unbounded time and memory (CWE-400). */
  maxEntries: 1_000_000,
  /** Folder nesting below the model root (CWE-674: deep trees, hostile archives unpacked to disk). */
  maxDepth: 256,
  /** Resources (files, or shards of files) in one manifest: a tiny shard size over a big file would
   * otherwise allocate billions of ranges (CWE-789). The OMS layer accepts as many in a predicate. */
  maxResources: 1_000_000,
} as const;

export type HashingLimits = { readonly [K in keyof typeof HASHING_LIMITS]: number };

/** Bytes read per `read` call and the size of each hashing thread's one buffer (1 MiB, as the Python reference reads; it stays in a core's L2 cache between the read and the hash). */
export const READ_CHUNK = 1024 * 1024;

/** Below this many bytes in total, ranges are hashed on the calling thread (no worker start-up cost). */
export const INLINE_BYTES = 8 * 1024 * 1024;

/** OMS default shard size (bytes), as the Python reference. */
export const DEFAULT_SHARD_SIZE = 1_000_000_000;
