import { traversalReason } from '../../core/paths.js';
import type { RuleMeta } from '../../core/rule.js';
import type { Severity } from '../../core/severity.js';
import type { KerasConfigAnalysis, KerasFact, KerasFactKind, LambdaCode } from '../../formats/keras/facts.js';
import { DANGEROUS_CODE_NAMES, GADGETS } from '../../formats/keras/names.js';
import type { FindingInput } from '../types.js';
import { KERAS_RULES as K } from './rules.js';

/** Where findings go: ctx.report of a file handler, or a repository scanner's report for one file. */
export type Sink = (rule: RuleMeta, finding: FindingInput) => void;

export interface KerasReportOptions {
  /** `h5`: a full-model H5 file; `keras`: a Keras 3 `.keras` archive; `json`: an architecture JSON. */
  container: 'h5' | 'keras' | 'json';
  /** `keras_version` the file claims, when known. */
  kerasVersion: string | undefined;
  maxEvidenceChars: number;
}

/** A payload found in the config that the caller must scan as a member (TorchModuleWrapper). */
export interface EmbeddedPayload {
  name: string;
  bytes: Uint8Array;
}

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function list(items: readonly string[], max: number, quote = false): string {
  const shown = items.slice(0, 12).map((s) => (quote ? `'${clip(s, 60)}'` : clip(s, 60)));
  return clip(shown.join(', ') + (items.length > 12 ? `, … (${items.length})` : ''), max);
}

/** What marshalled bytecode refers to, dangerous names first. */
export function describeCode(code: LambdaCode | undefined, max: number): string {
  if (code === undefined) return 'no code string';
  const m = code.marshal;
  if (!m.ok) return `${code.bytes} bytes that no CPython marshal layout reads (${clip(m.error, 120)})`;
  const s = m.summary;
  const names = [...s.names].sort(
    (a, b) => Number(DANGEROUS_CODE_NAMES.has(b)) - Number(DANGEROUS_CODE_NAMES.has(a)),
  );
  const parts = [
    `${s.layout} bytecode, ${s.bytecodeBytes} bytes in ${s.codeObjects} code object${s.codeObjects === 1 ? '' : 's'}`,
    `names: ${names.length > 0 ? list(names, max) : '(none)'}`,
  ];
  if (s.strings.length > 0) parts.push(`strings: ${list(s.strings, max, true)}`);
  if (s.functionNames.length > 0) parts.push(`functions: ${list(s.functionNames, max)}`);
  return parts.join('; ');
}

/** True when the bytecode names something that runs processes, evaluates code or reaches files/network. */
export function codeLooksDangerous(code: LambdaCode | undefined): boolean {
  if (code === undefined || !code.marshal.ok) return false;
  const s = code.marshal.summary;
  return [...s.names, ...s.strings].some((n) => DANGEROUS_CODE_NAMES.has(n));
}

function safeModeNote(o: KerasReportOptions): string {
  switch (o.container) {
    case 'h5': {
      const by =
        o.kerasVersion === undefined ? '' : ` (the file says keras_version ${o.kerasVersion.slice(0, 20)})`;
      return `H5 loading has no safe mode in Keras 2 and ignores safe_mode in Keras 3.0.0–3.11.2 (CVE-2025-9905), so load_model runs it${by}`;
    }
    case 'keras':
      return 'Keras 3 runs it with safe_mode=False or after keras.config.enable_unsafe_deserialization(), which a config can call itself (CVE-2025-9906)';
    case 'json':
      return 'model_from_json has no safe mode in Keras 2, so loading the architecture runs it';
  }
}

/** Op namespaces of pure tensor math: calling them by name reads no files and runs no Python. */
const PURE_OPS =
  /^(math|nn|linalg|__operators__|bitwise|signal|image|strings|random|sparse|ragged|experimental\.numpy|compat\.v1\.(math|nn))\.|^(reshape|transpose|concat|stack|unstack|expand_dims|squeeze|cast|shape|identity|gather|gather_nd|tile|split|where|clip_by_value|ones_like|zeros_like|fill|range|one_hot|pad|slice|strided_slice|boolean_mask|reverse|roll|einsum|matmul|argmax|argmin|reduce_\w+|__\w+__)$/;
/** Op names that read or write files, run Python or load code. */
const RISKY_OPS =
  /(^|\.)(io|gfile|saved_model|summary|data|debugging|distribute|train|keras)\.|py_function|numpy_function|py_func|PyFunc|EagerPyFunc|load_library|load_op_library|ReadFile|WriteFile|MatchingFiles|Save|Restore|MergeV2Checkpoints|(^|\.)print$/;

