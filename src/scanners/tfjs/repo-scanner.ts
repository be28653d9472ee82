import { closeSync, lstatSync, openSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fmtInt } from '../../core/format-number.js';
import type { Severity } from '../../core/severity.js';
import { analyzeKerasConfig } from '../../formats/keras/analyze.js';
import type { KerasFact } from '../../formats/keras/facts.js';
import { KERAS_LIMITS } from '../../formats/keras/limits.js';
import { parseConfigText } from '../../formats/keras/text.js';
import {
  readTfjsModel,
  shardPathProblem,
  type TfjsModelFile,
  type WeightGroup,
} from '../../formats/tfjs/manifest.js';
import { codeLooksDangerous, describeCode } from '../keras/report-facts.js';
import type { FindingInput, RepoContext, RepoFile, RepoScanner } from '../types.js';
import { TFJS_RULES as T } from './rules.js';

/** Bytes read from the head of a `.json` file to decide whether it is a TF.js model file. */
const HEAD_BYTES = 4096;
/** A shard that declares this many bytes more than the shards hold is an allocation attack, not damage. */
const HUGE_SHORTFALL = 1 << 30;

function head(path: string, n: number): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    const got = readSync(fd, buf, 0, n, 0);
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** TF.js model files, by the names tfjs and face-api give them, or by a manifest key near the start. */
function isCandidate(f: RepoFile): boolean {
  const name = basename(f.rel).toLowerCase();
  if (!name.endsWith('.json') || f.size > KERAS_LIMITS.maxConfigBytes) return false;
  if (name === 'model.json' || name.endsWith('weights_manifest.json')) return true;
  try {
    const h = head(f.path, HEAD_BYTES);
    return h.includes('"weightsManifest"') || h.includes('"modelTopology"');
  } catch {
    return false;
  }
}

type Report = (rule: (typeof T)[keyof typeof T], f: FindingInput) => void;

interface ShardState {
  size: number | undefined;
  problem: string | undefined;
}

/** Size of a shard on disk; a symlink that leaves the scanned folder is a traversal. */
function shardOnDisk(full: string, root: string, listed: ReadonlyMap<string, RepoFile>): ShardState {
  try {
    const st = lstatSync(full);
    if (st.isSymbolicLink()) {
      const real = realpathSync(full);
      const rel = relative(realpathSync(root), real);
      if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel))
        return { size: undefined, problem: `a symbolic link to ${real}, outside the scanned folder` };
      return { size: statSync(real).size, problem: undefined };
    }
    const known = listed.get(full);
    if (known !== undefined) return { size: known.size, problem: undefined };
    return st.isFile() ? { size: st.size, problem: undefined } : { size: undefined, problem: undefined };
  } catch {
    return { size: undefined, problem: undefined };
  }
}

