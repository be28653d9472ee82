import type { Document, LineCounter, Node as YamlNode } from 'yaml';
import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import type { Policy } from '../policy/policy.js';
import { CONFIG_RULES as R } from './rules.js';
import { judgeTarget } from './targets.js';
import { CONFIG_LIMITS, type ConfigLimits, type Issue } from './types.js';
import { yamlLib } from './yaml-lib.js';

/**
 * YAML configs read with the yaml package's safe core schema: tags are reported, never constructed;
 * the document tree is walked as parsed, aliases at their anchor only (never expanded, never toJS), so
 * billion-laughs files cost their size; their expansion is computed and reported.
 */
export interface YamlParse {
  docs: Document.Parsed[];
  lines: LineCounter;
  /** Why the file could not be (fully) read, if it could not. */
  problem?: string;
}

/** Deepest `[`/`{` nesting outside quoted scalars (approximate): the YAML parser recurses per level. */
export function flowDepth(text: string, stopAt: number): number {
  let depth = 0;
  let max = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== '') {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"') i++;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || text[i - 1] === ' ' || text[i - 1] === '\n')) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else if (c === '[' || c === '{') {
      depth++;
      if (depth > max) max = depth;
      if (max > stopAt) return max;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
    else if (c === '\n') quote = '';
  }
  return max;
}

export function parseYaml(text: string, limits: ConfigLimits = CONFIG_LIMITS): YamlParse {
  const lines = new (yamlLib().LineCounter)();
  const depth = flowDepth(text, limits.maxNesting);
  if (depth > limits.maxNesting)
    return {
      docs: [],
      lines,
      problem: `flow collections nest more than ${fmtInt(limits.maxNesting)} levels deep (maxNesting): not parsed`,
    };
  try {
    const docs = yamlLib().parseAllDocuments(text, {
      lineCounter: lines,
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'silent',
    });
    const list = Array.isArray(docs) ? docs : [];
    const err = list.flatMap((d) => d.errors)[0];
    return {
      docs: list,
      lines,
      ...(err === undefined ? {} : { problem: `YAML error: ${err.message.split('\n')[0] ?? err.message}` }),
    };
  } catch (e) {
    return { docs: [], lines, problem: `YAML parser failed: ${errorMessage(e)}` };
  }
}

/**
 * Node count of the document with every alias replaced by a copy of its anchor, saturating at
 * `limit + 1`; an alias inside its own anchor (a cycle) counts as over the limit. One pass, memoized.
 */
export function expandedSize(root: unknown, limit: number): number {
  const over = limit + 1;
  const sizes = new Map<unknown, number>();
  const anchors = new Map<string, unknown>();
  const leaf = (n: unknown): number | undefined => {
    if (yamlLib().isAlias(n)) {
      const target = anchors.get(n.source);
      return target === undefined ? 1 : (sizes.get(target) ?? over);
    }
    if (yamlLib().isMap(n) || yamlLib().isSeq(n) || yamlLib().isPair(n)) return undefined;
    return 1;
  };
  const kidsOf = (n: unknown): unknown[] =>
    yamlLib().isPair(n)
      ? [n.key, n.value]
      : yamlLib().isMap(n) || yamlLib().isSeq(n)
        ? (n.items as unknown[])
        : [];
  type Frame = { node: unknown; kids: unknown[]; i: number; sum: number };
  const stack: Frame[] = [];
  const enter = (n: unknown): number | undefined => {
    const anchor = yamlLib().isNode(n) ? (n as { anchor?: unknown }).anchor : undefined;
    if (typeof anchor === 'string') anchors.set(anchor, n);
    const l = leaf(n);
    if (l !== undefined) {
      if (yamlLib().isNode(n) && !yamlLib().isAlias(n)) sizes.set(n, l);
      return l;
    }
    stack.push({ node: n, kids: kidsOf(n), i: 0, sum: 1 });
    return undefined;
  };
  let result = enter(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    if (top.i < top.kids.length) {
      const v = enter(top.kids[top.i++]);
      if (v !== undefined) top.sum = Math.min(over, top.sum + v);
      continue;
    }
    stack.pop();
    sizes.set(top.node, top.sum);
    const parent = stack[stack.length - 1];
    if (parent === undefined) result = top.sum;
    else parent.sum = Math.min(over, parent.sum + top.sum);
  }
  return result ?? 0;
}

