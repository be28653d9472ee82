import { errorMessage } from '../../core/errors.js';
import type { ByteSource } from '../../core/source.js';
import type { ScanContext } from '../types.js';
import { analyzeCarrier, carrierFormat, carrierKind, carrierReadBytes } from './carriers.js';
import { CONFIG_RULES } from './rules.js';

/**
 * The hook the zip and tar handlers call for members of generic archives: TorchServe `.mar`
 * (MAR-INF/MANIFEST.json + handler .py), NeMo `.nemo` (model_config.yaml with `_target_`s), zipped
 * MLflow models (MLmodel + code/), and any other `.py`/YAML member. The member is also scanned by
 * content as usual; this adds what only its name tells. Findings are reported on the archive, with the
 * member named in the message and evidence.
 */
export function isCodeCarrier(name: string): boolean {
  return carrierKind(name) !== undefined;
}

export async function scanCodeCarrier(name: string, source: ByteSource, ctx: ScanContext): Promise<void> {
  const kind = carrierKind(name);
  if (kind === undefined) return;
  const format = carrierFormat(name);
  if (format !== undefined) ctx.noteFormat(format);
  // The finding's location names the archive (and any outer member); the message names this member.
  const label = name;
  let bytes: Uint8Array;
  try {
    bytes = source.read(0, carrierReadBytes(kind, source.size));
  } catch (e) {
    // A member the archive handler already opened cannot usually fail here; fail closed if it does.
    ctx.report(CONFIG_RULES['configs/malformed'], {
      message: `${label}: cannot be read (${errorMessage(e)})`,
    });
    return;
  }
  const { issues } = await analyzeCarrier(kind, label, bytes, source.size, {
    policy: ctx.policy,
    maxEvidenceChars: ctx.limits.maxEvidenceChars,
    offsets: false,
  });
  for (const i of issues) {
    ctx.report(i.rule, {
      message: i.message.startsWith('line ') ? `${label}: ${i.message}` : i.message,
      ...(i.evidence === undefined ? {} : { evidence: i.evidence }),
      ...(i.severity === undefined ? {} : { severity: i.severity }),
      ...(i.line === undefined ? {} : { line: i.line }),
    });
  }
}
