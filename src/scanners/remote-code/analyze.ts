/** Static analysis of Python source with tree-sitter: calls, aliases, exec payloads, loaders, downloads. */
import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { RuleMeta } from '../../core/rule.js';
import { atLeast } from '../../core/severity.js';
import type { Policy } from '../policy/policy.js';
import { type Const, constText } from './consts.js';
import { type Emit, IssueSink, short, syntaxIssue, unanalysable } from './issues.js';
import { type CallView, type Judgement, judge } from './judge.js';
import { loadPythonGrammar, type Node, type PythonGrammar, parseWithBudget } from './parser.js';
import type { AnalyzeOptions, PythonAnalysis, PythonLimits } from './python-types.js';
import { PYTHON_LIMITS } from './python-types.js';
import { attributeKey, Bindings, displayName, qualified, type Ref } from './resolve.js';
import { REMOTE_CODE_RULES as R } from './rules.js';
import { decodePython, LineIndex } from './source-text.js';

type PayloadKind = { kind: 'decoded' | 'downloaded'; via: string };

/** Qualified names that turn data into code text or code objects: their output fed to exec is hidden code. */
const DECODERS =
  /^(base64\.\w*decode\w*|binascii\.(a2b_\w+|unhexlify)|codecs\.decode|zlib\.decompress|gzip\.decompress|bz2\.decompress|lzma\.decompress|marshal\.loads?|builtins\.(bytes|bytearray)\.fromhex|builtins\.chr)$/;

/** Families whose modules make `getattr(module, <computed>)` worth a look. */
const HOSTILE_FAMILIES = new Set<string>([
  'process',
  'code-execution',
  'network',
  'native-code',
  'nested-loader',
  'package-install',
  'code-object',
]);

const LEADING_IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Right-hand sides that can denote a module or callable (others are only folded or tainted on demand). */
const RESOLVABLE = new Set(['identifier', 'attribute', 'call', 'subscript', 'parenthesized_expression']);

const PAYLOAD_KEYWORDS = ['source', 'object', 'expression', 'code', 'co'];
const MAX_PAYLOAD_NODES = 4096;

function argumentsOf(call: Node): { pos: Node[]; kw: Map<string, Node> } {
  const pos: Node[] = [];
  const kw = new Map<string, Node>();
  const list = call.childForFieldName('arguments');
  if (list === null || list.type !== 'argument_list') return { pos, kw };
  for (const a of list.namedChildren) {
    if (a.type === 'keyword_argument') {
      const n = a.childForFieldName('name')?.text;
      const v = a.childForFieldName('value');
      if (n !== undefined && v !== null) kw.set(n, v);
    } else if (a.type !== 'comment') pos.push(a);
  }
  return { pos, kw };
}

/** The analysis of one parsed text (a file, or an exec payload inside one). */
class FileAnalyzer {
  readonly bindings: Bindings;
  private readonly taint = new Map<string, PayloadKind | undefined>();
  readonly imports = new Set<string>();

  constructor(
    private readonly g: PythonGrammar,
    private readonly root: Node,
    private readonly policy: Policy,
    private readonly limits: PythonLimits,
    private readonly emit: Emit,
    private readonly nesting: number,
    parent?: Bindings,
  ) {
    this.bindings = new Bindings(limits.maxConstChars, parent);
  }

  /** Attribute nodes that are not references of their own: inner links of a chain, callees, assignment targets. */
  private readonly notReferences = new Set<number>();

  run(): void {
    this.collectBindings();
    const captures = this.g.uses.captures(this.root);
    // Node.parent costs O(depth) in tree-sitter: mark children from their parents instead.
    for (const cap of captures) {
      if (cap.name === 'attr') {
        const obj = cap.node.childForFieldName('object');
        if (obj !== null && obj.type === 'attribute') this.notReferences.add(obj.id);
      } else if (cap.name === 'call') {
        const fn = cap.node.childForFieldName('function');
        if (fn !== null) this.notReferences.add(fn.id);
      }
    }
    for (const cap of captures) {
      if (cap.name === 'call') this.onCall(cap.node);
      else if (cap.name === 'attr') this.onAttribute(cap.node);
      else if (cap.name === 'exec') this.onExecStatement(cap.node);
    }
  }

  // ---- pass 1: imports, aliases, constants, tainted names ----