function tfOpSeverity(op: string | undefined): { severity: Severity; why: string } {
  if (op === undefined)
    return { severity: 'medium', why: 'the op name is missing, so what it calls is unknown' };
  if (RISKY_OPS.test(op))
    return { severity: 'high', why: 'this op reads or writes files, runs Python or loads code' };
  if (PURE_OPS.test(op)) return { severity: 'low', why: 'a tensor math op' };
  return {
    severity: 'medium',
    why: 'the TF API it reaches includes file and Python ops; this one is not a known math op',
  };
}

function tfsmSeverity(filepath: string | undefined): { severity: Severity; why: string } {
  if (filepath === undefined) return { severity: 'medium', why: '' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(filepath)) return { severity: 'high', why: '; the path is remote' };
  const t = traversalReason(filepath);
  if (t !== undefined) return { severity: 'high', why: `; the path leaves the model folder (${t})` };
  return { severity: 'medium', why: '' };
}

const RULE_OF: Record<KerasFactKind, RuleMeta> = {
  lambda: K['keras/lambda'],
  'tf-op': K['keras/tf-op-lambda'],
  foreign: K['keras/foreign-class'],
  custom: K['keras/custom-object'],
  gadget: K['keras/remote-download'],
  'function-layer': K['keras/function-layer'],
  'dead-nodes': K['keras/dead-node'],
  'torch-module': K['keras/torch-module'],
  'tfsm-layer': K['keras/tfsm-layer'],
  limit: K['keras/config-limit'],
};

const named = (layer: string | undefined): string => (layer === undefined ? '' : ` '${layer}'`);

/**
 * Turns the facts of a Keras config into findings. Returns the payloads the caller must scan as
 * members (TorchModuleWrapper `torch.save` bytes).
 */
