/**
 * Constant folding of template expressions to the strings they build, so names assembled from pieces
 * (`'__cla' + 'ss__'`, `['__glo','bals__']|join`, `'__ssalc__'[::-1]`, `'%c%c'|format(95, 95)`, a
 * `{% set %}` variable) are checked like literals. Folding is bounded: results longer than `maxLength`
 * are abandoned (a template can ask for `'a' * 10**9`).
 */
import { isNode, type Node } from './print.js';

export type Folded = string | number | Folded[];

/** Expression depth folded (50,000-deep filter chains parse fine and must not overflow the stack). */
const MAX_FOLD_DEPTH = 200;

function isStr(v: Folded | undefined): v is string {
  return typeof v === 'string';
}
function isNum(v: Folded | undefined): v is number {
  return typeof v === 'number';
}

function pySlice(n: number, start: number | undefined, stop: number | undefined, step: number): number[] {
  const out: number[] = [];
  if (!Number.isInteger(step) || step === 0) return out;
  const norm = (i: number, dflt: number, lo: number, hi: number): number => {
    if (i === undefined || Number.isNaN(i)) return dflt;
    const j = i < 0 ? i + n : i;
    return Math.min(Math.max(j, lo), hi);
  };
  if (step > 0) {
    const a = norm(start as number, 0, 0, n);
    const b = norm(stop as number, n, 0, n);
    for (let i = a; i < b; i += step) out.push(i);
  } else {
    const a = norm(start as number, n - 1, -1, n - 1);
    const b = norm(stop as number, -1, -1, n - 1);
    for (let i = a; i > b; i += step) out.push(i);
  }
  return out;
}

/** Python %-formatting for the conversions obfuscation uses (%s %c %d %%). */
function percent(fmt: string, args: Folded[]): string | undefined {
  let k = 0;
  let bad = false;
  const out = fmt.replace(/%([%scdir])/g, (_m, c: string) => {
    if (c === '%') return '%';
    const a = args[k++];
    if (a === undefined) {
      bad = true;
      return '';
    }
    if (c === 'c') return isNum(a) ? String.fromCodePoint(a) : isStr(a) ? a : '';
    return Array.isArray(a) ? '' : String(a);
  });
  return bad ? undefined : out;
}

/** str.format with positional `{}` / `{0}` fields (fields with attribute access are left alone). */
function braces(fmt: string, args: Folded[]): string | undefined {
  let k = 0;
  let bad = false;
  const out = fmt.replace(/\{(\d*)\}/g, (_m, d: string) => {
    const a = args[d === '' ? k++ : Number(d)];
    if (a === undefined || Array.isArray(a)) {
      bad = true;
      return '';
    }
    return String(a);
  });
  return bad ? undefined : out;
}

const STRING_METHODS: Record<string, (s: string, args: Folded[]) => Folded | undefined> = {
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  strip: (s) => s.trim(),
  lstrip: (s) => s.trimStart(),
  rstrip: (s) => s.trimEnd(),
  trim: (s) => s.trim(),
  title: (s) => s.replace(/\b\w/g, (c) => c.toUpperCase()),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  reverse: (s) => [...s].reverse().join(''),
  string: (s) => s,
  replace: (s, [a, b]) => (isStr(a) && isStr(b) ? s.split(a).join(b) : undefined),
  format: (s, args) => (s.includes('%') ? percent(s, args) : braces(s, args)),
  join: (s, [xs]) => (Array.isArray(xs) && xs.every(isStr) ? xs.join(s) : undefined),
  first: (s) => s.charAt(0),
  last: (s) => s.charAt(s.length - 1),
  list: (s) => [...s],
};

/** Filters on lists (`|join`, `|first` …). */
const LIST_FILTERS: Record<string, (xs: Folded[], args: Folded[]) => Folded | undefined> = {
  join: (xs, [sep]) => (xs.every(isStr) ? xs.join(isStr(sep) ? sep : '') : undefined),
  first: (xs) => xs[0],
  last: (xs) => xs[xs.length - 1],
  reverse: (xs) => [...xs].reverse(),
  list: (xs) => xs,
};

export class Folder {
  private readonly memo = new WeakMap<object, Folded | null>();
  constructor(
    private readonly env: ReadonlyMap<string, Folded>,
    private readonly maxLength: number,
  ) {}

  private depth = 0;

  /** The constant the expression evaluates to, when it is one (nothing past MAX_FOLD_DEPTH levels). */
  fold(node: unknown): Folded | undefined {
    if (!isNode(node)) return undefined;
    const m = this.memo.get(node);
    if (m !== undefined) return m ?? undefined;
    if (this.depth >= MAX_FOLD_DEPTH) return undefined; // not memoised: shallower visits may fold it
    this.memo.set(node, null); // cycles and re-entry fold to nothing
    this.depth++;
    let v: Folded | undefined;
    try {
      v = this.compute(node);
    } finally {
      this.depth--;
    }
    if (
      v === undefined ||
      (isStr(v) && v.length > this.maxLength) ||
      (Array.isArray(v) && v.length > this.maxLength)
    ) {
      this.memo.set(node, null);
      return undefined;
    }
    this.memo.set(node, v);
    return v;
  }

