import { fmtInt } from '../../core/format-number.js';
import type { Policy } from '../policy/policy.js';
import { analyzePython, PYTHON_LIMITS, type PythonLimits } from '../remote-code/analyze.js';
import { scanMlmodel } from './mlmodel.js';
import { CONFIG_RULES as R } from './rules.js';
import { type ManifestInfo, scanTorchserveManifest } from './torchserve.js';
import { CONFIG_LIMITS, type ConfigLimits, type Issue } from './types.js';
import { scanYamlConfig } from './yaml-config.js';

/** Files that carry code or name code to run, recognised by name (content cannot tell a .py from text). */
export type CarrierKind = 'python' | 'yaml' | 'mlmodel' | 'torchserve-manifest';

export function carrierKind(path: string): CarrierKind | undefined {
  const norm = path.replace(/\\/g, '/');
  const base = norm.slice(norm.lastIndexOf('/') + 1);
  if (base.endsWith('.py')) return 'python';
  if (base === 'MLmodel') return 'mlmodel';
  if (base === 'MANIFEST.json' && /(^|\/)MAR-INF\/MANIFEST\.json$/.test(norm)) return 'torchserve-manifest';
  if (/\.ya?ml$/i.test(base)) return 'yaml';
  return undefined;
}

/** Format names noted for an artifact that holds a carrier (the report's `format` list). */
export function carrierFormat(path: string): string | undefined {
  const norm = path.replace(/\\/g, '/');
  const base = norm.slice(norm.lastIndexOf('/') + 1);
  if (base === 'MANIFEST.json' && carrierKind(norm) === 'torchserve-manifest') return 'torchserve-mar';
  if (base === 'MLmodel') return 'mlflow';
  if (base === 'model_config.yaml') return 'nemo';
  return undefined;
}

export interface CarrierOptions {
  policy: Policy;
  maxEvidenceChars: number;
  /** Whether byte offsets point into the file (false for archive members). */
  offsets: boolean;
  pythonLimits?: Partial<PythonLimits>;
  configLimits?: ConfigLimits;
}

export interface CarrierResult {
  issues: Issue[];
  manifest?: ManifestInfo;
  /** Absolute imports of a Python file (first segments). */
  imports?: string[];
}

/** Bytes of a carrier worth reading (`size` is the full size; Python huge files are token-scanned from their head). */
export function carrierReadBytes(kind: CarrierKind, size: number, options?: Partial<CarrierOptions>): number {
  const cap =
    kind === 'python'
      ? (options?.pythonLimits?.maxReadBytes ?? PYTHON_LIMITS.maxReadBytes)
      : (options?.configLimits ?? CONFIG_LIMITS).maxConfigBytes;
  return Math.min(size, cap);
}

/** Analyses one carrier. `size` is the full size when `bytes` is only its head. Never throws for bad input. */
export async function analyzeCarrier(
  kind: CarrierKind,
  label: string,
  bytes: Uint8Array,
  size: number,
  options: CarrierOptions,
): Promise<CarrierResult> {
  const limits = options.configLimits ?? CONFIG_LIMITS;
  if (kind === 'python') {
    const r = await analyzePython(bytes, {
      label,
      policy: options.policy,
      offsets: options.offsets,
      limits: { maxEvidenceChars: options.maxEvidenceChars, ...options.pythonLimits },
    });
    return { issues: r.issues, imports: r.imports };
  }
  if (size > limits.maxConfigBytes) {
    return {
      issues: [
        {
          rule: R['configs/malformed'],
          message: `${label}: ${fmtInt(size)} bytes, over the ${fmtInt(limits.maxConfigBytes)}-byte config limit (maxConfigBytes): not inspected`,
          evidence: label,
        },
      ],
    };
  }
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  switch (kind) {
    case 'yaml':
      return { issues: scanYamlConfig(text, { label, policy: options.policy, limits }) };
    case 'mlmodel':
      return { issues: scanMlmodel(text, { label, policy: options.policy, limits }) };
    case 'torchserve-manifest': {
      const r = scanTorchserveManifest(text, label);
      return { issues: r.issues, manifest: r.info };
    }
  }
}