  private collectBindings(): void {
    const b = this.bindings;
    const pending: Array<readonly [string, Node]> = [];
    for (const cap of this.g.bindings.captures(this.root)) {
      const n = cap.node;
      switch (cap.name) {
        case 'import':
          for (const c of n.childrenForFieldName('name')) {
            if (c.type === 'dotted_name') {
              const full = c.text.replace(/\s+/g, '');
              const first = full.split('.')[0] ?? full;
              this.imports.add(first);
              b.bind(first, { module: first, name: '' });
            } else if (c.type === 'aliased_import') {
              const full = c.childForFieldName('name')?.text.replace(/\s+/g, '');
              const alias = c.childForFieldName('alias')?.text;
              if (full === undefined || alias === undefined) continue;
              this.imports.add(full.split('.')[0] ?? full);
              b.bind(alias, { module: full, name: '' });
            }
          }
          break;
        case 'from': {
          const mod = n.childForFieldName('module_name');
          if (mod === null || mod.type !== 'dotted_name') break; // relative imports are the repo's own files
          const module = mod.text.replace(/\s+/g, '');
          this.imports.add(module.split('.')[0] ?? module);
          if (n.children.some((c) => c.type === 'wildcard_import')) b.stars.push(module);
          for (const c of n.childrenForFieldName('name')) {
            if (c.type === 'dotted_name') {
              const name = c.text.replace(/\s+/g, '');
              b.bind(name.split('.')[0] ?? name, { module, name });
            } else if (c.type === 'aliased_import') {
              const name = c.childForFieldName('name')?.text.replace(/\s+/g, '');
              const alias = c.childForFieldName('alias')?.text;
              if (name !== undefined && alias !== undefined) b.bind(alias, { module, name });
            }
          }
          break;
        }
        case 'assign': {
          const left = n.childForFieldName('left');
          let right = n.childForFieldName('right');
          while (right !== null && right.type === 'assignment') right = right.childForFieldName('right');
          if (left === null || right === null) break;
          if (left.type === 'identifier') pending.push([left.text, right]);
          else if (left.type === 'attribute') {
            this.notReferences.add(left.id);
            const key = attributeKey(left);
            if (key !== undefined) pending.push([key, right]);
          } else if (
            (left.type === 'pattern_list' || left.type === 'tuple_pattern') &&
            (right.type === 'expression_list' || right.type === 'tuple') &&
            left.namedChildCount === right.namedChildCount
          ) {
            left.namedChildren.forEach((l, i) => {
              const r = right?.namedChild(i);
              if (l.type === 'identifier' && r !== null && r !== undefined) pending.push([l.text, r]);
            });
          }
          break;
        }
        case 'walrus': {
          const name = n.childForFieldName('name')?.text;
          const value = n.childForFieldName('value');
          if (name !== undefined && value !== null) pending.push([name, value]);
          break;
        }
        case 'def': {
          // Only module-level definitions shadow builtins (methods are reached through self/cls).
          let owner = n.parent;
          if (owner?.parent?.type === 'decorated_definition') owner = owner.parent;
          if (owner?.parent?.type === 'module') b.defined.add(n.text);
          break;
        }
      }
    }
    for (const [name, rhs] of pending) b.assign(name, rhs);
    // Aliases to a fixed point (a = os; b = a.system); constants and taint are computed on demand.
    const resolvable = pending.filter(([, rhs]) => RESOLVABLE.has(rhs.type));
    for (let round = 0; round < 4; round++) {
      let changed = false;
      for (const [name, rhs] of resolvable) {
        if (!this.mayResolve(rhs)) continue;
        for (const r of b.resolve(rhs)) changed = b.bind(name, r) || changed;
      }
      if (!changed) break;
    }
  }

  private readonly tainting = new Set<string>();

  /** Whether a name was ever assigned decoded or downloaded data (lazy, memoized, cycle-safe). */
  private taintOf(name: string): PayloadKind | undefined {
    if (this.taint.has(name)) return this.taint.get(name);
    const rhs = this.bindings.assigned.get(name);
    if (rhs === undefined || this.tainting.has(name)) return undefined;
    this.tainting.add(name);
    let kind: PayloadKind | undefined;
    try {
      for (const node of rhs) {
        kind = this.payloadKind(node);
        if (kind !== undefined) break;
      }
    } finally {
      this.tainting.delete(name);
    }
    this.taint.set(name, kind);
    return kind;
  }

