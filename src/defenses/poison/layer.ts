/** Finding the penultimate layer of an ONNX classifier: the input of the last Gemm/MatMul before the output. */

import { listNodes, modelIo } from '../../ml/onnx/index.js';
import { PoisonDetectionError } from './errors.js';

const LINEAR = new Set(['Gemm', 'MatMul']);

/**
 * Walks back from the first graph output (or `output`) through the producing nodes, following the input that
 * some node produces (not a weight), until a Gemm or MatMul; returns that node's data input. Softmax, bias
 * Adds, Reshape/Identity and the like after the last linear layer are stepped over.
 */
export function penultimateLayer(model: Uint8Array, output?: string): { tensor: string; node: string } {
  const nodes = listNodes(model);
  const io = modelIo(model);
  const producer = new Map<string, (typeof nodes)[number]>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const graphInputs = new Set(io.inputs.map((i) => i.name));
  let tensor = output ?? io.outputs[0]?.name;
  if (tensor === undefined) throw new PoisonDetectionError('POISON_LAYER', 'the model has no outputs');
  for (let steps = 0; steps <= nodes.length; steps++) {
    const node = producer.get(tensor);
    if (!node) break;
    const data = node.inputs.filter((i) => i !== '' && (producer.has(i) || graphInputs.has(i)));
    if (LINEAR.has(node.op)) {
      const t = data[0];
      if (t === undefined || graphInputs.has(t))
        throw new PoisonDetectionError(
          'POISON_LAYER',
          `the last ${node.op} (${node.name || 'unnamed'}) reads the model input: there is no hidden layer`,
        );
      return { tensor: t, node: node.name };
    }
    const next = data[0];
    if (next === undefined) break;
    tensor = next;
  }
  throw new PoisonDetectionError(
    'POISON_LAYER',
    'no Gemm or MatMul on the path to the output; name the layer to use (--layer)',
  );
}
