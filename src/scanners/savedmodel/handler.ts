import { fmtInt } from '../../core/format-number.js';
import { traversalReason } from '../../core/paths.js';
import type { RuleMeta } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import type { ByteSource } from '../../core/source.js';
import {
  type KerasObjectInfo,
  parseKerasMetadata,
  parseSavedModel,
  type SavedModelInfo,
  sniffTensorflow,
  TF_OP_RISKS,
  TF_STANDARD_OPS,
  type TfNodeRef,
  type TfOpRiskInfo,
  type WalkStop,
} from '../../formats/savedmodel/index.js';
import { listSome, ModelReporter, quote } from '../onnx/bounded.js';
import type { FormatHandler, ScanContext } from '../types.js';
import { SAVEDMODEL_RULES as R } from './rules.js';

/** Ops whose nodes the walker records one by one. */
const DETAIL_OPS: ReadonlySet<string> = new Set(Object.keys(TF_OP_RISKS));

/** Functions TF2 writes for the object-based saver (tf.saved_model.save). */
const SAVER_FUNCTION = /^__inference__?traced_(save|restore)_\d+$/;

function reportStop(stop: WalkStop | undefined, out: ModelReporter, what: string): void {
  if (stop === undefined) return;
  const at = stop.offset === undefined ? {} : { offset: stop.offset };
  if (stop.kind === 'limit')
    out.report(R['savedmodel/limit-exceeded'], {
      message: `${what} walk stopped at limit ${stop.limit ?? ''}: ${stop.message}; the rest was not inspected`,
      ...at,
    });
  else
    out.report(R['savedmodel/malformed'], {
      message: `${what} protobuf malformed: ${stop.message}; the rest was not inspected`,
      ...at,
    });
}

function reportKeras(objects: readonly KerasObjectInfo[], out: ModelReporter, what: string): void {
  for (const o of objects) {
    const where = `${o.identifier || 'object'}${o.nodePath === '' ? '' : ` ${o.nodePath}`}`;
    for (const l of o.lambdas) {
      const how = l.bytecode
        ? `with marshalled Python bytecode (function_type ${quote(l.functionType)}) that Keras unmarshals and runs`
        : `calling ${l.functionName === '' ? 'a function' : quote(l.functionName)} by name${l.module === '' ? '' : ` from module ${quote(l.module)}`}`;
      out.report(R['savedmodel/keras-lambda'], {
        message: `${what}: Keras Lambda layer ${quote(l.layer)} (${where}) ${how}`,
        offset: o.offset,
        severity: l.bytecode ? 'high' : 'medium',
      });
    }
    if (o.uninspected === undefined) continue;
    if (!o.identifier.startsWith('_tf_keras') && !o.uninspected.includes('exceeds')) continue;
    const invalid = o.uninspected.startsWith('metadata is not valid JSON');
    out.report(invalid ? R['savedmodel/malformed'] : R['savedmodel/limit-exceeded'], {
      message: `${what}: Keras metadata of ${where} not inspected: ${o.uninspected}`,
      offset: o.offset,
      ...(invalid ? { severity: 'medium' as const } : {}),
    });
  }
}

function inSaver(node: TfNodeRef, info: SavedModelInfo): boolean {
  if (node.fn !== undefined) return SAVER_FUNCTION.test(node.fn);
  const scope = info.metaGraphs[node.metaGraph]?.saverScope;
  return scope !== undefined && node.name.startsWith(scope);
}

function attr(node: TfNodeRef, key: string): string | undefined {
  return node.attrs.find((a) => a.key === key)?.value;
}

function whereOf(node: TfNodeRef): string {
  return `${node.fn === undefined ? `meta_graph[${node.metaGraph}] graph` : `function ${quote(node.fn)}`} node ${quote(node.name)}`;
}

/** The rule and severity for one node of a risky op, or undefined when this node is harmless. */
function judge(
  node: TfNodeRef,
  risk: TfOpRiskInfo,
  info: SavedModelInfo,
): { rule: RuleMeta; severity: Severity; why: string } | 'saver' | undefined {
  switch (risk.risk) {
    case 'python':
      return { rule: R['savedmodel/python-op'], severity: 'critical', why: risk.why };
    case 'file-read':
    case 'file-write':
      return { rule: R['savedmodel/file-op'], severity: 'high', why: risk.why };
    case 'asset-read':
      return { rule: R['savedmodel/file-op'], severity: 'medium', why: risk.why };
    case 'network':
      return { rule: R['savedmodel/network-op'], severity: 'high', why: risk.why };
    case 'checkpoint':
      if (inSaver(node, info)) return 'saver';
      return {
        rule: R['savedmodel/file-op'],
        severity: 'high',
        why: `${risk.why}, outside the model's saver`,
      };
    case 'attr': {
      if (node.op === 'PrintV2') {
        const stream = attr(node, 'output_stream') ?? '';
        return stream.startsWith('file://')
          ? { rule: R['savedmodel/file-op'], severity: 'high', why: `prints to ${quote(stream)}` }
          : undefined;
      }
      const source = attr(node, 'descriptor_source') ?? 'local://';
      return source === 'local://' || source === ''
        ? undefined
        : {
            rule: R['savedmodel/file-op'],
            severity: 'medium',
            why: `loads descriptors from ${quote(source)}`,
          };
    }
  }
}

