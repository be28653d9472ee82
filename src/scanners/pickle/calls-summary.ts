import { fmtInt } from '../../core/format-number.js';
import type { PickleCall, PickleGlobal, PickleStream, PickleValue } from '../../formats/pickle/index.js';

/** Distinct callables listed in the `pickle/calls` evidence. */
const SUMMARY_LINES = 12;

function globalName(g: PickleGlobal): string {
  return `${g.module}.${g.name}`;
}

/** A short name for what a call invokes: `posix.system`, `torch.FloatStorage.__new__`, `numpy.size.__setstate__`. */
export function callLabel(c: PickleCall): string {
  return withOpcode(baseLabel(c), c.opcode);
}

function baseLabel(c: PickleCall): string {
  const t = c.target;
  let base: string;
  if (t.t === 'global') base = globalName(t.global);
  else if (t.t === 'call') {
    const inner = t.call.target;
    base = inner.t === 'global' ? `${globalName(inner.global)}(…)` : `<result of call at ${t.call.offset}>`;
  } else if (t.t === 'ext') base = `<copyreg extension ${t.code}>`;
  else base = c.callee.kind === 'other' ? `<${c.callee.description}>` : `<${t.t}>`;
  return base;
}

function withOpcode(base: string, opcode: PickleCall['opcode']): string {
  switch (opcode) {
    case 'NEWOBJ':
    case 'NEWOBJ_EX':
      return `${base}.__new__`;
    case 'BUILD':
      return `${base}.__setstate__`;
    case 'APPEND':
      return `${base}.extend`;
    case 'SETITEMS':
      return `${base}.__setitem__`;
    case 'ADDITEMS':
      return `${base}.add`;
    default:
      return base;
  }
}

/**
 * callLabel, remembered per global callee and opcode: a big checkpoint makes 10⁴–10⁵ calls of a few
 * globals (memoized, so the same PickleGlobal object), and building and hashing a fresh label string
 * per call was most of the summary's time. Targets other than globals are labelled afresh.
 */
class LabelCache {
  private readonly byGlobal = new Map<PickleGlobal, Map<string, string>>();
  of(c: PickleCall): string {
    if (c.target.t !== 'global') return callLabel(c);
    let byOpcode = this.byGlobal.get(c.target.global);
    if (byOpcode === undefined) {
      byOpcode = new Map();
      this.byGlobal.set(c.target.global, byOpcode);
    }
    let label = byOpcode.get(c.opcode);
    if (label === undefined) {
      label = callLabel(c);
      byOpcode.set(c.opcode, label);
    }
    return label;
  }
}

/** Message and evidence of the `pickle/calls` finding of a stream, or undefined when it calls nothing. */
export function summarizeCalls(s: PickleStream): { message: string; evidence: string } | undefined {
  if (s.calls.length === 0) return undefined;
  const groups = new Map<string, { first: PickleCall; count: number }>();
  const labels = new LabelCache();
  for (const c of s.calls) {
    const label = labels.of(c);
    const g = groups.get(label);
    if (g) g.count++;
    else groups.set(label, { first: c, count: 1 });
  }
  const lines: string[] = [];
  for (const [label, g] of groups) {
    if (lines.length === SUMMARY_LINES) {
      lines.push(`… and ${fmtInt(groups.size - SUMMARY_LINES)} more callables`);
      break;
    }
    lines.push(g.count > 1 ? `${fmtInt(g.count)}× ${label}, first: ${g.first.trace}` : g.first.trace);
  }
  const n = s.calls.length;
  return {
    message: `Loading performs ${fmtInt(n)} call${n === 1 ? '' : 's'} of ${fmtInt(groups.size)} distinct callable${groups.size === 1 ? '' : 's'}`,
    evidence: lines.join('\n'),
  };
}

/** Evidence for a global: the first call that invokes it, else the first that mentions it, else the import. */
export function globalEvidence(s: PickleStream, g: PickleGlobal): string {
  const name = globalName(g);
  for (const c of s.calls) {
    if (c.target.t === 'global' && c.target.global.module === g.module && c.target.global.name === g.name) {
      return c.trace;
    }
  }
  for (const c of s.calls) if (mentions(c, g)) return c.trace;
  const written = g.written ? ` (written ${g.written.module}.${g.written.name})` : '';
  return `import ${name}${written} by ${g.opcode} at ${g.offset}`;
}

/** Values looked at per call when searching for a global among its arguments. */
const MENTION_BUDGET = 256;

/** Whether a call's target or arguments contain global `g` (bounded, cycle-safe, no recursion). */
function mentions(c: PickleCall, g: PickleGlobal): boolean {
  const todo: PickleValue[] = [c.target, c.argument];
  const seen = new Set<PickleValue>();
  for (let budget = MENTION_BUDGET; todo.length > 0 && budget > 0; budget--) {
    const v = todo.pop() as PickleValue;
    if (seen.has(v)) continue;
    seen.add(v);
    switch (v.t) {
      case 'global':
        if (v.global.module === g.module && v.global.name === g.name) return true;
        break;
      case 'call':
        todo.push(v.call.target, v.call.argument);
        break;
      case 'persid':
        todo.push(v.id);
        break;
      case 'dict':
        todo.push(...v.keys, ...v.values);
        break;
      case 'tuple':
      case 'list':
      case 'set':
      case 'frozenset':
        todo.push(...v.items);
        break;
      default:
        break;
    }
  }
  return false;
}