export function reportKerasFacts(
  a: KerasConfigAnalysis,
  sink: Sink,
  o: KerasReportOptions,
): EmbeddedPayload[] {
  const payloads: EmbeddedPayload[] = [];
  const max = o.maxEvidenceChars;
  const gadgetPaths = new Set(
    a.facts
      .filter((f) => f.kind === 'gadget' && f.gadget.kind !== 'call')
      .map((f) => (f as { path: string }).path),
  );
  const functionLayerPaths = new Set(a.facts.filter((f) => f.kind === 'function-layer').map((f) => f.path));
  for (const f of a.facts) reportFact(f);

  for (const [kind, n] of Object.entries(a.dropped) as [KerasFactKind, number][]) {
    sink(RULE_OF[kind], {
      message: `${n} more findings of this kind were not listed (maxIssuesPerKind)`,
    });
  }
  return payloads;

  function reportFact(f: KerasFact): void {
    switch (f.kind) {
      case 'lambda': {
        const where =
          f.flavour === 'keras2'
            ? `Lambda layer${named(f.layer)}`
            : `__lambda__ object${f.layer === undefined ? '' : ` in layer '${f.layer}'`}`;
        const globals =
          f.globalsModule !== undefined && f.globalsModule !== '__main__'
            ? ` with the globals of module '${f.globalsModule}'`
            : '';
        sink(K['keras/lambda'], {
          message: `${where} holds marshalled Python bytecode (${f.field}) that runs when the model is loaded${globals}: ${safeModeNote(o)}`,
          evidence: `${describeCode(f.code, max)}; at ${clip(f.path, max)}`,
        });
        return;
      }
      case 'tf-op': {
        const s = tfOpSeverity(f.op);
        sink(K['keras/tf-op-lambda'], {
          message: `${f.className} layer${named(f.layer)} calls TensorFlow '${f.op ?? '?'}' by name when the model is rebuilt: ${s.why}`,
          evidence: `at ${clip(f.path, max)}`,
          severity: s.severity,
        });
        return;
      }
      case 'foreign': {
        const why =
          f.reason === 'tensorflow-module'
            ? 'a TensorFlow module outside tf.keras: Keras < 3.9 imports it and calls what it names'
            : f.reason === 'dangerous-builtin'
              ? 'a Python builtin that evaluates code or reaches objects'
              : f.reason === 'dangerous-module'
                ? 'a module that runs processes, code, files or network access'
                : 'a module outside Keras: Keras < 3.9 imports it and calls what the config names';
        sink(K['keras/foreign-class'], {
          message: `Config names '${f.module}.${f.className}' (${why}; CVE-2025-1550, a safe_mode bypass)${o.container === 'h5' ? '; H5 loading ignores safe_mode' : ''}`,
          evidence: `module '${clip(f.module, 100)}', class_name '${clip(f.className, 100)}'${f.registeredName === undefined ? '' : `, registered_name '${clip(f.registeredName, 100)}'`}; at ${clip(f.path, max)}`,
          severity: f.reason === 'tensorflow-module' ? 'high' : 'critical',
        });
        return;
      }
      case 'custom': {
        const what =
          f.reason === 'registered'
            ? `registered custom ${f.what} '${f.registeredName ?? f.name}'`
            : f.reason === 'main-module'
              ? `custom ${f.what} '${f.name}' defined in the saving script (__main__)`
              : f.reason === 'unknown-function'
                ? `function '${f.name}' that is not a Keras built-in`
                : `class '${f.name}' that Keras does not define`;
        const severity: Severity = f.dangerousName ? 'high' : f.what === 'function' ? 'low' : 'medium';
        sink(K['keras/custom-object'], {
          message: `Config needs ${what}: loading requires the author's code as a custom object${f.dangerousName ? `; '${f.name}' is also the name of a dangerous Python callable` : ''}`,
          evidence: `${f.module === undefined ? '' : `module '${clip(f.module, 100)}'; `}at ${clip(f.path, max)}`,
          severity,
        });
        return;
      }
      case 'gadget': {
        if (f.gadget.kind === 'call') {
          if (!functionLayerPaths.has(f.path))
            sink(K['keras/function-layer'], {
              message: `Config names the Keras function '${f.name}', which ${f.gadget.effect} when called`,
              evidence: `at ${clip(f.path, max)}`,
            });
          return;
        }
        const urls = f.urls.length > 0 ? `; URLs: ${list(f.urls, max)}` : '';
        const rule =
          f.gadget.kind === 'unsafe' ? K['keras/unsafe-deserialization'] : K['keras/remote-download'];
        sink(rule, {
          message: `Config calls '${f.module === undefined ? '' : `${f.module}.`}${f.name}' while the model is loaded: it ${f.gadget.effect}${urls}`,
          evidence: `at ${clip(f.path, max)}`,
        });
        return;
      }
      case 'function-layer': {
        if (gadgetPaths.has(f.path)) return;
        const g = GADGETS.get(f.name);
        sink(K['keras/function-layer'], {
          message: `Layer${named(f.layer)} is the function '${f.module === undefined ? '' : `${f.module}.`}${f.name}': Keras calls it with its inbound-node arguments while rebuilding the model${g === undefined ? '' : ` (it ${g.effect})`}`,
          evidence: `at ${clip(f.path, max)}`,
        });
        return;
      }
      case 'dead-nodes': {
        const odd = f.layers.filter((l) => !l.ordinary);
        const shown = f.layers.map((l) => `${l.name} (${l.className})`);
        sink(K['keras/dead-node'], {
          message: `Functional model${named(f.model)} has ${f.layers.length} layer${f.layers.length === 1 ? '' : 's'} no output depends on; Keras still builds and calls them while loading${odd.length > 0 ? `, and ${odd.length} of them ${odd.length === 1 ? 'is' : 'are'} not an ordinary layer` : ''}`,
          evidence: `${list(shown, max)}; at ${clip(f.path, max)}`,
          severity: odd.length > 0 ? 'high' : 'medium',
        });
        return;
      }
      case 'torch-module': {
        if (f.payload !== undefined) payloads.push({ name: '<TorchModuleWrapper>', bytes: f.payload });
        sink(K['keras/torch-module'], {
          message: `TorchModuleWrapper${named(f.layer)} holds ${f.payload === undefined ? 'a payload that could not be decoded' : `${f.payload.length} bytes of torch.save data`}: Keras 3.11.0–3.11.2 load it with torch.load(weights_only=False) even in safe mode (CVE-2025-49655)${f.payload === undefined ? '' : "; scanned as member '<TorchModuleWrapper>'"}`,
          evidence: `${f.error === undefined ? '' : `${clip(f.error, 120)}; `}at ${clip(f.path, max)}`,
          ...(f.payload === undefined ? { severity: 'high' as const } : {}),
        });
        return;
      }
      case 'tfsm-layer': {
        const s = tfsmSeverity(f.filepath);
        sink(K['keras/tfsm-layer'], {
          message: `TFSMLayer${named(f.layer)} loads the TensorFlow SavedModel at '${clip(f.filepath ?? '?', 200)}' while the model is rebuilt; its graph runs in TensorFlow${s.why}`,
          evidence: `at ${clip(f.path, max)}`,
          severity: s.severity,
        });
        return;
      }
      case 'limit':
        sink(K['keras/config-limit'], { message: `${f.message} (${f.limit})` });
        return;
    }
  }
}
