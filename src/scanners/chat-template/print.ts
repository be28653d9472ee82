/**
 * Re-prints an @huggingface/jinja expression as template text, for evidence. The AST is untyped
 * (its classes are not exported), so nodes are read generically by their `type`.
 */

export interface Node {
  type: string;
  [key: string]: unknown;
}

export function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

const MAX_DEPTH = 64;
const LEAVES = new Set(['Identifier', 'StringLiteral', 'IntegerLiteral', 'FloatLiteral']);

/** The expression as text, cut to `max` characters (long lists and deep nesting cost nothing more). */
export function printExpr(node: unknown, max = 200): string {
  const state = { left: max + 1 };
  const s = print(node, 0, state);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function print(v: unknown, depth: number, st: { left: number }): string {
  if (st.left <= 0) return '';
  if (depth > MAX_DEPTH) return '…';
  const out = render(v, depth, st);
  // Only leaves are charged: a parent's text repeats its children's.
  if (isNode(v) && LEAVES.has(v.type)) st.left -= out.length + 1;
  return out;
}

function render(v: unknown, depth: number, st: { left: number }): string {
  if (!isNode(v)) return '?';
  const p = (x: unknown): string => print(x, depth + 1, st);
  const list = (xs: unknown): string => {
    if (!Array.isArray(xs)) return '';
    const parts: string[] = [];
    for (const x of xs) {
      if (st.left <= 0) {
        parts.push('…');
        break;
      }
      parts.push(p(x));
    }
    return parts.join(', ');
  };
  switch (v.type) {
    case 'Identifier':
      return String(v.value);
    case 'StringLiteral':
      return quote(String(v.value).slice(0, Math.max(0, st.left)));
    case 'IntegerLiteral':
    case 'FloatLiteral':
      return String(v.value);
    case 'ArrayLiteral':
      return `[${list(v.value)}]`;
    case 'TupleLiteral':
      return `(${list(v.value)})`;
    case 'ObjectLiteral': {
      const m = v.value instanceof Map ? [...v.value.entries()].slice(0, 50) : [];
      return `{${m.map(([k, x]) => `${p(k)}: ${p(x)}`).join(', ')}}`;
    }
    case 'MemberExpression':
      return v.computed ? `${p(v.object)}[${p(v.property)}]` : `${p(v.object)}.${p(v.property)}`;
    case 'CallExpression':
      return `${p(v.callee)}(${list(v.args)})`;
    case 'FilterExpression':
      return `${p(v.operand)}|${p(v.filter)}`;
    case 'BinaryExpression':
      return `${p(v.left)} ${String((v.operator as { value?: unknown })?.value ?? '?')} ${p(v.right)}`;
    case 'UnaryExpression': {
      const op = String((v.operator as { value?: unknown })?.value ?? '?');
      return `${op}${/\w$/.test(op) ? ' ' : ''}${p(v.argument)}`;
    }
    case 'Ternary':
      return `${p(v.trueExpr)} if ${p(v.condition)} else ${p(v.falseExpr)}`;
    case 'SelectExpression':
      return `${p(v.lhs)} if ${p(v.test)}`;
    case 'TestExpression':
      return `${p(v.operand)} is ${v.negate ? 'not ' : ''}${p(v.test)}`;
    case 'KeywordArgumentExpression':
      return `${p(v.key)}=${p(v.value)}`;
    case 'SpreadExpression':
      return `*${p(v.argument)}`;
    case 'KeywordSpreadExpression':
      return `**${p(v.argument)}`;
    case 'SliceExpression':
      return `${v.start === undefined ? '' : p(v.start)}:${v.stop === undefined ? '' : p(v.stop)}${v.step === undefined ? '' : `:${p(v.step)}`}`;
    default:
      return `<${v.type}>`;
  }
}
