import type { PyValue } from './literal.js';

/** What the scanner needs from a numpy dtype descr: does it hold objects, and how big is one item. */
export interface DtypeInfo {
  /** Object fields anywhere (`|O`): the payload is a pickle. */
  hasObject: boolean;
  /** Bytes per item, undefined when the descr is not understood. */
  itemSize: number | undefined;
}

const KIND_SIZE: Record<string, number> = {
  '?': 1,
  b: 1,
  B: 1,
  h: 2,
  H: 2,
  i: 4,
  I: 4,
  l: 8,
  L: 8,
  q: 8,
  Q: 8,
  e: 2,
  f: 4,
  d: 8,
  g: 16,
  F: 8,
  D: 16,
  G: 32,
};

/** Parses a simple descr string such as `<i4`, `|O`, `<U10`, `<M8[ns]`, `|V16`. */
function simple(descr: string): DtypeInfo {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(\[[A-Za-z0-9]+\])?$/.exec(descr);
  if (!m) return { hasObject: descr.includes('O'), itemSize: undefined };
  const kind = m[2] as string;
  const n = m[3] === '' ? undefined : Number(m[3]);
  if (kind === 'O') return { hasObject: true, itemSize: 8 };
  if (kind === 'U') return { hasObject: false, itemSize: n === undefined ? undefined : n * 4 };
  if ('iufcbSaVMm'.includes(kind)) return { hasObject: false, itemSize: n ?? (kind === 'b' ? 1 : undefined) };
  return { hasObject: false, itemSize: n ?? KIND_SIZE[kind] };
}

function shapeCount(v: PyValue | undefined): number | undefined {
  if (v === undefined) return 1;
  if (v.kind === 'int') return Number(v.value);
  if (v.kind !== 'tuple' && v.kind !== 'list') return undefined;
  let n = 1;
  for (const d of v.items) {
    if (d.kind !== 'int' || d.value < 0n) return undefined;
    n *= Number(d.value);
  }
  return n;
}

/** Interprets a descr (string, or a list of `(name, descr[, shape])` fields for structured arrays). */
export function dtypeInfo(descr: PyValue, depth = 0): DtypeInfo {
  if (descr.kind === 'str') return simple(descr.value);
  if (descr.kind !== 'list' || depth > 16) return { hasObject: false, itemSize: undefined };
  let hasObject = false;
  let size: number | undefined = 0;
  for (const field of descr.items) {
    if (field.kind !== 'tuple' || field.items.length < 2) return { hasObject, itemSize: undefined };
    const inner = dtypeInfo(field.items[1] as PyValue, depth + 1);
    hasObject ||= inner.hasObject;
    const count = shapeCount(field.items[2]);
    size =
      size === undefined || inner.itemSize === undefined || count === undefined
        ? undefined
        : size + inner.itemSize * count;
  }
  return { hasObject, itemSize: size };
}

/** Renders a descr back to short text for evidence. */
export function descrText(descr: PyValue): string {
  switch (descr.kind) {
    case 'str':
      return `'${descr.value}'`;
    case 'list':
      return `[${descr.items.map(descrText).join(', ')}]`;
    case 'tuple':
      return descr.items.length === 1
        ? `(${descrText(descr.items[0] as PyValue)},)`
        : `(${descr.items.map(descrText).join(', ')})`;
    case 'int':
      return String(descr.value);
    default:
      return descr.kind;
  }
}