  /** Whether an expression carries decoded or downloaded data (searched below it, bounded). */
  private payloadKind(node: Node): PayloadKind | undefined {
    const nodes = [node, ...node.descendantsOfType(['call', 'identifier', 'subscript'])].slice(
      0,
      MAX_PAYLOAD_NODES,
    );
    for (const d of nodes) {
      if (d.type === 'identifier') {
        const t = this.taintOf(d.text);
        if (t !== undefined) return t;
      } else if (d.type === 'subscript') {
        if (d.childForFieldName('subscript')?.text.replace(/\s+/g, '') === '::-1')
          return { kind: 'decoded', via: 'string reversal [::-1]' };
      } else if (d.type === 'call') {
        const fn = d.childForFieldName('function');
        if (fn === null) continue;
        if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'decode') {
          const enc = this.bindings.folder.str(argumentsOf(d).pos[0]);
          if (enc !== undefined && /^(base64|hex|rot_?13|zlib|bz2|uu)$/i.test(enc))
            return { kind: 'decoded', via: `.decode('${enc}')` };
        }
        for (const r of this.bindings.resolve(fn)) {
          const q = qualified(r);
          if (DECODERS.test(q)) return { kind: 'decoded', via: q };
          const j = judge(r, this.policy, undefined);
          if (j?.rule === R['remote-code/network'] || j?.rule === R['remote-code/code-download'])
            return { kind: 'downloaded', via: q };
          if (/^(requests|urllib|urllib2|urllib3|httpx|aiohttp|http\.client|socket)\b/.test(q))
            return { kind: 'downloaded', via: q };
        }
      }
    }
    return undefined;
  }

  // ---- pass 2: calls and references ----

  private view(call: Node): CallView {
    let parsed: { pos: Node[]; kw: Map<string, Node> } | undefined;
    const args = (): { pos: Node[]; kw: Map<string, Node> } => {
      parsed ??= argumentsOf(call);
      return parsed;
    };
    const folder = this.bindings.folder;
    const pick = (i: number, name?: string): Node | undefined =>
      (name === undefined ? undefined : args().kw.get(name)) ?? (i >= 0 ? args().pos[i] : undefined);
    return {
      str: (i, name) => folder.str(pick(i, name)),
      flag: (name, i = -1) => {
        const v = pick(i, name);
        if (v === undefined) return undefined;
        if (v.type === 'true') return true;
        if (v.type === 'false' || v.type === 'none') return false;
        return 'dynamic';
      },
      strings: () => {
        const out: string[] = [];
        const { pos, kw } = args();
        for (const a of [...pos, ...kw.values()]) {
          for (const s of [
            a,
            ...a.descendantsOfType(['string', 'concatenated_string', 'binary_operator']),
          ].slice(0, 256)) {
            const t = folder.str(s);
            if (t !== undefined) out.push(t);
          }
        }
        return out;
      },
      text: (name) => args().kw.get(name)?.text,
    };
  }

  /** False when the expression's source starts with an identifier nothing in the file binds. */
  private mayResolve(node: Node): boolean {
    const m = LEADING_IDENT.exec(node.text);
    return m === null || this.bindings.mayResolve(m[0]);
  }

  private onCall(call: Node): void {
    const fn = call.childForFieldName('function');
    if (fn === null) return;
    const view = this.view(call);
    const best = new Map<RuleMeta, { j: Judgement; ref: Ref }>();
    const refs = this.mayResolve(fn) ? this.bindings.resolve(fn) : [];
    for (const ref of refs) {
      const j = judge(ref, this.policy, view);
      if (j === undefined) continue;
      const old = best.get(j.rule);
      if (old === undefined || (atLeast(j.severity, old.j.severity) && j.severity !== old.j.severity))
        best.set(j.rule, { j, ref });
    }
    for (const { j, ref } of best.values()) {
      const q = displayName(ref);
      const via = fn.text === q || fn.text === qualified(ref) ? '' : ` (as ${short(fn.text, 60)})`;
      if (j.evaluates) this.onEvaluator(call, j, `${q}${via}`);
      else this.emit(call, j.rule, j.severity, `calls ${q}${via} — ${j.reason}`);
    }
    if (best.size === 0) this.checkComputedGetattr(call, fn);
    const trc = call.text.includes('trust_remote_code') ? view.flag('trust_remote_code') : undefined;
    if (trc === true || trc === 'dynamic') {
      const repo = view.str(0, 'pretrained_model_name_or_path');
      this.emit(
        call,
        R['remote-code/code-download'],
        trc === true ? 'high' : 'low',
        `${short(fn.text, 60)}(${repo === undefined ? '…' : `'${repo}'`}, trust_remote_code=${trc === true ? 'True' : 'computed'}) — loads another repository's Python code, which this scan never saw`,
      );
    }
    // Dangerous callables handed to other code: Thread(target=sy), atexit.register(system, …), map(eval, …).
    if (this.callableNames().size === 0) return;
    const { pos, kw } = argumentsOf(call);
    for (const a of [...pos, ...kw.values()]) {
      const names = this.callableNames();
      if (a.type !== 'identifier' || !(names.has(a.text) || names.has('*'))) continue;
      for (const ref of this.bindings.resolve(a)) {
        const j = judge(ref, this.policy, undefined);
        if (j === undefined) continue;
        this.emit(
          call,
          j.rule,
          j.severity,
          `passes ${displayName(ref)} (as ${a.text}) to ${short(fn.text, 60)} — ${j.reason}`,
        );
        break;
      }
    }
  }

  /** `getattr(os, name)` with a computed name on a module that hosts dangerous callables. */
  private checkComputedGetattr(call: Node, fn: Node): void {
    if (!this.bindings.resolve(fn).some((r) => qualified(r) === 'builtins.getattr')) return;
    const { pos } = argumentsOf(call);
    if (pos[1] === undefined || this.bindings.folder.str(pos[1]) !== undefined) return;
    for (const r of this.bindings.resolve(pos[0])) {
      if (r.name !== '') continue;
      const probe = r.module === 'builtins' ? undefined : this.policy.classify(r.module, 'modelguard_probe');
      if (r.module !== 'builtins' && (probe?.kind !== 'dangerous' || !HOSTILE_FAMILIES.has(probe.family)))
        continue;
      this.emit(
        call,
        R['remote-code/dynamic-import'],
        'medium',
        `getattr(${r.module}, ${short(pos[1].text, 40)}) — picks a ${r.module} function by a name computed at run time`,
      );
      return;
    }
  }

  private dangerousNames: Set<string> | undefined;

  /** Bare names that may denote a dangerous callable (aliases, builtins such as eval, star imports). */
  private callableNames(): Set<string> {
    if (this.dangerousNames === undefined) {
      const out = new Set<string>();
      const b = this.bindings;
      for (const name of [...b.aliases.keys(), 'eval', 'exec', 'execfile', 'compile', '__import__']) {
        if (b.resolveName(name).some((r) => judge(r, this.policy, undefined) !== undefined)) out.add(name);
      }
      if (b.stars.length > 0) out.add('*');
      this.dangerousNames = out;
    }
    return this.dangerousNames;
  }

  private onAttribute(node: Node): void {
    if (this.notReferences.has(node.id) || !this.mayResolve(node)) return;
    for (const ref of this.bindings.resolve(node)) {
      const j = judge(ref, this.policy, undefined);
      if (j === undefined) continue;
      const q = displayName(ref);
      this.emit(
        node,
        j.rule,
        j.severity,
        `references ${q}${node.text === q ? '' : ` (as ${short(node.text, 60)})`} as a value — ${j.reason}`,
      );
      return;
    }
  }

  private onExecStatement(node: Node): void {
    const j: Judgement = {
      rule: R['remote-code/code-execution'],
      severity: 'high',
      reason: 'the Python 2 exec statement evaluates a code string',
      evaluates: true,
    };
    this.onEvaluator(node, j, 'exec', node.childForFieldName('code'));
  }

  /** exec/eval/compile/FunctionType/marshal: look at what is evaluated. */
  private onEvaluator(call: Node, j: Judgement, what: string, payloadNode?: Node | null): void {
    let payload = payloadNode ?? undefined;
    if (payload === undefined) {
      const { pos, kw } = argumentsOf(call);
      payload = pos[0] ?? PAYLOAD_KEYWORDS.map((k) => kw.get(k)).find((n) => n !== undefined);
    }
    const kind = payload === undefined ? undefined : this.payloadKind(payload);
    const folded: Const | undefined = payload === undefined ? undefined : this.bindings.folder.fold(payload);
    const code = constText(folded);
    const shown = code === undefined ? undefined : `payload: ${short(code, this.limits.maxEvidenceChars)}`;
    if (kind !== undefined) {
      this.emit(
        call,
        R['remote-code/obfuscated-exec'],
        'critical',
        `${what} runs ${kind.kind === 'decoded' ? 'decoded' : 'downloaded'} data (via ${kind.via}) — the executed code is hidden from review`,
        shown,
      );
    } else {
      const arg = payload === undefined ? '' : `(${short(payload.text, 60)})`;
      this.emit(call, j.rule, j.severity, `calls ${what}${arg} — ${j.reason}`, shown);
    }
    if (code !== undefined && this.nesting < this.limits.maxExecNesting && code.length > 0)
      this.analyzePayload(call, code);
  }

  /** Parses a constant exec payload and reports what it does at the exec call's line. */
  private analyzePayload(call: Node, code: string): void {
    const parsed = parseWithBudget(this.g, code, Math.min(1000, this.limits.parseBudgetMs));
    if ('cancelled' in parsed) return;
    try {
      const inner: Emit = (n, rule, severity, text, extra) => {
        const line = short(n.text, this.limits.maxEvidenceChars);
        this.emit(call, rule, severity, `code run by exec: ${text}`, extra ?? `payload: ${line}`);
      };
      new FileAnalyzer(
        this.g,
        parsed.tree.rootNode,
        this.policy,
        this.limits,
        inner,
        this.nesting + 1,
        this.bindings,
      ).run();
    } finally {
      parsed.tree.delete();
    }
  }
}