const PYTHON_TAG = /^(?:tag:yaml\.org,2002:|!!?)python\/(\w+(?:\/\w+)*)(?::(.*))?$/;

function lineOf(lines: LineCounter, node: YamlNode): number | undefined {
  const start = node.range?.[0];
  return start === undefined ? undefined : lines.linePos(start).line;
}

function scalarText(v: unknown): string | undefined {
  if (yamlLib().isScalar(v)) {
    const x = v.value;
    return typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : undefined;
  }
  return undefined;
}

function short(s: string, max = 160): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** The keys that name what Hydra instantiates: `_target_`, and Hydra 0.11's `target`/`cls` next to `params`. */
function targetOf(map: YamlNode): { key: string; value: string; node: YamlNode } | undefined {
  if (!yamlLib().isMap(map)) return undefined;
  let legacy: { key: string; value: string; node: YamlNode } | undefined;
  let hasParams = false;
  for (const p of map.items) {
    const k = scalarText(p.key);
    if (k === '_target_') {
      const v = scalarText(p.value);
      if (v !== undefined && yamlLib().isNode(p.value)) return { key: k, value: v, node: p.value };
    }
    if (k === 'params') hasParams = true;
    if ((k === 'target' || k === 'cls' || k === 'class') && yamlLib().isNode(p.value)) {
      const v = scalarText(p.value);
      if (v?.includes('.')) legacy = { key: k, value: v, node: p.value };
    }
  }
  return hasParams ? legacy : undefined;
}

/** A short rendering of a YAML value (bounded: never stringifies a whole subtree). */
function preview(v: unknown, max = 80, depth = 0): string {
  if (yamlLib().isScalar(v)) return short(String(v.value).replace(/\s+/g, ' '), max);
  if (yamlLib().isAlias(v)) return `*${v.source}`;
  if (depth >= 2) return '…';
  if (yamlLib().isSeq(v)) {
    const items = v.items.slice(0, 4).map((x) => preview(x, 30, depth + 1));
    return short(`[${items.join(', ')}${v.items.length > 4 ? ', …' : ''}]`, max);
  }
  if (yamlLib().isMap(v)) {
    const items = v.items
      .slice(0, 4)
      .map((p) => `${preview(p.key, 20, depth + 1)}: ${preview(p.value, 30, depth + 1)}`);
    return short(`{${items.join(', ')}${v.items.length > 4 ? ', …' : ''}}`, max);
  }
  return '';
}

function argsOf(map: YamlNode): string {
  if (!yamlLib().isMap(map)) return '';
  const parts: string[] = [];
  for (const p of map.items) {
    const k = scalarText(p.key);
    if (k === undefined || k === '_target_') continue;
    if (k === '_args_' || k === 'command' || k === 'cmd' || k === 'args' || parts.length < 3) {
      parts.push(`${k}: ${preview(p.value)}`);
    }
  }
  return parts.join(', ');
}

export interface YamlScanOptions {
  label: string;
  policy: Policy;
  limits?: ConfigLimits;
}

