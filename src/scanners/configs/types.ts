import type { RuleMeta } from '../../core/rule.js';
import type { FindingInput } from '../types.js';

/** A finding of a config or code analyzer, before it is reported on a file or archive member. */
export interface Issue extends FindingInput {
  readonly rule: RuleMeta;
}

/** Limits of the config analyzers; each bounds something a hostile config controls. */
export interface ConfigLimits {
  /** Bytes of a YAML/JSON config read and parsed. CWE-400. */
  maxConfigBytes: number;
  /**
   * Nodes a YAML document expands to with its aliases substituted (billion laughs: loaders that copy
   * aliased values, OmegaConf included, build them all). Computed here in linear time: the yaml
   * package's own toJS maxAliasCount check re-walks the document per alias (a 416 KB file took 127 s).
   * CWE-776/CWE-400.
   */
  maxAliasExpansion: number;
  /** Flow-collection nesting accepted before parsing (the YAML parser recurses). CWE-674. */
  maxNesting: number;
  /** YAML nodes visited. CWE-400. */
  maxNodes: number;
  /** Findings of one rule listed per file. CWE-400. */
  maxIssuesPerRule: number;
}

export const CONFIG_LIMITS: ConfigLimits = {
  maxConfigBytes: 8 << 20,
  maxAliasExpansion: 1_000_000,
  maxNesting: 512,
  maxNodes: 2_000_000,
  maxIssuesPerRule: 25,
};
