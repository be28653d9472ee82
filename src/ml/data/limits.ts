/** Named limits of the dataset loaders; each comment names what it stops. */
export const DATA_LIMITS = {
  /** Bytes of an `.npz` file. Stops a huge file from being mapped into memory. CWE-400. */
  maxFileBytes: 8 * 2 ** 30,
  /** Bytes one `.npz` member may inflate to (also capped at 1000:1 by ratio). Stops zip bombs. CWE-409. */
  maxArrayBytes: 4 * 2 ** 30,
  /** Central directory records read from an `.npz`. CWE-400. */
  maxNpzEntries: 1_000,
  /** Samples in one dataset. CWE-400. */
  maxSamples: 10_000_000,
  /** float32 values in `x`, all samples together (4 GiB). CWE-789. */
  maxElements: 2 ** 30,
  /** Dimensions of `x`. */
  maxDims: 8,
  /** Image files in one folder dataset. CWE-400. */
  maxImages: 1_000_000,
  /** Bytes of one image file. CWE-400. */
  maxImageFileBytes: 64 * 2 ** 20,
  /** Bytes of all image files together. CWE-400. */
  maxTotalImageBytes: 16 * 2 ** 30,
  /** Pixels of one decoded image (checked from the header before decoding). Decompression bombs, CWE-409. */
  maxImagePixels: 50_000_000,
  /** Class subfolders of an image folder. */
  maxClasses: 100_000,
} as const;