/**
 * Analyses Python source statically (tree-sitter-python): dangerous calls, aliases and obfuscated
 * names, exec of decoded payloads (parsed in turn), loaders, downloads. Never executes or imports
 * anything and never throws for bad input.
 */
export async function analyzePython(bytes: Uint8Array, options: AnalyzeOptions): Promise<PythonAnalysis> {
  const limits: PythonLimits = { ...PYTHON_LIMITS, ...options.limits };
  const label = options.label;
  const head = bytes.subarray(0, Math.min(bytes.length, limits.maxReadBytes));
  if (bytes.length > limits.maxParseBytes) {
    const text = new TextDecoder('latin1').decode(head);
    const why = `is ${fmtInt(bytes.length)} bytes, over the ${fmtInt(limits.maxParseBytes)}-byte parse limit (maxParseBytes): not parsed`;
    return { issues: [unanalysable(label, why, text, false)], parsed: false, imports: [] };
  }
  const src = decodePython(bytes);
  if (src.problem !== undefined)
    return {
      issues: [unanalysable(label, src.problem, src.text, src.evasive === true)],
      parsed: false,
      imports: [],
    };
  let g: PythonGrammar;
  try {
    g = await loadPythonGrammar();
  } catch (e) {
    const why = `could not be parsed: the Python grammar failed to load (${errorMessage(e)})`;
    return { issues: [unanalysable(label, why, src.text, false)], parsed: false, imports: [] };
  }
  const parsed = parseWithBudget(g, src.text, limits.parseBudgetMs);
  if ('cancelled' in parsed) {
    const why = `took longer than ${fmtInt(limits.parseBudgetMs)} ms to parse (parseBudgetMs): not analysed`;
    return { issues: [unanalysable(label, why, src.text, false)], parsed: false, imports: [] };
  }
  const lines = new LineIndex(src, limits.maxEvidenceChars);
  const sink = new IssueSink(label, lines, limits, options.offsets !== false);
  try {
    const root = parsed.tree.rootNode;
    const analyzer = new FileAnalyzer(g, root, options.policy, limits, sink.emit, 0);
    analyzer.run();
    if (root.hasError) sink.issues.push(syntaxIssue(label, root, src.text, sink.issues));
    return { issues: sink.finish(), parsed: true, imports: [...analyzer.imports].sort() };
  } finally {
    parsed.tree.delete();
  }
}

export {
  type AnalyzeOptions,
  PYTHON_LIMITS,
  type PyIssue,
  type PythonAnalysis,
  type PythonLimits,
} from './python-types.js';
