/** Named limits of the poisoning detectors. */
export const POISON_LIMITS = {
  /** Activation features per sample (the d×d eigen-decompositions are O(d³)); pick an earlier layer above. */
  maxFeatures: 1024,
  /** Samples per labelled class below which a class is not examined. */
  minClassSize: 10,
  /** Samples per class used for the O(n²) silhouette (a seeded subsample above). */
  maxSilhouetteSamples: 2000,
  /** k-means: restarts and Lloyd iterations. */
  kmeansRestarts: 10,
  kmeansIterations: 300,
} as const;
