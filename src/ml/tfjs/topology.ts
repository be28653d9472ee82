/**
 * Finding (and removing) a trailing softmax, so the classifier returns logits. Layers models: the
 * output layer's `softmax` activation becomes `linear` in the topology before loading (a `Softmax`
 * layer becomes a linear `Activation`). Graph models: the output node, seen through Identity nodes, is a
 * `Softmax`; its input is fetched instead.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of a layers-model topology with the output layer's softmax made linear; `removed` says whether one was. */
export function removeLayersSoftmax(topology: unknown): { topology: unknown; removed: boolean } {
  const copy = structuredClone(topology);
  const root = isRecord(copy) && isRecord(copy['model_config']) ? copy['model_config'] : copy;
  if (!isRecord(root) || (!isRecord(root['config']) && !Array.isArray(root['config'])))
    return { topology: copy, removed: false };
  const config = root['config'];
  const layers = Array.isArray(config) ? config : (config as Record<string, unknown>)['layers'];
  if (!Array.isArray(layers) || layers.length === 0) return { topology: copy, removed: false };
  let out: unknown = layers[layers.length - 1];
  const outputs = isRecord(config) ? config['output_layers'] : undefined;
  if (Array.isArray(outputs)) {
    if (outputs.length !== 1 || !Array.isArray(outputs[0])) return { topology: copy, removed: false };
    const name = outputs[0][0];
    out = layers.find((l) => isRecord(l) && isRecord(l['config']) && l['config']['name'] === name);
  }
  if (!isRecord(out) || !isRecord(out['config'])) return { topology: copy, removed: false };
  const c = out['config'];
  if (out['class_name'] === 'Softmax') {
    out['class_name'] = 'Activation';
    out['config'] = {
      name: c['name'],
      trainable: c['trainable'] ?? false,
      dtype: c['dtype'],
      activation: 'linear',
    };
    return { topology: copy, removed: true };
  }
  if (c['activation'] === 'softmax') {
    c['activation'] = 'linear';
    return { topology: copy, removed: true };
  }
  return { topology: copy, removed: false };
}

/** The node whose output is the logits when graph-model output `name` is a Softmax (through Identity nodes). */
export function graphLogitsNode(topology: unknown, name: string): string | undefined {
  if (!isRecord(topology) || !Array.isArray(topology['node'])) return undefined;
  const nodes = new Map<string, Record<string, unknown>>();
  for (const n of topology['node']) if (isRecord(n) && typeof n['name'] === 'string') nodes.set(n['name'], n);
  let current = name.replace(/:0$/, '');
  for (let hops = 0; hops < 8; hops++) {
    const node = nodes.get(current);
    const input = Array.isArray(node?.['input']) ? (node['input'][0] as unknown) : undefined;
    if (node === undefined || typeof input !== 'string') return undefined;
    if (node['op'] === 'Softmax') return input.replace(/^\^/, '');
    if (node['op'] !== 'Identity') return undefined;
    current = input.replace(/:0$/, '');
  }
  return undefined;
}
