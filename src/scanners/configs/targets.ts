import type { Severity } from '../../core/severity.js';
import { CATALOGUE } from '../policy/dangers/index.js';
import type { DangerFamily, Policy } from '../policy/policy.js';
import { classifySource } from '../remote-code/judge.js';

/**
 * Dotted callables named by data (Hydra `_target_`, YAML `!!python/...` tags, MLflow `loader_module`),
 * judged with the policy's danger catalogue: every module/name split of the path is classified, as
 * Hydra's `_locate` imports the longest importable prefix and walks attributes for the rest.
 */
export type TargetVerdict =
  | { kind: 'dangerous'; severity: Severity; family: DangerFamily; reason: string }
  | { kind: 'known'; why: string }
  | { kind: 'unknown' }
  | { kind: 'invalid'; why: string };

/** Frameworks whose classes model configs legitimately instantiate (after the danger catalogue). */
export const KNOWN_TARGET_PREFIXES = [
  'nemo.collections.',
  'nemo.core.',
  'nemo.lightning.',
  'megatron.core.',
  'torch.nn.',
  'torch.optim.',
  'torch.utils.data.',
  'torchvision.transforms.',
  'torchaudio.transforms.',
  'pytorch_lightning.',
  'lightning.pytorch.',
  'omegaconf.',
  'transformers.',
] as const;

/** Families that run code outright when a config calls them: critical. The rest (getattr-like) are high. */
const CRITICAL_FAMILIES = new Set<DangerFamily>([
  'code-execution',
  'process',
  'network',
  'native-code',
  'nested-loader',
  'package-install',
  'code-object',
  'scanner-evasion',
]);

const DOTTED = /^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*$/;
const MAX_SEGMENTS = 32;

export function judgeTarget(path: string, policy: Policy): TargetVerdict {
  const target = path.trim();
  if (!DOTTED.test(target)) return { kind: 'invalid', why: 'not a dotted Python path' };
  const segs = target.split('.');
  if (segs.length > MAX_SEGMENTS) return { kind: 'invalid', why: `${segs.length} segments` };
  let safe: string | undefined;
  const splits: Array<[string, string]> = [];
  for (let i = 1; i < segs.length; i++) splits.push([segs.slice(0, i).join('.'), segs.slice(i).join('.')]);
  for (const [module, name] of splits) {
    const v = classifySource(policy, module, name);
    if (v.kind === 'dangerous') {
      return {
        kind: 'dangerous',
        severity: CRITICAL_FAMILIES.has(v.family) ? 'critical' : 'high',
        family: v.family,
        reason: v.reason,
      };
    }
    if (v.kind === 'safe') safe ??= `allowlisted by the ${v.profile} profile`;
  }
  // A module path (MLflow loader_module, !!python/module:) is dangerous when the catalogue names it or a parent.
  for (let i = segs.length; i >= 1; i--) {
    const d = CATALOGUE.modules.get(segs.slice(0, i).join('.'));
    if (d !== undefined)
      return {
        kind: 'dangerous',
        severity: CRITICAL_FAMILIES.has(d.family) ? 'critical' : 'high',
        family: d.family,
        reason: d.reason,
      };
  }
  if (safe !== undefined) return { kind: 'known', why: safe };
  const prefix = KNOWN_TARGET_PREFIXES.find((p) => target.startsWith(p));
  if (prefix !== undefined) return { kind: 'known', why: `${prefix}* framework class` };
  return { kind: 'unknown' };
}
