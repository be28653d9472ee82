import type { KerasConfigAnalysis, KerasFact, KerasFactKind, LambdaCode } from './facts.js';
import { deadLayers, type GraphBudget } from './graph.js';
import { KERAS_LIMITS, type KerasConfigLimits } from './limits.js';
import { summariseMarshal } from './marshal.js';
import { DANGEROUS_CALLABLES, GADGETS, KNOWN_CLASSES, SPECIAL_CLASSES, TF_OP_LAYERS } from './names.js';
import { KNOWN_LOWER, originOf } from './origin.js';

/**
 * Walks a Keras model config (H5 `model_config`, `.keras` `config.json`, a TF.js `modelTopology`) at
 * every depth — models inside models, layers inside `layers`, `layer`, `forward_layer`, `cell` … — and
 * records what matters for loading it safely as typed facts. Iterative, bounded in depth and values.
 */

type Json = unknown;
type Rec = Record<string, Json>;

function isRecord(v: Json): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Frame {
  v: Json;
  parent: Frame | undefined;
  key: string | number;
  depth: number;
  /** This value is a layer entry (element of `layers`/`cells`, or the value of `layer`, `cell` …). */
  layer: boolean;
  /** Under `activation`, `loss`, `metrics` …: bare strings there name functions Keras must resolve. */
  fnField: string | undefined;
}

/** Keys whose value is one layer (wrappers, RNNs, normalisation wrappers). */
const LAYER_KEYS = new Set(['layer', 'forward_layer', 'backward_layer', 'cell', 'inner_layer']);
/** Keys whose array elements are layers. */
const LAYER_LIST_KEYS = new Set(['layers', 'cells']);
/** Keys whose string values name functions. */
const FUNCTION_FIELDS = new Set([
  'activation',
  'recurrent_activation',
  'loss',
  'metrics',
  'weighted_metrics',
  'output_activation',
]);
const URL_RE = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
const MAX_PATH_SEGMENTS = 24;

function pathOf(f: Frame, root: string): string {
  const segs: string[] = [];
  for (let p: Frame | undefined = f; p?.parent !== undefined; p = p.parent) {
    segs.push(typeof p.key === 'number' ? `[${p.key}]` : `.${p.key}`);
  }
  segs.reverse();
  if (segs.length > MAX_PATH_SEGMENTS) segs.splice(6, segs.length - MAX_PATH_SEGMENTS + 6, '…');
  return root + segs.join('');
}

