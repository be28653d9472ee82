/**
 * Named limits of `modelguard bom`. Each bounds something a model's publisher controls; exceeding one
 * adds a `modelguard:warning` property to the BOM and never stops it.
 */
export interface BomLimits {
  /** Files listed as components; more are counted but not listed or hashed. CWE-400. */
  maxFiles: number;
  /** Bytes of README.md read (front matter and sections). CWE-400. */
  maxReadmeBytes: number;
  /** Characters of the README's YAML front matter parsed. CWE-400. */
  maxFrontMatterChars: number;
  /** YAML nodes converted from the front matter, aliases counted at their expanded size. CWE-776. */
  maxYamlNodes: number;
  /** Nesting of the front matter (flow collections and converted values). CWE-674. */
  maxYamlDepth: number;
  /** Bytes of config.json parsed. CWE-400. */
  maxConfigBytes: number;
  /** Datasets listed as `data` components. CWE-400. */
  maxDatasets: number;
  /** Performance metrics taken from `model-index`. CWE-400. */
  maxMetrics: number;
  /** Characters kept of one text value (a card section, a finding's evidence). */
  maxTextChars: number;
}

export const BOM_LIMITS: BomLimits = {
  maxFiles: 10_000,
  maxReadmeBytes: 1 << 20,
  maxFrontMatterChars: 256 * 1024,
  maxYamlNodes: 50_000,
  maxYamlDepth: 64,
  maxConfigBytes: 1 << 20,
  maxDatasets: 100,
  maxMetrics: 500,
  maxTextChars: 4_000,
};
