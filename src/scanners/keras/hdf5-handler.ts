import type { Hdf5Attribute, Hdf5RootResult } from '../../formats/hdf5/reader.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { scanKerasConfigText, scanPayloads } from './config-scan.js';
import type { Sink } from './report-facts.js';
import { HDF5_RULES as H, KERAS_RULES as K } from './rules.js';

function stringOf(a: Hdf5Attribute | undefined): string | undefined {
  if (a === undefined) return undefined;
  if (typeof a.value === 'string') return a.value;
  if (Array.isArray(a.value) && a.value.length === 1) return a.value[0];
  return undefined;
}

function reportFailure(r: Extract<Hdf5RootResult, { ok: false }>, ctx: ScanContext): void {
  const evidence = r.diagnostics.length > 0 ? { evidence: r.diagnostics.join('; ') } : {};
  switch (r.failure) {
    case 'malformed':
      ctx.report(H['hdf5/malformed'], {
        message: `the HDF5 library refused the file: ${r.message}`,
        ...evidence,
      });
      return;
    case 'aborted':
      ctx.report(H['hdf5/malformed'], {
        message: `the HDF5 library aborted on this file (${r.message}); it was stopped and restarted`,
        severity: 'high',
        ...evidence,
      });
      return;
    default:
      ctx.report(H['hdf5/not-inspected'], {
        message: `HDF5 root attributes were not read: ${r.message}`,
        ...evidence,
      });
  }
}

/** Reads one config attribute of a Keras H5 file and reports what is wrong with it. */
function configText(a: Hdf5Attribute, ctx: ScanContext): string | undefined {
  if (a.skipped !== undefined && a.value === undefined) {
    ctx.report(K['keras/config-limit'], { message: `HDF5 attribute '${a.name}' not read: ${a.skipped}` });
    return undefined;
  }
  const text = stringOf(a);
  if (text === undefined) {
    ctx.report(K['keras/malformed'], {
      message: `HDF5 attribute '${a.name}' is ${a.kind}${a.shape === null ? ' with no value' : ` of shape [${a.shape.join(', ')}]`}, not the JSON string Keras writes`,
    });
  }
  return text;
}

/**
 * HDF5 files (Keras 2 / tf.keras `.h5` models, Keras 3 weights files, anything else HDF5). Reads only
 * the root attributes, through h5wasm loaded on first use; a Keras model's `model_config` and
 * `training_config` go to the Keras config analysis. Weights-only files (no `model_config`) have nothing
 * that runs at load and give no finding.
 */
export const hdf5Handler: FormatHandler = {
  format: 'hdf5',
  async scan(source, ctx) {
    const { readHdf5RootAttributes } = await import('../../formats/hdf5/reader.js');
    const r = await readHdf5RootAttributes(source);
    if (!r.ok) {
      reportFailure(r, ctx);
      return;
    }
    const attr = new Map(r.attributes.map((a) => [a.name, a]));
    const modelConfig = attr.get('model_config');
    const trainingConfig = attr.get('training_config');
    if (modelConfig === undefined) {
      if (attr.has('layer_names') || attr.has('keras_version')) ctx.noteFormat('keras-weights');
      if (trainingConfig === undefined) return;
    } else ctx.noteFormat('keras-h5');
    const opts = {
      container: 'h5' as const,
      kerasVersion: stringOf(attr.get('keras_version')),
      maxEvidenceChars: ctx.limits.maxEvidenceChars,
    };
    const sink: Sink = (rule, f) => ctx.report(rule, f);
    for (const [a, root, model] of [
      [modelConfig, 'model_config', true],
      [trainingConfig, 'training_config', false],
    ] as const) {
      if (a === undefined) continue;
      const text = configText(a, ctx);
      if (text === undefined) continue;
      await scanPayloads(scanKerasConfigText(text, root, model, sink, opts), ctx);
    }
  },
};