function str(v: Json): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Decodes base64 as Python's lenient `codecs.decode(..., 'base64')` does (whitespace, newlines ignored). */
export function decodeBase64(text: string, maxBytes: number): Uint8Array | string {
  const estimate = Math.floor((text.length * 3) / 4);
  if (estimate > maxBytes) return `base64 of about ${estimate} bytes exceeds maxPayloadBytes ${maxBytes}`;
  const b = Buffer.from(text, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

class Analyzer {
  readonly facts: KerasFact[] = [];
  readonly dropped: Partial<Record<KerasFactKind, number>> = {};
  private readonly kept = new Map<KerasFactKind, number>();
  nodes = 0;
  layers = 0;
  complete = true;
  private readonly budget: GraphBudget;

  constructor(
    private readonly root: string,
    private readonly limits: KerasConfigLimits,
  ) {
    this.budget = { left: limits.maxNodes };
  }

  private add(f: KerasFact): void {
    const n = this.kept.get(f.kind) ?? 0;
    if (f.kind !== 'limit' && n >= this.limits.maxIssuesPerKind) {
      this.dropped[f.kind] = (this.dropped[f.kind] ?? 0) + 1;
      return;
    }
    this.kept.set(f.kind, n + 1);
    this.facts.push(f);
  }

  private stop(limit: string, message: string): void {
    this.complete = false;
    this.add({ kind: 'limit', limit, message });
  }

  private path(f: Frame): string {
    return pathOf(f, this.root);
  }

  /** Name of the nearest enclosing layer (or this object, when it is one). */
  private layerName(f: Frame): string | undefined {
    for (let p: Frame | undefined = f; p !== undefined; p = p.parent) {
      if (!isRecord(p.v) || typeof p.v['class_name'] !== 'string') continue;
      const cfg = p.v['config'];
      const name = str(p.v['name']) ?? (isRecord(cfg) ? str(cfg['name']) : undefined);
      if (name !== undefined && !SPECIAL_CLASSES.has(p.v['class_name'])) return name;
    }
    return undefined;
  }

  private lambdaCode(v: Json): LambdaCode | undefined {
    const text = Array.isArray(v) ? v[0] : v;
    if (typeof text !== 'string') return undefined;
    const bytes = decodeBase64(text, this.limits.maxPayloadBytes);
    if (typeof bytes === 'string')
      return { base64Chars: text.length, bytes: 0, marshal: { ok: false, error: bytes } };
    return { base64Chars: text.length, bytes: bytes.length, marshal: summariseMarshal(bytes) };
  }

  /** URLs among the strings of `v` (bounded). */
  private urls(v: Json): string[] {
    const out: string[] = [];
    const stack: Json[] = [v];
    let budget = 10_000;
    while (stack.length > 0 && budget-- > 0 && out.length < 10) {
      const x = stack.pop();
      if (typeof x === 'string') {
        if (URL_RE.test(x.trim())) out.push(x.trim());
      } else if (Array.isArray(x)) stack.push(...x.slice(0, 1000));
      else if (isRecord(x)) stack.push(...Object.values(x).slice(0, 1000));
    }
    return out;
  }

  walk(value: Json): void {
    const stack: Frame[] = [
      { v: value, parent: undefined, key: '', depth: 0, layer: false, fnField: undefined },
    ];
    while (stack.length > 0) {
      const f = stack.pop() as Frame;
      if (++this.nodes > this.limits.maxNodes) {
        this.stop(
          'maxNodes',
          `config holds more than ${this.limits.maxNodes} values; the rest was not inspected`,
        );
        return;
      }
      if (f.depth > this.limits.maxDepth) {
        this.stop(
          'maxDepth',
          `config nested deeper than ${this.limits.maxDepth} at ${this.path(f)}; deeper values were not inspected`,
        );
        return;
      }
      const v = f.v;
      if (typeof v === 'string') {
        if (f.fnField !== undefined) this.functionName(f, v);
        continue;
      }
      if (typeof v !== 'object' || v === null) continue;
      const isObject = isRecord(v) && typeof v['class_name'] === 'string';
      if (isObject) this.object(f, v as Rec);
      const fnField = isObject ? undefined : f.fnField;
      if (Array.isArray(v)) {
        if (this.nodes + stack.length + v.length > this.limits.maxNodes) {
          this.stop(
            'maxNodes',
            `array of ${v.length} values at ${this.path(f)} takes the config past ${this.limits.maxNodes} values; not inspected`,
          );
          return;
        }
        const layer = typeof f.key === 'string' && LAYER_LIST_KEYS.has(f.key);
        for (let i = v.length - 1; i >= 0; i--)
          stack.push({ v: v[i], parent: f, key: i, depth: f.depth + 1, layer, fnField });
      } else {
        const keys = Object.keys(v);
        if (this.nodes + stack.length + keys.length > this.limits.maxNodes) {
          this.stop(
            'maxNodes',
            `object of ${keys.length} keys at ${this.path(f)} takes the config past ${this.limits.maxNodes} values; not inspected`,
          );
          return;
        }
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i] as string;
          const c = (v as Rec)[k];
          stack.push({
            v: c,
            parent: f,
            key: k,
            depth: f.depth + 1,
            layer: LAYER_KEYS.has(k) && isRecord(c),
            fnField: FUNCTION_FIELDS.has(k) ? k : fnField,
          });
        }
      }
    }
  }

  private functionName(f: Frame, name: string): void {
    if (name === '' || KNOWN_LOWER.has(name.toLowerCase())) return;
    this.add({
      kind: 'custom',
      path: this.path(f),
      what: 'function',
      name,
      module: undefined,
      registeredName: undefined,
      reason: 'unknown-function',
      dangerousName: DANGEROUS_CALLABLES.has(name.split('.').pop() ?? name),
    });
  }

  private object(f: Frame, v: Rec): void {
    const cls = v['class_name'] as string;
    const cfg = v['config'];
    const module = str(v['module']);
    const reg = str(v['registered_name']);
    const path = this.path(f);
    if (f.layer) this.layers++;

    if (cls === '__lambda__') {
      const field = isRecord(cfg) && 'code' in cfg ? 'code' : 'value';
      this.add({
        kind: 'lambda',
        path,
        layer: this.layerName(f.parent ?? f),
        flavour: 'keras3',
        field,
        code: isRecord(cfg) ? this.lambdaCode(cfg[field]) : undefined,
        globalsModule: undefined,
      });
      return;
    }
    if (cls === 'Lambda' && isRecord(cfg)) this.keras2Lambda(f, cfg, path);
    if (TF_OP_LAYERS.has(cls)) {
      const nodeDef = isRecord(cfg) ? cfg['node_def'] : undefined;
      const op = isRecord(cfg)
        ? (str(cfg['function']) ??
          (isRecord(nodeDef) ? str(nodeDef['op']) : undefined) ??
          str(cfg['attr_name']) ??
          str(cfg['method_name']))
        : undefined;
      this.add({ kind: 'tf-op', path, layer: this.layerName(f), className: cls, op });
    }

    const fnName = cls === 'function' ? str(cfg) : undefined;
    this.classify(v, cls, module, reg, fnName, path);

    // Gadgets: Keras API functions named as objects, whatever module they claim.
    const candidates = new Set<string>();
    candidates.add(cls.split('.').pop() ?? cls);
    if (reg !== undefined) candidates.add(reg.split('>').pop() ?? reg);
    if (fnName !== undefined) candidates.add(fnName.split('.').pop() ?? fnName);
    let gadgetName: string | undefined;
    for (const c of candidates) {
      const g = GADGETS.get(c);
      if (g === undefined) continue;
      gadgetName = c;
      this.add({ kind: 'gadget', path, name: c, gadget: g, module, urls: this.urls(v) });
      break;
    }
    if (f.layer && (cls === 'function' || !SPECIAL_CLASSES.has(cls))) {
      const name = gadgetName ?? fnName ?? cls;
      const looksLikeFunction = cls === 'function' || gadgetName !== undefined || /^[a-z_]/.test(cls);
      if (looksLikeFunction)
        this.add({ kind: 'function-layer', path, layer: this.layerName(f), name, module });
    }

    if (cls === 'TorchModuleWrapper' && isRecord(cfg)) {
      const m = cfg['module'];
      let payload: Uint8Array | undefined;
      let error: string | undefined;
      if (typeof m === 'string') {
        const d = decodeBase64(m, this.limits.maxPayloadBytes);
        if (typeof d === 'string') error = d;
        else payload = d;
      } else error = `its 'module' field is ${m === null ? 'null' : typeof m}, not base64 text`;
      this.add({ kind: 'torch-module', path, layer: this.layerName(f), payload, error });
    }
    if (cls === 'TFSMLayer') {
      this.add({
        kind: 'tfsm-layer',
        path,
        layer: this.layerName(f),
        filepath: isRecord(cfg) ? str(cfg['filepath']) : undefined,
      });
    }
    if (isRecord(cfg) && Array.isArray(cfg['layers']) && cfg['output_layers'] !== undefined) {
      const dead = deadLayers(cfg['layers'], cfg['output_layers'], this.budget);
      if (dead !== undefined && dead.length > 0) {
        this.add({
          kind: 'dead-nodes',
          path,
          model: str(cfg['name']),
          layers: dead.map((d) => ({
            name: d.name,
            className: d.className,
            ordinary:
              KNOWN_CLASSES.has(d.className) &&
              !TF_OP_LAYERS.has(d.className) &&
              d.className !== 'Lambda' &&
              !GADGETS.has(d.className),
          })),
        });
      }
    }
  }

  /** Keras 2 Lambda fields: `function` (+ `output_shape`, `mask`) with `<field>_type` `lambda` = bytecode. */
  private keras2Lambda(f: Frame, cfg: Rec, path: string): void {
    for (const field of ['function', 'output_shape', 'mask']) {
      const val = cfg[field];
      const type = str(cfg[`${field}_type`]);
      const module = field === 'function' ? str(cfg['module']) : str(cfg[`${field}_module`]);
      const bytecode =
        type === 'lambda' ||
        (field === 'function' && type === undefined && (typeof val === 'string' || Array.isArray(val)));
      if (bytecode && val !== null && val !== undefined) {
        this.add({
          kind: 'lambda',
          path: `${path}.config.${field}`,
          layer: this.layerName(f),
          flavour: 'keras2',
          field,
          code: this.lambdaCode(val),
          globalsModule: module,
        });
      } else if (type === 'function' && typeof val === 'string' && !KNOWN_LOWER.has(val.toLowerCase())) {
        this.add({
          kind: 'custom',
          path: `${path}.config.${field}`,
          what: 'function',
          name: val,
          module,
          registeredName: undefined,
          reason: 'unknown-function',
          dangerousName: DANGEROUS_CALLABLES.has(val),
        });
      }
    }
  }

  /** Where the object's class (or function) comes from: Keras, a custom registration, or elsewhere. */
  private classify(
    v: Rec,
    cls: string,
    module: string | undefined,
    reg: string | undefined,
    fnName: string | undefined,
    path: string,
  ): void {
    const name = cls === '__typespec__' ? (str(v['spec_name']) ?? cls) : (fnName ?? cls);
    const origin = originOf(v, cls, name, module, reg, fnName);
    if (origin === undefined) return;
    if (origin.kind === 'custom') {
      this.add({
        kind: 'custom',
        path,
        what: cls === 'function' ? 'function' : 'class',
        name,
        module,
        registeredName: reg,
        reason: origin.reason,
        dangerousName: DANGEROUS_CALLABLES.has(name),
      });
    } else {
      this.add({
        kind: 'foreign',
        path,
        className: name,
        module: module ?? '',
        registeredName: reg,
        reason: origin.reason,
      });
    }
  }
}

/** Analyses a parsed Keras config. `root` labels paths (`model_config`, `config.json`). */
export function analyzeKerasConfig(
  value: Json,
  root: string,
  limits: KerasConfigLimits = KERAS_LIMITS,
): KerasConfigAnalysis {
  const a = new Analyzer(root, limits);
  a.walk(value);
  const top = isRecord(value) ? str(value['class_name']) : undefined;
  return {
    facts: a.facts,
    dropped: a.dropped,
    modelClass: top,
    layers: a.layers,
    nodes: a.nodes,
    complete: a.complete,
  };
}
