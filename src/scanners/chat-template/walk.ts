/**
 * Generic walk of the @huggingface/jinja AST (untyped objects with a string `type`): every node is
 * checked in its context (attribute name, variable, keyword, filter argument, literal, folded
 * constant), and the issues are grouped by the top-level expression they sit in, which becomes the
 * finding's evidence.
 */
import { maxSeverity, type Severity } from '../../core/severity.js';
import { collectSets, Folder } from './fold.js';
import { instructionIn } from './instructions.js';
import {
  attributeVerdict,
  gadgetIn,
  identifierVerdict,
  isDunderFragment,
  JINJA_GLOBALS,
  type NameVerdict,
  pathVerdict,
} from './names.js';
import { isNode, type Node, printExpr } from './print.js';
import type { ChatTemplateLimits, TemplateFinding } from './types.js';

const STATEMENTS = new Set([
  'Program',
  'If',
  'For',
  'Break',
  'Continue',
  'Set',
  'Macro',
  'Comment',
  'FilterStatement',
  'CallStatement',
]);
/** Statement fields holding statements (StringLiterals there are template text). */
const BODIES = new Set(['body', 'alternate', 'defaultBlock']);
/** Issues listed per expression (a 1 MiB expression can hold 100,000 of them). CWE-400. */
const MAX_ISSUES_PER_EXPRESSION = 12;
/** Filters whose arguments name attributes. */
const ATTRIBUTE_FILTERS = new Set([
  'attr',
  'map',
  'select',
  'reject',
  'selectattr',
  'rejectattr',
  'sort',
  'groupby',
  'sum',
  'min',
  'max',
  'unique',
]);

interface Visit {
  node: Node;
  parent: Node | undefined;
  key: string;
  /** The top-level expression this node belongs to (undefined for statements). */
  root: Node | undefined;
}

interface Issue {
  severity: Severity;
  why: string;
}

/** Children of a node: AST objects in its fields, arrays and Maps (operator tokens are skipped). */
function children(n: Node): [string, Node][] {
  const out: [string, Node][] = [];
  for (const [k, v] of Object.entries(n)) {
    if (k === 'type' || k === 'operator') continue;
    if (isNode(v)) out.push([k, v]);
    else if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push([k, x]);
    } else if (v instanceof Map) {
      for (const [a, b] of v) {
        if (isNode(a)) out.push([k, a]);
        if (isNode(b)) out.push([k, b]);
      }
    }
  }
  return out;
}

function filterName(f: unknown): { name: string; args: unknown[] } | undefined {
  if (isNode(f) && f.type === 'Identifier') return { name: String(f.value), args: [] };
  if (isNode(f) && f.type === 'CallExpression' && isNode(f.callee) && f.callee.type === 'Identifier')
    return { name: String(f.callee.value), args: Array.isArray(f.args) ? f.args : [] };
  return undefined;
}

