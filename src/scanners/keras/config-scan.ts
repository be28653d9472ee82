import { MemorySource } from '../../core/source.js';
import { analyzeKerasConfig } from '../../formats/keras/analyze.js';
import { KERAS_LIMITS } from '../../formats/keras/limits.js';
import { parseConfigText } from '../../formats/keras/text.js';
import type { ScanContext } from '../types.js';
import {
  type EmbeddedPayload,
  type KerasReportOptions,
  reportKerasFacts,
  type Sink,
} from './report-facts.js';
import { KERAS_RULES as K } from './rules.js';

function isModelShaped(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    typeof (v as Record<string, unknown>)['class_name'] === 'string'
  );
}

/**
 * Parses and analyses one Keras config text (`root` labels it in paths: `model_config`, `config.json`).
 * `model` says the text must be a model (`class_name` at the top); `training_config` need not be.
 * Returns the embedded payloads the caller should scan.
 */
export function scanKerasConfigText(
  text: string,
  root: string,
  model: boolean,
  sink: Sink,
  o: KerasReportOptions,
): EmbeddedPayload[] {
  const parsed = parseConfigText(text, KERAS_LIMITS);
  if (!parsed.ok) {
    if (parsed.reason === 'too-large') {
      sink(K['keras/config-limit'], { message: `${root}: ${parsed.message}; not inspected` });
    } else if (parsed.pythonTags.length > 0) {
      sink(K['keras/malformed'], {
        message: `${root} is YAML with Python tags, not JSON: Keras refuses it, but a YAML loader (model_from_yaml, yaml.unsafe_load, CVE-2021-37678) imports and calls them`,
        evidence: parsed.pythonTags.slice(0, 5).join(', '),
        severity: 'high',
      });
    } else {
      sink(K['keras/malformed'], {
        message: `${root} is not JSON (${parsed.message.slice(0, 160)}); Keras refuses it and nothing in it was inspected`,
      });
    }
    return [];
  }
  if (model && !isModelShaped(parsed.value)) {
    sink(K['keras/malformed'], {
      message: `${root} is JSON but not a Keras model config (no class_name at the top); Keras refuses it`,
      severity: 'low',
    });
  }
  const analysis = analyzeKerasConfig(parsed.value, root, KERAS_LIMITS);
  return reportKerasFacts(analysis, sink, o);
}

/** Scans `payloads` as members (each a nested source the engine sniffs; `pickle` is the loader's view). */
export async function scanPayloads(payloads: readonly EmbeddedPayload[], ctx: ScanContext): Promise<void> {
  for (const p of payloads) await ctx.scanMember(p.name, new MemorySource(p.bytes), 'pickle');
}

/**
 * `config.json` of a Keras 3 `.keras` archive (called by the zip handler for that member). Findings are
 * reported on the archive; their paths start with `config.json`.
 */
export async function scanKerasArchiveConfig(
  source: { size: number; read(o: number, n: number): Uint8Array },
  ctx: ScanContext,
): Promise<void> {
  if (source.size > KERAS_LIMITS.maxConfigBytes) {
    ctx.report(K['keras/config-limit'], {
      message: `config.json of ${source.size} bytes exceeds maxConfigBytes ${KERAS_LIMITS.maxConfigBytes}; not inspected`,
    });
    return;
  }
  const text = new TextDecoder('utf-8').decode(source.read(0, source.size));
  const sink: Sink = (rule, f) => ctx.report(rule, f);
  const payloads = scanKerasConfigText(text, 'config.json', true, sink, {
    container: 'keras',
    kerasVersion: undefined,
    maxEvidenceChars: ctx.limits.maxEvidenceChars,
  });
  await scanPayloads(payloads, ctx);
}
