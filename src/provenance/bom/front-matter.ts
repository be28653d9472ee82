/**
 * The YAML front matter of a model card (README.md), read without trusting it: size-capped, parsed with
 * the yaml package's core schema (tags are never constructed), and converted to plain values by a walk
 * of our own with a node budget where an alias costs the size of what it stands for. A billion-laughs
 * document therefore stops at the budget instead of expanding (the yaml package's own `toJS` alias
 * check is quadratic), and what comes out can be walked in at most `maxYamlNodes` steps.
 */
import type { Document, Node as YamlNode } from 'yaml';
import { fmtInt } from '../../core/format-number.js';
import { flowDepth } from '../../scanners/configs/index.js';
import { yamlLib } from '../../scanners/configs/yaml-lib.js';
import type { BomLimits } from './limits.js';

export interface FrontMatter {
  /** The YAML text between the `---` lines, when the card has front matter within the limit. */
  readonly yaml: string | undefined;
  /** The markdown after the front matter (the whole text when there is none). */
  readonly body: string;
  readonly warnings: readonly string[];
}

const OPEN = /^---[ \t]*\r?\n/;
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/m;

/** Splits `---\n<yaml>\n---\n<markdown>`; front matter longer than the limit is skipped with a warning. */
export function splitFrontMatter(text: string, limits: BomLimits): FrontMatter {
  const open = OPEN.exec(text);
  if (open === null) return { yaml: undefined, body: text, warnings: [] };
  const start = open[0].length;
  const window = text.slice(start, start + limits.maxFrontMatterChars + 5);
  const close = CLOSE.exec(window);
  if (close === null || close.index > limits.maxFrontMatterChars) {
    const why =
      window.length > limits.maxFrontMatterChars
        ? `is longer than maxFrontMatterChars (${fmtInt(limits.maxFrontMatterChars)})`
        : 'has no closing --- line';
    return { yaml: undefined, body: text, warnings: [`README.md front matter ${why}: not read`] };
  }
  const end = start + close.index + close[0].length;
  return { yaml: window.slice(0, close.index), body: text.slice(end), warnings: [] };
}

export interface Converted {
  /** Plain JSON-like value: objects (own properties only), arrays, strings, numbers, booleans, null. */
  readonly value: unknown;
  readonly warnings: readonly string[];
}

/** Parses front matter YAML into plain values within the node budget and depth limit. */
export function parseFrontMatter(yamlText: string, limits: BomLimits): Converted {
  const depth = flowDepth(yamlText, limits.maxYamlDepth);
  if (depth > limits.maxYamlDepth) {
    return {
      value: undefined,
      warnings: [`README.md front matter nests deeper than maxYamlDepth (${limits.maxYamlDepth}): not read`],
    };
  }
  let doc: Document.Parsed;
  try {
    doc = yamlLib().parseDocument(yamlText, {
      schema: 'core',
      uniqueKeys: false,
      prettyErrors: false,
      logLevel: 'silent',
    });
  } catch (e) {
    return { value: undefined, warnings: [`README.md front matter could not be parsed: ${String(e)}`] };
  }
  const err = doc.errors[0];
  if (err !== undefined) {
    return {
      value: undefined,
      warnings: [`README.md front matter is not valid YAML: ${firstLine(err.message)}`],
    };
  }
  return new Converter(limits).run(doc.contents);
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

class BudgetExceeded extends Error {}

/** Tags of the YAML core schema (and the non-specific `!`): every other tag is ignored with its value. */
const CORE_TAGS = new Set(
  ['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`).concat(['!']),
);

/** Node → plain value. Anchors are remembered with their converted value and expanded size. */
class Converter {
  private used = 0;
  private readonly anchors = new Map<string, { value: unknown; size: number } | 'pending'>();
  private readonly warnings: string[] = [];
  constructor(private readonly limits: BomLimits) {}

  run(root: unknown): Converted {
    try {
      const { value } = this.convert(root, 0);
      return { value, warnings: this.warnings };
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      return {
        value: undefined,
        warnings: [
          ...this.warnings,
          `README.md front matter expands to more than maxYamlNodes (${fmtInt(this.limits.maxYamlNodes)}) nodes (aliases counted expanded): not read`,
        ],
      };
    }
  }

  private charge(n: number): void {
    this.used += n;
    if (this.used > this.limits.maxYamlNodes) throw new BudgetExceeded();
  }

  private convert(node: unknown, depth: number): { value: unknown; size: number } {
    const y = yamlLib();
    if (node === null || node === undefined) {
      this.charge(1);
      return { value: null, size: 1 };
    }
    if (y.isAlias(node)) {
      const target = this.anchors.get(node.source);
      if (target === undefined || target === 'pending') {
        this.note(`alias *${node.source} refers to an unknown or enclosing anchor: read as null`);
        this.charge(1);
        return { value: null, size: 1 };
      }
      this.charge(target.size);
      return target;
    }
    const tag = y.isNode(node) ? (node as YamlNode).tag : undefined;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      // An application tag (`!!python/object/apply:…`): its value is not data, whatever it looks like.
      this.note(`a value tagged ${tag.slice(0, 80)} was ignored`);
      this.charge(1);
      return { value: null, size: 1 };
    }
    const anchor = y.isNode(node) ? (node as YamlNode).anchor : undefined;
    if (anchor !== undefined) this.anchors.set(anchor, 'pending');
    const out = this.convertNode(node, depth);
    if (anchor !== undefined) this.anchors.set(anchor, out);
    return out;
  }

  private convertNode(node: unknown, depth: number): { value: unknown; size: number } {
    const y = yamlLib();
    const before = this.used;
    this.charge(1);
    if (y.isScalar(node)) {
      const v = node.value;
      const value =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null
          ? v
          : typeof v === 'bigint'
            ? String(v)
            : null;
      return { value, size: 1 };
    }
    if (depth >= this.limits.maxYamlDepth) {
      this.note(`values nested deeper than maxYamlDepth (${this.limits.maxYamlDepth}) read as null`);
      return { value: null, size: 1 };
    }
    if (y.isSeq(node)) {
      const arr: unknown[] = [];
      for (const item of node.items) arr.push(this.convert(item, depth + 1).value);
      return { value: arr, size: this.used - before };
    }
    if (y.isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = y.isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') {
          this.note('a mapping key that is not a scalar was skipped');
          continue;
        }
        const value = this.convert(pair.value, depth + 1).value;
        // defineProperty: a `__proto__` key becomes an own property, never the prototype.
        Object.defineProperty(obj, String(key), {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return { value: obj, size: this.used - before };
    }
    return { value: null, size: 1 };
  }

  private note(message: string): void {
    const w = `README.md front matter: ${message}`;
    if (!this.warnings.includes(w)) this.warnings.push(w);
  }
}