/** Walks `program`; returns the findings (injection and hidden-instruction kinds). */
export function analyzeAst(
  program: Node,
  limits: ChatTemplateLimits,
): { findings: TemplateFinding[]; truncated: boolean } {
  const visits: Visit[] = [];
  const stack: Visit[] = [{ node: program, parent: undefined, key: '', root: undefined }];
  let truncated = false;
  while (stack.length > 0) {
    const v = stack.pop() as Visit;
    if (visits.length >= limits.maxNodes) {
      truncated = true;
      break;
    }
    visits.push(v);
    const isStmt = STATEMENTS.has(v.node.type);
    const kids = children(v.node);
    for (let i = kids.length - 1; i >= 0; i--) {
      const [key, child] = kids[i] as [string, Node];
      const childIsStmt = STATEMENTS.has(child.type);
      // A string directly in a statement body is template text (`{{ 'x' }}` parses the same way).
      const text = isStmt && BODIES.has(key) && child.type === 'StringLiteral';
      const root = childIsStmt || text ? undefined : isStmt ? child : v.root;
      stack.push({ node: child, parent: v.node, key, root });
    }
  }
  const byNode = new Map<Node, Visit>();
  for (const v of visits) byNode.set(v.node, v);
  const env = collectSets(
    visits.map((v) => v.node).filter((n) => n.type === 'Set'),
    limits.maxFoldLength,
  );
  const folder = new Folder(env, limits.maxFoldLength);
  const issues = new Map<Node, Issue[]>();
  const add = (root: Node | undefined, v: NameVerdict | Issue | undefined, prefix = ''): void => {
    if (root === undefined || v === undefined) return;
    const list = issues.get(root) ?? [];
    const why = prefix + v.why;
    if (list.length >= MAX_ISSUES_PER_EXPRESSION) {
      // Keep the message short (and this check linear): only a worse severity still gets in.
      if (maxSeverity(list.map((x) => x.severity)) === 'critical' || v.severity !== 'critical') return;
    }
    if (!list.some((x) => x.why === why)) list.push({ severity: v.severity, why });
    issues.set(root, list);
  };
  const texts: { node: Node; text: string }[] = [];
  const triggers: Node[] = [];

  for (const { node: n, parent, key, root } of visits) {
    const pType = parent?.type ?? '';
    switch (n.type) {
      case 'Identifier': {
        const name = String(n.value);
        if (pType === 'MemberExpression' && key === 'property' && parent?.computed !== true)
          add(root, attributeVerdict(name));
        else if (pType === 'KeywordArgumentExpression' && key === 'key') {
          const v = identifierVerdict(name);
          if (v?.severity === 'critical')
            add(root, {
              severity: 'critical',
              why: `keyword argument named '${name}' (turns the name into a string)`,
            });
        } else if (
          !(pType === 'FilterExpression' && key === 'filter') &&
          !(
            pType === 'CallExpression' &&
            key === 'callee' &&
            parent !== undefined &&
            byNode.get(parent)?.key === 'filter'
          )
        )
          add(root, identifierVerdict(name));
        break;
      }
      case 'StringLiteral': {
        const s = String(n.value);
        if (root === undefined) {
          texts.push({ node: n, text: s });
          break;
        }
        const strict = pType === 'MemberExpression' && key === 'property';
        const v = strict ? attributeVerdictLiteral(s) : literalVerdict(s);
        if (v !== undefined) add(root, v, 'string ');
        else if (gadgetIn(s) !== undefined)
          add(root, { severity: 'high', why: `string containing '${gadgetIn(s)}'` });
        else if (isDunderFragment(s))
          add(root, { severity: 'medium', why: `dunder fragment '${s}' (concatenation bait)` });
        break;
      }
      case 'MemberExpression': {
        if (n.computed === true && isNode(n.property) && n.property.type === 'Identifier') {
          const key = folder.fold(n.property);
          if (typeof key === 'string') add(root, attributeVerdictLiteral(key), 'subscript ');
        }
        const obj = n.object;
        if (isNode(obj) && obj.type === 'Identifier' && JINJA_GLOBALS.has(String(obj.value)))
          add(root, {
            severity: 'high',
            why: `attribute of the Jinja global '${String(obj.value)}' (first step of the cycler/lipsum/namespace escapes)`,
          });
        break;
      }
      case 'FilterExpression':
      case 'FilterStatement': {
        const f = filterName(n.filter);
        if (f === undefined || !ATTRIBUTE_FILTERS.has(f.name)) break;
        const nameArgs =
          f.name === 'attr'
            ? f.args.slice(0, 1)
            : f.name === 'map' && isAttrMap(f.args, folder)
              ? f.args.slice(1, 2)
              : [];
        for (const a of nameArgs) {
          const val = folder.fold(a);
          if (typeof val === 'string') {
            const v = attributeVerdict(val);
            if (v !== undefined) add(root ?? n, v, `|${f.name}: `);
          } else
            add(root ?? n, {
              severity: 'high',
              why: `|${f.name} with a computed attribute name (${printExpr(a, 60)})`,
            });
        }
        break;
      }
      case 'CallExpression': {
        const callee = n.callee;
        if (
          isNode(callee) &&
          callee.type === 'MemberExpression' &&
          !callee.computed &&
          isNode(callee.property)
        ) {
          const method = String(callee.property.value);
          if (method === 'format' || method === 'format_map') {
            const fmt = folder.fold(callee.object);
            if (typeof fmt === 'string' && /\{[^{}]*[.[][^{}]*\}/.test(fmt))
              add(root, {
                severity: 'critical',
                why: `str.${method} field with attribute access (${fmt.slice(0, 60)})`,
              });
          }
        }
        break;
      }
      case 'If':
        if (testsContentForLiteral(n.test)) triggers.push(n);
        break;
    }
    // Constants built from pieces: check what they evaluate to.
    if (root !== undefined && n.type !== 'StringLiteral' && n.type !== 'Identifier') {
      const val = folder.fold(n);
      if (typeof val === 'string') {
        const v =
          literalVerdict(val) ??
          (gadgetIn(val) === undefined
            ? undefined
            : { severity: 'critical' as const, why: `'${gadgetIn(val)}'` });
        if (v !== undefined)
          add(root, { severity: 'critical', why: `builds ${v.why.replace(/^string /, '')} from pieces` });
      }
    }
  }

  const findings: TemplateFinding[] = [];
  for (const [root, list] of issues) {
    const severity = maxSeverity(list.map((i) => i.severity)) ?? 'medium';
    if (severity === 'info' || severity === 'low') continue; // only context, nothing suspicious
    findings.push({
      kind: 'injection',
      severity,
      message: `chat template expression uses ${list.map((i) => i.why).join('; ')}`,
      evidence: printExpr(root, limits.maxEvidenceChars),
    });
  }
  for (const { text } of texts) {
    const hit = instructionIn(text);
    if (hit !== undefined)
      findings.push({
        kind: 'hidden-instruction',
        severity: 'medium',
        message: `chat template text ${hit.why}`,
        evidence: hit.excerpt,
      });
  }
  for (const t of triggers) {
    const emitted = emittedText(t, byNode);
    if (emitted !== undefined)
      findings.push({
        kind: 'hidden-instruction',
        severity: 'medium',
        message: `chat template adds text of its own only when a message contains a given string (a trigger): ${printExpr(t.test, 80)}`,
        evidence: emitted.slice(0, limits.maxEvidenceChars),
      });
  }
  return { findings, truncated };
}

/** `map('attr', name)` applies the attr filter per item. */
function isAttrMap(args: unknown[], folder: Folder): boolean {
  return args.length >= 2 && folder.fold(args[0]) === 'attr';
}

/** A string used as an attribute name by subscript (`x['__class__']`): underscores and internals only. */
function attributeVerdictLiteral(s: string): NameVerdict | undefined {
  const v = attributeVerdict(s);
  return v?.severity === 'critical' ? v : literalVerdict(s);
}

/** Any other string: dunder, name-mangled or dotted paths with them (`'__class__.__mro__'`). */
function literalVerdict(s: string): NameVerdict | undefined {
  const v = pathVerdict(s);
  if (v === undefined || v.severity !== 'critical') return undefined;
  return { severity: 'critical', why: `'${s.length > 60 ? `${s.slice(0, 60)}…` : s}' (${v.why})` };
}

/** `'trigger' in message['content']`, `message.content.startswith('trigger')` … */
function testsContentForLiteral(test: unknown): boolean {
  if (!isNode(test)) return false;
  const stack: unknown[] = [test];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!isNode(n)) continue;
    if (n.type === 'BinaryExpression' && (n.operator as { value?: unknown } | undefined)?.value === 'in') {
      const l = n.left;
      if (
        isNode(l) &&
        l.type === 'StringLiteral' &&
        String(l.value).length >= 3 &&
        /content/.test(printExpr(n.right, 80))
      )
        return true;
    }
    if (n.type === 'CallExpression' && isNode(n.callee) && n.callee.type === 'MemberExpression') {
      const m = isNode(n.callee.property) ? String(n.callee.property.value) : '';
      if (
        ['startswith', 'endswith', 'find', 'count', 'index'].includes(m) &&
        /content/.test(printExpr(n.callee.object, 80))
      )
        return true;
    }
    for (const [, c] of children(n)) stack.push(c);
  }
  return false;
}

/** Natural-language text an If statement's branches print (literal text or `{{ 'literal' }}`). */
function emittedText(ifNode: Node, byNode: ReadonlyMap<Node, Visit>): string | undefined {
  const inside = new Set<Node>();
  const stack: Node[] = [];
  for (const k of ['body', 'alternate']) {
    const b = ifNode[k];
    if (Array.isArray(b)) for (const x of b) if (isNode(x)) stack.push(x);
  }
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    inside.add(n);
    if (n.type === 'If') continue; // nested conditions are their own triggers
    for (const [, c] of children(n)) stack.push(c);
  }
  for (const n of inside) {
    const v = byNode.get(n);
    if (v === undefined || n.type !== 'StringLiteral') continue;
    const isOutput = v.root === undefined ? BODIES.has(v.key) : v.root === v.node;
    if (!isOutput) continue;
    // Role markup is stripped, not skipped: an injected fake system turn carries markup too.
    const s = String(n.value)
      .replace(/<\|[^|>]*\|>|\[\/?INST\]|<\/?(?:start|end)_of_turn>|<\/?s>/g, ' ')
      .trim();
    if ((s.match(/[A-Za-z]{2,}/g) ?? []).length >= 6) return s;
  }
  return undefined;
}