  private args(list: unknown): Folded[] | undefined {
    if (!Array.isArray(list)) return [];
    const out: Folded[] = [];
    for (const a of list) {
      const node = isNode(a) && a.type === 'KeywordArgumentExpression' ? a.value : a;
      const v = this.fold(node);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  private apply(name: string, operand: Folded, args: Folded[]): Folded | undefined {
    if (isStr(operand)) return STRING_METHODS[name]?.(operand, args);
    if (Array.isArray(operand)) return LIST_FILTERS[name]?.(operand, args);
    if (isNum(operand) && name === 'string') return String(operand);
    return undefined;
  }

  private compute(n: Node): Folded | undefined {
    switch (n.type) {
      case 'StringLiteral':
        return String(n.value);
      case 'IntegerLiteral':
      case 'FloatLiteral':
        return typeof n.value === 'number' ? n.value : undefined;
      case 'Identifier':
        return this.env.get(String(n.value));
      case 'ArrayLiteral':
      case 'TupleLiteral':
        return this.args(n.value);
      case 'BinaryExpression': {
        const op = (n.operator as { value?: unknown } | undefined)?.value;
        const l = this.fold(n.left);
        const r = this.fold(n.right);
        if (l === undefined || r === undefined) return undefined;
        if (op === '~') return Array.isArray(l) || Array.isArray(r) ? undefined : String(l) + String(r);
        if (op === '+') {
          if (isStr(l) && isStr(r)) return l + r;
          if (isNum(l) && isNum(r)) return l + r;
          if (Array.isArray(l) && Array.isArray(r)) return [...l, ...r];
          return undefined;
        }
        if (op === '*') {
          const [s, k] =
            isStr(l) && isNum(r) ? [l, r] : isStr(r) && isNum(l) ? [r, l] : [undefined, undefined];
          if (s !== undefined && k !== undefined)
            return k <= 0 ? '' : s.length * k <= this.maxLength ? s.repeat(k) : undefined;
          return isNum(l) && isNum(r) ? l * r : undefined;
        }
        if (op === '%' && isStr(l)) return percent(l, Array.isArray(r) ? r : [r]);
        if (op === '-' && isNum(l) && isNum(r)) return l - r;
        return undefined;
      }
      case 'UnaryExpression': {
        const op = (n.operator as { value?: unknown } | undefined)?.value;
        const v = this.fold(n.argument);
        return op === '-' && isNum(v) ? -v : undefined;
      }
      case 'FilterExpression': {
        const operand = this.fold(n.operand);
        if (operand === undefined) return undefined;
        const f = n.filter;
        if (isNode(f) && f.type === 'Identifier') return this.apply(String(f.value), operand, []);
        if (isNode(f) && f.type === 'CallExpression' && isNode(f.callee) && f.callee.type === 'Identifier') {
          const args = this.args(f.args);
          return args === undefined ? undefined : this.apply(String(f.callee.value), operand, args);
        }
        return undefined;
      }
      case 'CallExpression': {
        const callee = n.callee;
        if (!isNode(callee) || callee.type !== 'MemberExpression' || callee.computed) return undefined;
        const prop = callee.property;
        if (!isNode(prop) || prop.type !== 'Identifier') return undefined;
        const obj = this.fold(callee.object);
        const args = this.args(n.args);
        if (obj === undefined || args === undefined) return undefined;
        return this.apply(String(prop.value), obj, args);
      }
      case 'MemberExpression': {
        if (!n.computed) return undefined;
        const obj = this.fold(n.object);
        if (obj === undefined || isNum(obj)) return undefined;
        const prop = n.property;
        if (isNode(prop) && prop.type === 'SliceExpression') {
          const num = (x: unknown): number | undefined => {
            if (x === undefined) return undefined;
            const v = this.fold(x);
            return isNum(v) ? v : Number.NaN;
          };
          const step = num(prop.step) ?? 1;
          const idx = pySlice(obj.length, num(prop.start), num(prop.stop), step);
          if (isStr(obj)) return idx.map((i) => obj[i]).join('');
          return idx.map((i) => obj[i] as Folded);
        }
        const i = this.fold(prop);
        if (!isNum(i)) return undefined;
        const j = i < 0 ? obj.length + i : i;
        return isStr(obj) ? obj.charAt(j) || undefined : obj[j];
      }
      default:
        return undefined;
    }
  }
}

/**
 * Constants assigned with `{% set name = … %}` (or a block set of plain text), flow-insensitively: the
 * last foldable assignment of each name. Two passes so that sets built from earlier sets fold too.
 */
export function collectSets(nodes: readonly Node[], maxLength: number): Map<string, Folded> {
  const env = new Map<string, Folded>();
  for (let pass = 0; pass < 2; pass++) {
    const folder = new Folder(env, maxLength);
    for (const n of nodes) {
      if (n.type !== 'Set' || !isNode(n.assignee) || n.assignee.type !== 'Identifier') continue;
      const name = String(n.assignee.value);
      let v: Folded | undefined;
      if (n.value !== null && n.value !== undefined) v = folder.fold(n.value);
      else if (Array.isArray(n.body) && n.body.every((b) => isNode(b) && b.type === 'StringLiteral'))
        v = n.body.map((b) => String((b as Node).value)).join('');
      if (v !== undefined) env.set(name, v);
    }
  }
  return env;
}
