/** `modelguard attack` flags: the choices, the defaults, and parsing every flag into checked values. */
import type { AttackName, Norm } from '../../attacks/types.js';
import { UsageError } from '../errors.js';

export const ATTACK_FORMATS = ['text', 'json', 'html'] as const;
export type AttackFormat = (typeof ATTACK_FORMATS)[number];
export const ATTACK_CHOICES = [
  'fgsm',
  'bim',
  'pgd',
  'apgd-ce',
  'apgd-t',
  'square',
  'hsj',
  'autoattack',
] as const;
/** AutoAttack standard (fra31/auto-attack): each on the points still robust after the ones before it. */
export const AUTOATTACK_STANDARD: readonly AttackName[] = ['apgd-ce', 'apgd-t', 'fab-t', 'square'];
/** What runs instead of white-box attacks when the model has no input gradients. */
export const BLACK_BOX_FALLBACK: AttackName = 'square';
/** Default ε per norm: the CIFAR-10 conventions (8/255 L∞, 0.5 L2) on inputs in [0, 1]. */
export const DEFAULT_EPS: Record<Norm, number> = { linf: 8 / 255, l2: 0.5 };
export const DEFAULT_BATCH = 64;
/** onnxruntime-node's execution providers (`--execution-provider`); which ones work depends on the install. */
export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'tensorrt', 'dml', 'coreml', 'webgpu', 'qnn'] as const;

export interface AttackFlags {
  data?: string;
  attack: string;
  preset?: string;
  norm: string;
  eps?: string;
  steps?: string;
  stepSize?: string;
  randomStart?: boolean;
  restarts?: string;
  queries?: string;
  seed: string;
  limit?: string;
  batchSize?: string;
  profile?: string;
  threads?: string;
  executionProvider?: string;
  saveAdversarial?: string;
  format: AttackFormat;
  output?: string;
  progress: boolean;
  failUnder?: string;
  color?: boolean;
}

export function parseIntFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(Number(v)) || Number(v) < min)
    throw new UsageError(`${flag} must be an integer ≥ ${min}; got "${v}"`);
  return Number(v);
}

export function parsePositive(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a number > 0; got "${v}"`);
  return n;
}

export function parseEps(v: string | undefined, norm: Norm): number[] {
  if (v === undefined) return [DEFAULT_EPS[norm]];
  const list = v.split(',').map((s) => s.trim());
  const out = list.map((s) => {
    const n = Number(s);
    if (s === '' || !Number.isFinite(n) || n <= 0)
      throw new UsageError(`--eps must be numbers > 0; got "${s}"`);
    return n;
  });
  return [...new Set(out)].sort((a, b) => a - b);
}

export function parseFailUnder(v: string | undefined): number | null {
  if (v === undefined) return null;
  const pct = v.trim().endsWith('%');
  const n = Number(pct ? v.trim().slice(0, -1) : v);
  const value = pct ? n / 100 : n;
  if (v.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1)
    throw new UsageError(`--fail-under must be an accuracy in [0, 1] or a percentage; got "${v}"`);
  return value;
}

/** `cuda,cpu` → `['cuda', 'cpu']`: known names, none twice, in order of preference. */
export function parseExecutionProviders(v: string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => s.trim().toLowerCase());
  for (const p of list) {
    if (!(EXECUTION_PROVIDERS as readonly string[]).includes(p))
      throw new UsageError(
        `--execution-provider must list ${EXECUTION_PROVIDERS.join(', ')} (comma-separated); got "${v}"`,
      );
  }
  if (new Set(list).size !== list.length)
    throw new UsageError(`--execution-provider names a provider twice: "${v}"`);
  return list;
}

/** How the model backend runs (`--threads`, `--execution-provider`); only the flags given. */
export interface BackendOptions {
  readonly threads?: number;
  readonly executionProviders?: readonly string[];
}

export function parseBackendOptions(flags: { threads?: string; executionProvider?: string }): BackendOptions {
  const threads = parseIntFlag(flags.threads, '--threads', 1);
  const executionProviders = parseExecutionProviders(flags.executionProvider);
  return {
    ...(threads === undefined ? {} : { threads }),
    ...(executionProviders === undefined ? {} : { executionProviders }),
  };
}

export interface Plan {
  readonly names: AttackName[];
  readonly preset: 'autoattack' | null;
}

/** `--attack` / `--preset` → the attacks to run, in order. */
export function plan(flags: Pick<AttackFlags, 'attack' | 'preset'>): Plan {
  const names = flags.attack.split(',').map((s) => s.trim());
  for (const n of names)
    if (!(ATTACK_CHOICES as readonly string[]).includes(n))
      throw new UsageError(`--attack must be one of ${ATTACK_CHOICES.join(', ')}; got "${n}"`);
  if (flags.preset === 'autoattack' || names.includes('autoattack')) {
    if (names.some((n) => n !== 'autoattack') && flags.attack !== 'pgd')
      throw new UsageError('--preset autoattack runs its own attacks; leave out --attack');
    return { names: [...AUTOATTACK_STANDARD], preset: 'autoattack' };
  }
  return { names: [...new Set(names)] as AttackName[], preset: null };
}