function reportDetailNodes(info: SavedModelInfo, out: ModelReporter): void {
  const groups = new Map<string, { rule: RuleMeta; severity: Severity; why: string; nodes: TfNodeRef[] }>();
  const saver: TfNodeRef[] = [];
  for (const node of info.detailNodes) {
    const risk = TF_OP_RISKS[node.op];
    if (risk === undefined) continue;
    const v = judge(node, risk, info);
    if (v === undefined) continue;
    if (v === 'saver') {
      saver.push(node);
      continue;
    }
    const key = `${v.rule.id}\u0000${v.severity}\u0000${node.op}\u0000${v.why}`;
    const g = groups.get(key) ?? { ...v, nodes: [] };
    g.nodes.push(node);
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    const first = g.nodes[0] as TfNodeRef;
    const attrs =
      first.attrs.length === 0
        ? ''
        : `; attrs ${first.attrs.map((a) => `${a.key}=${quote(a.value, 80)}`).join(', ')}`;
    out.report(g.rule, {
      message: `SavedModel op ${first.op} (${fmtInt(g.nodes.length)} node${g.nodes.length === 1 ? '' : 's'}) ${g.why}`,
      offset: first.offset,
      severity: g.severity,
      evidence: `${listSome(g.nodes.map(whereOf), 4)}${attrs}`,
    });
  }
  if (saver.length > 0) {
    const ops = [...new Set(saver.map((n) => n.op))];
    out.report(R['savedmodel/checkpoint-io'], {
      message: `SavedModel saver uses ${listSome(ops)} (${fmtInt(saver.length)} nodes, all in the saver)`,
      offset: saver[0]?.offset ?? 0,
    });
  }
  const unrecorded = info.stats.detailNodes - info.detailNodes.length;
  if (unrecorded > 0) {
    out.report(R['savedmodel/limit-exceeded'], {
      message: `${fmtInt(info.stats.detailNodes)} nodes of file/system ops, more than recorded: ${fmtInt(unrecorded)} were not checked`,
    });
  }
}

function reportUnknownOps(info: SavedModelInfo, out: ModelReporter): void {
  const functions = new Set(info.functions.map((f) => f.name));
  for (const use of info.ops) {
    if (TF_STANDARD_OPS.has(use.op) || functions.has(use.op)) continue;
    out.report(R['savedmodel/unknown-op'], {
      message: `SavedModel op ${quote(use.op)} is not a standard TensorFlow op nor a function of the model (custom op library?)`,
      offset: use.offset,
      evidence: `${fmtInt(use.count)} node${use.count === 1 ? '' : 's'}, first at ${use.where}`,
    });
  }
}

function reportAssets(info: SavedModelInfo, out: ModelReporter): void {
  for (const a of info.assets) {
    const reason = a.filename.includes('\u0000') ? 'NUL byte' : traversalReason(a.filename);
    if (reason === undefined) continue;
    out.report(R['savedmodel/file-op'], {
      message: `SavedModel asset file name ${quote(a.filename)} (${reason}) escapes the assets/ folder: the loader feeds that path to the graph (vocabulary tables read it)`,
      offset: a.offset,
    });
  }
}

function scanSavedModel(source: ByteSource, out: ModelReporter): void {
  const info = parseSavedModel(source, DETAIL_OPS);
  reportStop(info.stopped, out, 'SavedModel');
  reportDetailNodes(info, out);
  reportUnknownOps(info, out);
  reportAssets(info, out);
  reportKeras(info.keras, out, 'SavedModel object graph');
}

/**
 * TensorFlow SavedModel handler (`saved_model.pb`, and Keras `keras_metadata.pb`): every op of every
 * meta graph's graph and function library, judged by what it does outside the computation (Python
 * calls, file and network access, checkpoint I/O outside the saver) and whether TensorFlow ships it;
 * asset names; Keras Lambda layers in the metadata. No TensorFlow needed.
 */
export const savedModelHandler: FormatHandler = {
  format: 'savedmodel',
  async scan(source: ByteSource, ctx: ScanContext): Promise<void> {
    const out = new ModelReporter(ctx);
    try {
      const head = source.read(0, Math.min(512, source.size));
      if (sniffTensorflow(head) === 'keras-metadata') {
        const meta = parseKerasMetadata(source);
        reportStop(meta.stopped, out, 'Keras metadata');
        reportKeras(meta.keras, out, 'Keras metadata');
        return;
      }
      scanSavedModel(source, out);
    } finally {
      out.flush();
    }
  },
};
