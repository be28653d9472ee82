/**
 * A file-system IOHandler for TF.js: reads `model.json` and its weight shards from one local folder
 * (bounded sizes, shard paths confined to the folder, symlinks resolved and checked), and saves
 * `model.json` + `weights.bin` (for tests and tools). No network, no code: only JSON and bytes.
 */
import { mkdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import type { io } from '@tensorflow/tfjs-core';
import { LimitError, ModelguardError } from '../../core/errors.js';
import { readTfjsModel, shardPathProblem } from '../../formats/tfjs/index.js';

export const TFJS_LIMITS = {
  /** Bytes of model.json. CWE-400. */
  maxModelJsonBytes: 64 * 2 ** 20,
  /** Bytes of all weight shards together. CWE-400/CWE-789. */
  maxWeightBytes: 2 * 2 ** 30,
  /** Shard files of one model. CWE-400. */
  maxShards: 10_000,
} as const;

function malformed(message: string): ModelguardError {
  return new ModelguardError('MALFORMED', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A shard path joined to the model folder; refuses paths (or symlinks) that leave it. */
function shardFile(folder: string, realFolder: string, p: unknown, modelJson: string): string {
  const problem = shardPathProblem(p);
  if (problem !== undefined)
    throw malformed(`${modelJson}: weight path ${JSON.stringify(p)} is refused (${problem})`);
  const file = resolve(folder, decodeURIComponent(p as string));
  let real: string;
  try {
    real = realpathSync(file);
  } catch (e) {
    throw new ModelguardError(
      'IO',
      `${modelJson}: weight file ${file} cannot be read: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  if (!real.startsWith(realFolder + sep))
    throw malformed(`${modelJson}: weight path ${JSON.stringify(p)} resolves outside the model folder`);
  return real;
}

/** Reads a TF.js model folder into ModelArtifacts (weights concatenated in manifest order). */
export function readModelArtifacts(modelJson: string): io.ModelArtifacts {
  const size = statSync(modelJson).size;
  if (size > TFJS_LIMITS.maxModelJsonBytes)
    throw new LimitError(
      'maxModelJsonBytes',
      `${modelJson}: ${size} bytes, more than ${TFJS_LIMITS.maxModelJsonBytes}`,
    );
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(modelJson, 'utf8'));
  } catch (e) {
    throw new ModelguardError('MALFORMED', `${modelJson}: not JSON: ${(e as Error).message}`, { cause: e });
  }
  const model = readTfjsModel(json);
  if (model === undefined || model.kind !== 'model' || !isRecord(json))
    throw malformed(`${modelJson}: not a TF.js model.json (no modelTopology and weightsManifest)`);
  if (!isRecord(model.topology)) throw malformed(`${modelJson}: modelTopology is missing`);
  if (model.problems.length > 0) throw malformed(`${modelJson}: ${model.problems.slice(0, 3).join('; ')}`);
  const folder = dirname(resolve(modelJson));
  const realFolder = realpathSync(folder);
  const paths = model.groups.flatMap((g) => g.paths);
  if (paths.length > TFJS_LIMITS.maxShards)
    throw new LimitError(
      'maxShards',
      `${modelJson}: ${paths.length} weight files, more than ${TFJS_LIMITS.maxShards}`,
    );
  const files = paths.map((p) => shardFile(folder, realFolder, p, modelJson));
  let total = 0;
  for (const f of files) total += statSync(f).size;
  if (total > TFJS_LIMITS.maxWeightBytes)
    throw new LimitError(
      'maxWeightBytes',
      `${modelJson}: ${total} weight bytes, more than ${TFJS_LIMITS.maxWeightBytes}`,
    );
  const expected = model.groups.reduce<number | undefined>(
    (s, g) => (s === undefined || g.expectedBytes === undefined ? undefined : s + g.expectedBytes),
    0,
  );
  if (expected !== undefined && expected !== total)
    throw malformed(`${modelJson}: the manifest declares ${expected} weight bytes, the shards hold ${total}`);
  const weights = new Uint8Array(total);
  let at = 0;
  for (const f of files) {
    const b = readFileSync(f);
    weights.set(b, at);
    at += b.length;
  }
  const manifest = (json['weightsManifest'] ?? []) as { weights: io.WeightsManifestEntry[] }[];
  return {
    modelTopology: model.topology as object,
    weightSpecs: manifest.flatMap((g) => g.weights),
    weightData: weights.buffer,
    ...(model.format === undefined ? {} : { format: model.format }),
    ...(model.generatedBy === undefined ? {} : { generatedBy: model.generatedBy }),
    ...(model.convertedBy === undefined ? {} : { convertedBy: model.convertedBy }),
    ...(isRecord(json['signature']) ? { signature: json['signature'] } : {}),
    ...(isRecord(json['userDefinedMetadata']) ? { userDefinedMetadata: json['userDefinedMetadata'] } : {}),
  } as io.ModelArtifacts;
}

/** Writes artifacts as `modelJson` + `weights.bin` beside it; returns the weight bytes written. */
export function writeModelArtifacts(modelJson: string, artifacts: io.ModelArtifacts): number {
  const folder = dirname(resolve(modelJson));
  mkdirSync(folder, { recursive: true });
  const data = artifacts.weightData;
  const parts = data === undefined ? [] : Array.isArray(data) ? data : [data];
  const bytes = Buffer.concat(parts.map((b) => new Uint8Array(b)));
  writeFileSync(join(folder, 'weights.bin'), bytes);
  const json = {
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
  };
  writeFileSync(modelJson, JSON.stringify(json));
  return bytes.length;
}

/** An IOHandler over a local model folder: `load` reads `modelJson`, `save` writes next to it. */
export function fileIoHandler(modelJson: string): io.IOHandler {
  return {
    load: async () => readModelArtifacts(modelJson),
    save: async (artifacts) => {
      const weightDataBytes = writeModelArtifacts(modelJson, artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes } };
    },
  };
}
