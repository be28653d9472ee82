/**
 * Reachability over a Functional model's nodes: which layers no output depends on. Keras builds every
 * node of `config.layers` while loading, reachable or not (T55: dead nodes still run), while a model
 * saved by Keras only holds the nodes of its graph; dead nodes therefore mean a hand-edited config.
 */

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface LayerEntry {
  name: string;
  className: string;
  inbound: Json;
}

export interface GraphBudget {
  /** Values the reference search may still visit; decremented as it goes. */
  left: number;
}

/**
 * Names of layers referenced by a node structure. Keras 2 writes `[name, node_index, tensor_index,
 * kwargs]` lists; Keras 3 writes `__keras_tensor__` objects with `keras_history: [name, node, tensor]`.
 * Both may sit anywhere inside call arguments, so the whole structure is searched (within `budget`).
 */
export function referencedLayers(structure: Json, names: ReadonlySet<string>, budget: GraphBudget): string[] {
  const out: string[] = [];
  const stack: Json[] = [structure];
  while (stack.length > 0 && budget.left > 0) {
    const v = stack.pop();
    budget.left--;
    if (Array.isArray(v)) {
      const [a, b, c] = v as Json[];
      if (typeof a === 'string' && names.has(a) && typeof b === 'number' && typeof c === 'number')
        out.push(a);
      for (const item of v) if (typeof item === 'object' && item !== null) stack.push(item);
    } else if (isRecord(v)) {
      if (v['class_name'] === '__keras_tensor__' && isRecord(v['config'])) {
        const h = v['config']['keras_history'];
        if (Array.isArray(h) && typeof h[0] === 'string' && names.has(h[0])) out.push(h[0]);
      }
      for (const item of Object.values(v)) if (typeof item === 'object' && item !== null) stack.push(item);
    }
  }
  return out;
}

/** Layer entries of a Functional config's `layers` (entries without a usable name are skipped). */
export function layerEntries(layers: readonly Json[]): LayerEntry[] {
  const out: LayerEntry[] = [];
  for (const l of layers) {
    if (!isRecord(l)) continue;
    const cfg = l['config'];
    const name = typeof l['name'] === 'string' ? l['name'] : isRecord(cfg) ? cfg['name'] : undefined;
    if (typeof name !== 'string') continue;
    const className = typeof l['class_name'] === 'string' ? l['class_name'] : '?';
    out.push({ name, className, inbound: l['inbound_nodes'] });
  }
  return out;
}

/**
 * Layers of a Functional config that no output reaches through inbound nodes, in config order.
 * Input layers are left out (an unused input runs nothing). Undefined when the config names no output
 * layer it holds (nothing to compute from) or the budget ran out (the answer would be a guess).
 */
export function deadLayers(
  layers: readonly Json[],
  outputLayers: Json,
  budget: GraphBudget,
): LayerEntry[] | undefined {
  const entries = layerEntries(layers);
  const names = new Set(entries.map((e) => e.name));
  const byName = new Map<string, LayerEntry[]>();
  for (const e of entries) {
    const list = byName.get(e.name);
    if (list === undefined) byName.set(e.name, [e]);
    else list.push(e);
  }
  const outputs = referencedLayers(outputLayers, names, budget);
  if (outputs.length === 0) return undefined;
  const reached = new Set<string>();
  const queue = [...outputs];
  const inboundOf = new Map<string, string[]>();
  while (queue.length > 0) {
    const n = queue.pop() as string;
    if (reached.has(n)) continue;
    reached.add(n);
    let refs = inboundOf.get(n);
    if (refs === undefined) {
      refs = (byName.get(n) ?? []).flatMap((e) => referencedLayers(e.inbound, names, budget));
      inboundOf.set(n, refs);
    }
    for (const r of refs) if (!reached.has(r)) queue.push(r);
  }
  if (budget.left <= 0) return undefined;
  return entries.filter((e) => !reached.has(e.name) && e.className !== 'InputLayer');
}