function checkGroup(
  g: WeightGroup,
  i: number,
  file: RepoFile,
  ctx: RepoContext,
  listed: ReadonlyMap<string, RepoFile>,
  report: Report,
): void {
  const dir = dirname(file.path);
  const missing: string[] = [];
  let total = 0;
  let countable = true;
  for (const p of g.paths) {
    const problem = shardPathProblem(p);
    if (problem !== undefined) {
      report(T['tfjs/path-traversal'], {
        message: `weightsManifest[${i}] shard path ${JSON.stringify(p)?.slice(0, 200)}: ${problem}; tfjs fetches it relative to ${basename(file.path)}`,
      });
      countable = false;
      continue;
    }
    const s = shardOnDisk(resolve(join(dir, p as string)), ctx.root, listed);
    if (s.problem !== undefined) {
      report(T['tfjs/path-traversal'], {
        message: `weightsManifest[${i}] shard '${p as string}' is ${s.problem}`,
      });
      countable = false;
    } else if (s.size === undefined) missing.push(p as string);
    else {
      total += s.size;
      const shard = listed.get(resolve(join(dir, p as string)));
      if (shard !== undefined) ctx.noteFormat(shard.path, 'tfjs-weights');
    }
  }
  if (missing.length > 0) {
    report(T['tfjs/size-mismatch'], {
      message: `weightsManifest[${i}] names ${missing.length} shard${missing.length === 1 ? '' : 's'} that ${missing.length === 1 ? 'is' : 'are'} not in the folder: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    });
    countable = false;
  }
  if (!countable || g.expectedBytes === undefined || g.paths.length === 0 || total === g.expectedBytes)
    return;
  const short = g.expectedBytes > total;
  const severity: Severity = g.expectedBytes - total > HUGE_SHORTFALL ? 'high' : 'medium';
  report(T['tfjs/size-mismatch'], {
    message: `weightsManifest[${i}]: its ${g.weights.length} weights need ${fmtInt(g.expectedBytes)} bytes but its ${g.paths.length} shard${g.paths.length === 1 ? ' holds' : 's hold'} ${fmtInt(total)}${short ? ' (the load fails or reads past the data)' : ' (the extra bytes are never read by the loader: room for hidden data)'}`,
    severity,
  });
}

/** Facts of a Keras config inside a TF.js topology, as TF.js sees them: custom layers. */
function reportTopologyFact(f: KerasFact, report: Report, maxEvidence: number): void {
  const where = 'path' in f ? `; at ${f.path}` : '';
  switch (f.kind) {
    case 'lambda':
      report(T['tfjs/custom-layer'], {
        message: `Lambda layer${f.layer === undefined ? '' : ` '${f.layer}'`} holds marshalled Python bytecode: TF.js cannot run it (loading needs a registered JS class), but tensorflowjs_converter back to Keras runs it`,
        evidence: `${describeCode(f.code, maxEvidence)}${where}`,
        severity: codeLooksDangerous(f.code) ? 'high' : 'medium',
      });
      return;
    case 'custom':
      if (f.what === 'function') return;
      report(T['tfjs/custom-layer'], {
        message: `topology names class '${f.registeredName ?? f.name}' that TF.js does not define: loading needs custom JavaScript registered for it`,
        evidence: where.slice(2),
        ...(f.dangerousName ? { severity: 'medium' as const } : {}),
      });
      return;
    case 'limit':
      report(T['tfjs/malformed'], { message: `modelTopology: ${f.message} (${f.limit})`, severity: 'high' });
      return;
    case 'dead-nodes':
      report(T['tfjs/custom-layer'], {
        message: `topology has ${f.layers.length} layers no output depends on (${f.layers
          .map((l) => l.name)
          .slice(0, 5)
          .join(', ')}): a hand-edited graph`,
        severity: 'medium',
      });
      return;
    default: {
      const what =
        f.kind === 'tf-op'
          ? `${f.className} calling TensorFlow '${f.op ?? '?'}'`
          : f.kind === 'foreign'
            ? `class '${f.module}.${f.className}' from outside Keras`
            : f.kind === 'gadget' || f.kind === 'function-layer'
              ? `the Keras function '${f.name}'`
              : f.kind === 'torch-module'
                ? 'a TorchModuleWrapper with torch.save data'
                : `a TFSMLayer loading '${f.filepath ?? '?'}'`;
      report(T['tfjs/custom-layer'], {
        message: `topology names ${what}: TF.js needs custom JavaScript for it, and converting the model back to Keras runs it`,
        evidence: where.slice(2),
        severity: 'medium',
      });
    }
  }
}

function describe(m: TfjsModelFile, file: RepoFile): string {
  const weights = m.groups.reduce((n, g) => n + g.weights.length, 0);
  const shards = m.groups.reduce((n, g) => n + g.paths.length, 0);
  const what = m.kind === 'manifest' ? 'TF.js weights manifest' : `TF.js ${m.format ?? 'model'}`;
  const by = [
    m.generatedBy && `generatedBy ${m.generatedBy}`,
    m.convertedBy && `convertedBy ${m.convertedBy}`,
  ].filter(Boolean);
  return `${what}${by.length > 0 ? ` (${by.join(', ').slice(0, 200)})` : ''}: ${m.groups.length} weight group${m.groups.length === 1 ? '' : 's'}, ${weights} weights in ${shards} shard${shards === 1 ? '' : 's'} (${basename(file.rel)})`;
}

function scanModelFile(file: RepoFile, ctx: RepoContext, listed: ReadonlyMap<string, RepoFile>): void {
  const report: Report = (rule, f) => ctx.report(rule, file.path, f);
  let text: string;
  try {
    text = readFileSync(file.path, 'utf8');
  } catch (e) {
    report(T['tfjs/malformed'], { message: `cannot read ${basename(file.rel)}: ${(e as Error).message}` });
    return;
  }
  const parsed = parseConfigText(text, KERAS_LIMITS);
  if (!parsed.ok) {
    report(T['tfjs/malformed'], {
      message: `${basename(file.rel)} is not JSON: ${parsed.message.slice(0, 160)}`,
    });
    return;
  }
  const m = readTfjsModel(parsed.value);
  if (m === undefined) return; // some other JSON named model.json (a Keras architecture is the Keras scanner's)
  ctx.noteFormat(file.path, 'tfjs');
  report(T['tfjs/model'], { message: describe(m, file) });
  for (const p of m.problems.slice(0, 10)) report(T['tfjs/malformed'], { message: p });
  m.groups.forEach((g, i) => {
    checkGroup(g, i, file, ctx, listed, report);
  });
  if (m.format === 'graph-model') return;
  const t = m.topology;
  if (typeof t === 'object' && t !== null && !Array.isArray(t)) {
    const rec = t as Record<string, unknown>;
    const config = rec['model_config'] ?? t;
    const analysis = analyzeKerasConfig(config, 'modelTopology', KERAS_LIMITS);
    for (const f of analysis.facts) reportTopologyFact(f, report, ctx.limits.maxEvidenceChars);
  }
}

/**
 * TF.js models: `model.json` and `*-weights_manifest.json` files with the shards they name. A repository
 * scanner, since a model spans files: shard paths must stay in the folder, the shards must exist and
 * hold exactly the bytes the weight specs need, and a layers-model topology is checked for layers TF.js
 * cannot run without custom code.
 */
export const tfjsRepoScanner: RepoScanner = {
  id: 'tfjs-models',
  async scan(files, ctx) {
    const listed = new Map(files.map((f) => [resolve(f.path), f]));
    for (const f of files) if (isCandidate(f)) scanModelFile(f, ctx, listed);
  },
};
