import { type Const, ConstFolder, type FoldHost } from './consts.js';
import type { Node } from './parser.js';

/** What an expression may denote: `module` (dotted) and an attribute path below it (`''` = the module). */
export interface Ref {
  readonly module: string;
  readonly name: string;
}

export function qualified(r: Ref): string {
  return r.name === '' ? r.module : `${r.module}.${r.name}`;
}

/** How a callee is shown: builtins without their module (`eval`, not `builtins.eval`). */
export function displayName(r: Ref): string {
  return r.module === 'builtins' && r.name !== '' ? r.name : qualified(r);
}

function below(r: Ref, attr: string): Ref {
  // `mod.__dict__['x']` and `mod.__dict__.get('x')` reach `mod.x`.
  if (r.name === '__dict__' || r.name.endsWith('.__dict__'))
    return { module: r.module, name: r.name === '__dict__' ? attr : `${r.name.slice(0, -9)}.${attr}` };
  return { module: r.module, name: r.name === '' ? attr : `${r.name}.${attr}` };
}

/** Builtins that resolve by bare name when the file does not define the name itself. */
const BUILTIN_NAMES = new Set([
  'eval',
  'exec',
  'execfile',
  'compile',
  '__import__',
  'getattr',
  'setattr',
  'globals',
  'locals',
  'vars',
  'open',
  'input',
  'breakpoint',
  'chr',
  'ord',
  'str',
  'bytes',
  'bytearray',
  'map',
  'memoryview',
  'type',
  'print',
  'apply',
  'reload',
]);

/** Calls that import a module named by their first argument. */
const IMPORTERS = new Set(['builtins.__import__', 'importlib.import_module', 'importlib.__import__']);

const MAX_RESOLVE_DEPTH = 64;
const MAX_REFS = 16;

/**
 * A flow-insensitive picture of one Python file's names: imports and aliases (every value a name is
 * ever bound to, so `sy = os.system` in one function and `sy(...)` in another still meet), names the
 * file defines itself (which shadow builtins), module-level string constants and star imports.
 */
export class Bindings implements FoldHost {
  readonly aliases = new Map<string, Ref[]>();
  readonly defined = new Set<string>();
  readonly stars: string[] = [];
  /** Every expression assigned to each name (`x = …`, `self.x = …`, walrus, tuple unpacking). */
  readonly assigned = new Map<string, Node[]>();
  /** name → its constant, folded on first use; null when not constant or bound to several values. */
  private readonly consts = new Map<string, Const | null>();
  private readonly folding = new Set<string>();
  readonly folder: ConstFolder;

  constructor(
    readonly maxChars: number,
    parent?: Bindings,
  ) {
    this.folder = new ConstFolder(this);
    if (parent !== undefined) {
      for (const r of parent.keyRoots) this.keyRoots.add(r);
      for (const [k, v] of parent.aliases) this.aliases.set(k, [...v]);
      for (const d of parent.defined) this.defined.add(d);
      this.stars.push(...parent.stars);
      for (const [k, v] of parent.assigned) this.assigned.set(k, [...v]);
    }
  }

  /** First identifiers of bound attribute keys (`self` for `self.run = os.system`). */
  private readonly keyRoots = new Set<string>();

  /**
   * Whether an expression whose source starts with identifier `base` can resolve to anything: a cheap
   * filter before the tree walk (most chains in model code start at `self`, `x`, `config` …).
   */
  mayResolve(base: string): boolean {
    return (
      this.stars.length > 0 ||
      this.aliases.has(base) ||
      this.keyRoots.has(base) ||
      BUILTIN_NAMES.has(base) ||
      base === '__builtins__' ||
      base === '__builtin__'
    );
  }

  /** Adds a binding; returns true if it is new. */
  bind(name: string, ref: Ref): boolean {
    const dot = name.indexOf('.');
    if (dot > 0) this.keyRoots.add(name.slice(0, dot));
    const list = this.aliases.get(name) ?? [];
    if (list.length >= MAX_REFS || list.some((r) => r.module === ref.module && r.name === ref.name))
      return false;
    list.push(ref);
    this.aliases.set(name, list);
    return true;
  }

  /** Records an assignment (`name` may be an attribute key such as `self.run`). */
  assign(name: string, rhs: Node): void {
    const list = this.assigned.get(name) ?? [];
    if (list.length < MAX_REFS) list.push(rhs);
    this.assigned.set(name, list);
  }

