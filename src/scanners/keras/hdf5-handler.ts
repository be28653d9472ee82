import type { ByteSource } from '../../core/source.js';
import type { Hdf5Attribute, Hdf5RootResult } from '../../formats/hdf5/reader.js';
import type { FormatHandler } from '../types.js';
import { scanKerasConfigText, scanPayloads } from './config-scan.js';
import type { EmbeddedPayload, Sink } from './report-facts.js';
import { HDF5_RULES as H, KERAS_RULES as K } from './rules.js';

function stringOf(a: Hdf5Attribute | undefined): string | undefined {
  if (a === undefined) return undefined;
  if (typeof a.value === 'string') return a.value;
  if (Array.isArray(a.value) && a.value.length === 1) return a.value[0];
  return undefined;
}

function reportFailure(r: Extract<Hdf5RootResult, { ok: false }>, sink: Sink): void {
  const evidence = r.diagnostics.length > 0 ? { evidence: r.diagnostics.join('; ') } : {};
  switch (r.failure) {
    case 'malformed':
      sink(H['hdf5/malformed'], { message: `the HDF5 library refused the file: ${r.message}`, ...evidence });
      return;
    case 'aborted':
      sink(H['hdf5/malformed'], {
        message: `the HDF5 library aborted on this file (${r.message}); it was stopped and restarted`,
        severity: 'high',
        ...evidence,
      });
      return;
    default:
      sink(H['hdf5/not-inspected'], {
        message: `HDF5 root attributes were not read: ${r.message}`,
        ...evidence,
      });
  }
}

/** The text of one config attribute, or undefined after reporting why there is none. */
function configText(a: Hdf5Attribute, sink: Sink): string | undefined {
  if (a.skipped !== undefined && a.value === undefined) {
    sink(K['keras/config-limit'], { message: `HDF5 attribute '${a.name}' not read: ${a.skipped}` });
    return undefined;
  }
  const text = stringOf(a);
  if (text === undefined) {
    sink(K['keras/malformed'], {
      message: `HDF5 attribute '${a.name}' is ${a.kind}${a.shape === null ? ' with no value' : ` of shape [${a.shape.join(', ')}]`}, not the JSON string Keras writes`,
    });
  }
  return text;
}

export interface Hdf5ScanResult {
  /** Formats recognised beyond `hdf5`: `keras-h5` (a full model), `keras-weights` (weights only). */
  formats: string[];
  /** Embedded payloads to scan as members (TorchModuleWrapper). */
  payloads: EmbeddedPayload[];
}

/**
 * Reads the root attributes of an HDF5 source (h5wasm, loaded on first use) and analyses a Keras
 * model's `model_config` and `training_config`. Weights-only files (no `model_config`) have nothing that
 * runs at load and give no finding. Never throws for bad input.
 */
export async function scanHdf5Source(
  source: ByteSource,
  sink: Sink,
  maxEvidenceChars: number,
): Promise<Hdf5ScanResult> {
  const out: Hdf5ScanResult = { formats: [], payloads: [] };
  const { readHdf5RootAttributes } = await import('../../formats/hdf5/reader.js');
  const r = await readHdf5RootAttributes(source);
  if (!r.ok) {
    reportFailure(r, sink);
    return out;
  }
  const attr = new Map(r.attributes.map((a) => [a.name, a]));
  const modelConfig = attr.get('model_config');
  const trainingConfig = attr.get('training_config');
  if (modelConfig !== undefined) out.formats.push('keras-h5');
  else if (attr.has('layer_names') || attr.has('keras_version')) out.formats.push('keras-weights');
  const opts = {
    container: 'h5' as const,
    kerasVersion: stringOf(attr.get('keras_version')),
    maxEvidenceChars,
  };
  for (const [a, root, model] of [
    [modelConfig, 'model_config', true],
    [trainingConfig, 'training_config', false],
  ] as const) {
    if (a === undefined) continue;
    const text = configText(a, sink);
    if (text !== undefined) out.payloads.push(...scanKerasConfigText(text, root, model, sink, opts));
  }
  return out;
}

/** HDF5 files and members (Keras 2 / tf.keras `.h5` models, Keras 3 weights files, other HDF5). */
export const hdf5Handler: FormatHandler = {
  format: 'hdf5',
  async scan(source, ctx) {
    const r = await scanHdf5Source(source, (rule, f) => ctx.report(rule, f), ctx.limits.maxEvidenceChars);
    for (const f of r.formats) ctx.noteFormat(f);
    await scanPayloads(r.payloads, ctx);
  },
};