/** Reports `_target_` callables, `!!python/...` tags and unreadable YAML. Never throws. */
export function scanYamlConfig(text: string, options: YamlScanOptions): Issue[] {
  const limits = options.limits ?? CONFIG_LIMITS;
  const { label, policy } = options;
  const parsed = parseYaml(text, limits);
  const issues: Issue[] = [];
  if (parsed.problem !== undefined)
    issues.push({ rule: R['configs/malformed'], message: `${label}: ${parsed.problem}`, evidence: label });
  const unknown = new Map<string, number | undefined>();
  let tagCount = 0;
  let targetCount = 0;
  let visited = 0;
  let aliases = 0;
  const stack: unknown[] = parsed.docs.map((d) => d.contents);
  while (stack.length > 0) {
    const n = stack.pop();
    if (++visited > limits.maxNodes) {
      issues.push({
        rule: R['configs/malformed'],
        message: `${label}: more than ${fmtInt(limits.maxNodes)} YAML nodes (maxNodes); the rest was not inspected`,
        evidence: label,
      });
      break;
    }
    if (yamlLib().isPair(n)) {
      stack.push(n.value, n.key);
      continue;
    }
    if (yamlLib().isAlias(n)) {
      aliases++;
      continue;
    }
    if (!yamlLib().isNode(n)) continue;
    const tag = n.tag;
    if (tag !== undefined) {
      const m = PYTHON_TAG.exec(tag);
      if (m && ++tagCount <= limits.maxIssuesPerRule) {
        const kind = m[1] ?? '';
        const callable = (m[2] ?? '').trim();
        const v = callable === '' ? undefined : judgeTarget(callable, policy);
        const line = lineOf(parsed.lines, n);
        const calls = /^object\/(apply|new)$/.test(kind);
        issues.push({
          rule: R['configs/yaml-python-tag'],
          severity: v?.kind === 'dangerous' ? 'critical' : 'high',
          message: `${label}${line === undefined ? '' : ` line ${line}`}: !!python/${kind}${callable === '' ? '' : `:${callable}`} — an unsafe YAML loader ${calls ? 'calls' : 'imports'} ${callable === '' ? 'a Python object' : callable}${v?.kind === 'dangerous' ? ` (${v.reason})` : ''}`,
          evidence: `${label}:${line ?? '?'}: ${short(tag)} ${preview(n, 120)}`,
        });
      }
    }
    if (yamlLib().isMap(n)) {
      const t = targetOf(n);
      if (t !== undefined) {
        targetCount++;
        const line = lineOf(parsed.lines, t.node);
        const v = judgeTarget(t.value, policy);
        const args = argsOf(n);
        const evidence = `${label}:${line ?? '?'}: ${t.key}: ${short(t.value)}${args === '' ? '' : `, ${args}`}`;
        if (v.kind === 'dangerous') {
          issues.push({
            rule: R['configs/hydra-target'],
            severity: v.severity,
            message: `${label}${line === undefined ? '' : ` line ${line}`}: ${t.key}: ${t.value} — instantiating the config calls it: ${v.reason}`,
            evidence,
          });
        } else if (v.kind !== 'known') {
          const seen = unknown.get(t.value);
          if (!unknown.has(t.value) || (line !== undefined && (seen === undefined || line < seen)))
            unknown.set(t.value, line);
        }
        const trc = n.items.find((p) => scalarText(p.key) === 'trust_remote_code');
        if (trc !== undefined && scalarText(trc.value) === 'true')
          issues.push({
            rule: R['configs/hydra-target'],
            severity: 'high',
            message: `${label}${line === undefined ? '' : ` line ${line}`}: ${t.value} with trust_remote_code: true — loads another repository's Python code`,
            evidence,
          });
      }
      for (const p of n.items) stack.push(p);
      continue;
    }
    if (yamlLib().isSeq(n)) for (const item of n.items) stack.push(item);
  }
  if (aliases > 0) {
    for (const d of parsed.docs) {
      const size = expandedSize(d.contents, limits.maxAliasExpansion);
      if (size <= limits.maxAliasExpansion) continue;
      issues.push({
        rule: R['configs/malformed'],
        message: `${label}: its ${fmtInt(aliases)} YAML aliases expand the document to more than ${fmtInt(limits.maxAliasExpansion)} nodes (maxAliasExpansion): loaders that copy aliased values (OmegaConf, Hydra) exhaust memory (billion laughs); nothing was expanded here`,
        evidence: label,
      });
      break;
    }
  }
  if (tagCount > limits.maxIssuesPerRule)
    issues.push({
      rule: R['configs/yaml-python-tag'],
      message: `${label}: ${fmtInt(tagCount - limits.maxIssuesPerRule)} more !!python tags were not listed`,
      evidence: label,
    });
  if (unknown.size > 0) {
    const list = [...unknown]
      .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0))
      .slice(0, 10)
      .map(([t, l]) => `${t}${l === undefined ? '' : ` (line ${l})`}`);
    issues.push({
      rule: R['configs/hydra-target'],
      severity: 'medium',
      message: `${label}: ${fmtInt(unknown.size)} _target_ callable${unknown.size > 1 ? 's' : ''} outside the danger catalogue and the known frameworks (of ${fmtInt(targetCount)} targets): ${list.join(', ')}${unknown.size > 10 ? ', …' : ''}`,
      evidence: `${label}: ${list.join(', ')}`,
    });
  }
  return issues;
}
