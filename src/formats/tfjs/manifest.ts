import { traversalReason } from '../../core/paths.js';

/**
 * TF.js model files: `model.json` of a layers or graph model (`format`, `generatedBy`, `convertedBy`,
 * `modelTopology`, `weightsManifest`) and bare weights manifests (`*-weights_manifest.json`, an array of
 * groups, as @vladmandic/face-api ships them). Plain data: parsing JSON and checking it is the caller's.
 */

/** Bytes per element of each dtype TF.js writes (quantised dtypes included). `string` is variable. */
export const DTYPE_BYTES: Readonly<Record<string, number>> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  float16: 2,
};

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  /** Storage dtype when quantised (`uint8`, `uint16`, `float16`). */
  quantized: string | undefined;
  /** Bytes in the shards, undefined when it cannot be known (strings) or the spec is invalid. */
  bytes: number | undefined;
}

export interface WeightGroup {
  paths: unknown[];
  weights: WeightSpec[];
  /** Sum of the weights' bytes, undefined when one of them is unknown. */
  expectedBytes: number | undefined;
}

export interface TfjsModelFile {
  /** `model`: a model.json object; `manifest`: a bare weights manifest array. */
  kind: 'model' | 'manifest';
  format: string | undefined;
  generatedBy: string | undefined;
  convertedBy: string | undefined;
  /** `modelTopology` as written (a Keras config for layers models, a GraphDef for graph models). */
  topology: unknown;
  groups: WeightGroup[];
  /** What does not have the shape TF.js writes. */
  problems: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function weightSpec(v: unknown, where: string, problems: string[]): WeightSpec | undefined {
  if (!isRecord(v)) {
    problems.push(`${where} is not an object`);
    return undefined;
  }
  const name = str(v['name']) ?? '?';
  const dtype = str(v['dtype']) ?? '?';
  const q = isRecord(v['quantization']) ? str(v['quantization']['dtype']) : undefined;
  const rawShape = v['shape'];
  let bytes: number | undefined;
  const shape: number[] = [];
  if (!Array.isArray(rawShape) || !rawShape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    problems.push(
      `${where} '${name}' has shape ${JSON.stringify(rawShape)?.slice(0, 60)}, not a list of sizes`,
    );
  } else {
    let n = 1;
    for (const d of rawShape as number[]) {
      shape.push(d);
      n *= d;
    }
    const per = DTYPE_BYTES[q ?? dtype];
    if (dtype === 'string' && q === undefined) bytes = undefined;
    else if (per === undefined)
      problems.push(`${where} '${name}' has dtype '${q ?? dtype}' that TF.js does not write`);
    else if (Number.isSafeInteger(n * per)) bytes = n * per;
    else problems.push(`${where} '${name}' declares ${n} elements, beyond any real tensor`);
  }
  return { name, shape, dtype, quantized: q, bytes };
}

function group(v: unknown, i: number, problems: string[]): WeightGroup {
  if (!isRecord(v)) {
    problems.push(`weightsManifest[${i}] is not an object`);
    return { paths: [], weights: [], expectedBytes: undefined };
  }
  const paths = Array.isArray(v['paths']) ? (v['paths'] as unknown[]) : [];
  if (!Array.isArray(v['paths'])) problems.push(`weightsManifest[${i}] has no paths list`);
  const weights: WeightSpec[] = [];
  const raw = Array.isArray(v['weights']) ? (v['weights'] as unknown[]) : [];
  if (!Array.isArray(v['weights'])) problems.push(`weightsManifest[${i}] has no weights list`);
  let expected: number | undefined = 0;
  for (let j = 0; j < raw.length; j++) {
    const w = weightSpec(raw[j], `weightsManifest[${i}].weights[${j}]`, problems);
    if (w === undefined) continue;
    weights.push(w);
    expected = expected === undefined || w.bytes === undefined ? undefined : expected + w.bytes;
  }
  return { paths, weights, expectedBytes: expected };
}

/** Reads a parsed TF.js JSON file; undefined when it is not one (no manifest, no topology). */
export function readTfjsModel(value: unknown): TfjsModelFile | undefined {
  const problems: string[] = [];
  if (Array.isArray(value)) {
    if (!value.every((g) => isRecord(g) && ('paths' in g || 'weights' in g))) return undefined;
    return {
      kind: 'manifest',
      format: undefined,
      generatedBy: undefined,
      convertedBy: undefined,
      topology: undefined,
      groups: value.map((g, i) => group(g, i, problems)),
      problems,
    };
  }
  if (!isRecord(value) || (!('weightsManifest' in value) && !('modelTopology' in value))) return undefined;
  const manifest = value['weightsManifest'];
  if (manifest !== undefined && !Array.isArray(manifest)) problems.push('weightsManifest is not a list');
  return {
    kind: 'model',
    format: str(value['format']),
    generatedBy: str(value['generatedBy']),
    convertedBy: str(value['convertedBy']),
    topology: value['modelTopology'],
    groups: Array.isArray(manifest) ? manifest.map((g, i) => group(g, i, problems)) : [],
    problems,
  };
}

/**
 * Why a shard path would not stay next to model.json, or undefined. TF.js fetches shards as URLs
 * relative to model.json (the browser and fetch normalise `..`, `%2e%2e` and backslashes); tfjs-node
 * and the converter join them to the folder on disk.
 */
export function shardPathProblem(p: unknown): string | undefined {
  if (typeof p !== 'string') return 'not a string';
  if (p.length === 0) return 'empty path';
  if (p.startsWith('//') || p.startsWith('\\\\')) return 'protocol-relative URL (another host)';
  const t0 = traversalReason(p);
  if (t0 !== undefined) return t0;
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return `URL (${p.slice(0, p.indexOf(':'))}:)`;
  let decoded = p;
  try {
    decoded = decodeURIComponent(p);
  } catch {
    return 'invalid %-escape';
  }
  decoded = decoded.replace(/\\/g, '/');
  if (decoded !== p) {
    if (decoded.startsWith('//')) return 'protocol-relative URL once %-decoded';
    const t = traversalReason(decoded);
    if (t !== undefined) return `${t} once %-decoded or with backslashes as slashes`;
    if (/^[a-z][a-z0-9+.-]*:/i.test(decoded)) return 'URL once %-decoded';
  }
  return undefined;
}
