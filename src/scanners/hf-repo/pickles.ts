import type { Severity } from '../../core/severity.js';
import type { RepoFile } from '../types.js';

/** Formats that torch.load / pickle.load / joblib.load read (code runs on load). */
export const PICKLE_FORMATS = new Set(['pickle', 'pytorch-zip', 'pytorch-legacy', 'pytorch-tar', 'joblib']);

/** Hugging Face Trainer state: optimizer/scheduler/scaler/RNG/arguments, or anything in a checkpoint-N folder. */
const TRAINER_FILE =
  /(^|\/)(optimizer|scheduler|scaler|rng_state(_\d+)?|training_args|trainer_state)\.(pt|pth|bin)$/;
const CHECKPOINT_DIR = /(^|\/)checkpoint-\d+\//;

export interface PickleNote {
  file: RepoFile;
  severity: Severity;
  message: string;
}

function posix(rel: string): string {
  return rel.replace(/\\/g, '/');
}

export function isSafetensors(f: RepoFile): boolean {
  return f.format.includes('safetensors') || /\.safetensors$/i.test(f.rel);
}

/**
 * T67: a repository that ships safetensors and pickles. The note goes on each pickle (the risk); Trainer
 * state is `info` (not needed for inference), other pickles (weights) `low`.
 */
export function picklesAlongsideSafetensors(files: readonly RepoFile[]): PickleNote[] {
  const safetensors = files.filter(isSafetensors);
  if (safetensors.length === 0) return [];
  const first = safetensors[0] === undefined ? '' : posix(safetensors[0].rel);
  const st = `${first}${safetensors.length > 1 ? ` and ${safetensors.length - 1} other safetensors file${safetensors.length > 2 ? 's' : ''}` : ''}`;
  const out: PickleNote[] = [];
  for (const f of files) {
    if (isSafetensors(f) || !f.format.some((x) => PICKLE_FORMATS.has(x))) continue;
    const rel = posix(f.rel);
    const kind = f.format.find((x) => PICKLE_FORMATS.has(x)) ?? 'pickle';
    if (TRAINER_FILE.test(rel) || CHECKPOINT_DIR.test(rel)) {
      out.push({
        file: f,
        severity: 'info',
        message: `${rel} is Hugging Face Trainer training state (${kind}) shipped next to ${st}: not needed for inference — the safetensors weights suffice. It is the risky file here: torch.load of it runs any pickle payload; exclude it from downloads`,
      });
    } else {
      out.push({
        file: f,
        severity: 'low',
        message: `${rel} is a ${kind} file shipped next to ${st}: loaders that prefer safetensors skip it, but anything that torch.loads it runs its pickle payload (T67). Load with use_safetensors=True and exclude it from downloads`,
      });
    }
  }
  return out;
}