  /** The constant a name is bound to: every assignment folds to the same value (lazy, cycle-safe). */
  constOf(name: string): Const | undefined {
    const hit = this.consts.get(name);
    if (hit !== undefined) return hit ?? undefined;
    const rhs = this.assigned.get(name);
    if (rhs === undefined || this.folding.has(name)) return undefined;
    this.folding.add(name);
    let value: Const | null = null;
    try {
      for (const [i, node] of rhs.entries()) {
        const v = this.folder.fold(node);
        if (v === undefined || (i > 0 && value !== null && !sameConst(value, v))) {
          value = null;
          break;
        }
        value = v;
      }
    } finally {
      this.folding.delete(name);
    }
    this.consts.set(name, value);
    return value ?? undefined;
  }

  qualifiedNames(node: Node): readonly string[] {
    return this.resolve(node).map(qualified);
  }

  /** What `node` may denote (empty when unknown: call results, locals, literals). */
  resolve(node: Node | null | undefined, depth = 0): Ref[] {
    if (node === null || node === undefined || depth > MAX_RESOLVE_DEPTH) return [];
    switch (node.type) {
      case 'identifier':
        return this.resolveName(node.text);
      case 'attribute': {
        const key = attributeKey(node);
        const own = key === undefined ? undefined : this.aliases.get(key);
        const attr = node.childForFieldName('attribute')?.text;
        if (attr === undefined) return own ?? [];
        const base = this.resolve(node.childForFieldName('object'), depth + 1).map((r) => below(r, attr));
        return own === undefined ? base : [...own, ...base];
      }
      case 'parenthesized_expression':
        return this.resolve(node.firstNamedChild, depth + 1);
      case 'call':
        return this.resolveCall(node, depth);
      case 'subscript':
        return this.resolveSubscript(node, depth);
      default:
        return [];
    }
  }

  resolveName(name: string): Ref[] {
    if (name === '__builtins__' || name === '__builtin__') return [{ module: 'builtins', name: '' }];
    const own = this.aliases.get(name);
    if (own !== undefined) {
      if (BUILTIN_NAMES.has(name) && !this.defined.has(name)) return [...own, { module: 'builtins', name }];
      return own;
    }
    if (this.defined.has(name)) return [];
    if (BUILTIN_NAMES.has(name)) return [{ module: 'builtins', name }];
    return this.stars.map((m) => ({ module: m, name }));
  }

  private resolveCall(node: Node, depth: number): Ref[] {
    const fn = node.childForFieldName('function');
    const args = node.childForFieldName('arguments');
    const first = args?.namedChildren.find((a) => a.type !== 'keyword_argument' && a.type !== 'comment');
    const second = args?.namedChildren.filter(
      (a) => a.type !== 'keyword_argument' && a.type !== 'comment',
    )[1];
    const out: Ref[] = [];
    for (const r of this.resolve(fn, depth + 1)) {
      const q = qualified(r);
      if (IMPORTERS.has(q)) {
        const name = this.folder.str(first);
        if (name !== undefined && /^[\w.]+$/.test(name)) out.push({ module: name, name: '' });
      } else if (q === 'builtins.getattr') {
        const attr = this.folder.str(second);
        if (attr === undefined) continue;
        for (const t of this.resolve(first, depth + 1)) out.push(below(t, attr));
      } else if (r.name === '__dict__.get' || r.name.endsWith('.__dict__.get')) {
        const attr = this.folder.str(first);
        if (attr !== undefined) out.push(below({ module: r.module, name: r.name.slice(0, -4) }, attr));
      } else if (q === 'sys.modules.get') {
        const name = this.folder.str(first);
        if (name !== undefined) out.push({ module: name, name: '' });
      } else if (q === 'builtins.globals' || q === 'builtins.locals' || q === 'builtins.vars') {
        if (first === undefined) out.push({ module: '<globals>', name: '' });
        else out.push(...this.resolve(first, depth + 1));
      }
    }
    return out;
  }

  private resolveSubscript(node: Node, depth: number): Ref[] {
    const key = this.folder.str(node.childForFieldName('subscript'));
    if (key === undefined) return [];
    const out: Ref[] = [];
    for (const r of this.resolve(node.childForFieldName('value'), depth + 1)) {
      if (r.module === '<globals>') out.push(...this.resolveName(key));
      else if (r.module === 'sys' && r.name === 'modules') out.push({ module: key, name: '' });
      else out.push(below(r, key));
    }
    return out;
  }
}

/** `self.fn` / `a.b.c` as a binding key (chains of identifiers only). */
export function attributeKey(node: Node): string | undefined {
  const parts: string[] = [];
  let n: Node | null = node;
  for (let i = 0; n !== null && i < 16; i++) {
    if (n.type === 'identifier') {
      parts.unshift(n.text);
      return parts.join('.');
    }
    if (n.type !== 'attribute') return undefined;
    parts.unshift(n.childForFieldName('attribute')?.text ?? '');
    n = n.childForFieldName('object');
  }
  return undefined;
}

function sameConst(a: Const, b: Const): boolean {
  if (typeof a === 'string' || typeof a === 'number') return a === b;
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  return false;
}
