/**
 * Finding the layer whose activations the poisoning detectors use, from the ONNX graph alone:
 * - the penultimate layer: the input of the last Gemm/MatMul before the output;
 * - the head input: the input of the classifier head, i.e. of the first linear layer of the trailing chain of
 *   linear layers, bias Adds and activations (for the digits CNN, the flattened conv features before fc1).
 */

import { listNodes, modelIo } from '../../ml/onnx/index.js';
import { PoisonDetectionError } from './errors.js';

const LINEAR = new Set(['Gemm', 'MatMul']);
/** Operators that may sit between the linear layers of a classifier head. */
const HEAD = new Set([
  ...LINEAR,
  'Add',
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Elu',
  'Selu',
  'Gelu',
  'Sigmoid',
  'Tanh',
  'Clip',
  'Softmax',
  'LogSoftmax',
  'Identity',
  'Dropout',
]);
/** Operators that only move data; a head input reached from the model input through these is no feature. */
const SHAPE_ONLY = new Set(['Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Cast', 'Identity']);

type Node = ReturnType<typeof listNodes>[number];

interface Graph {
  producer: Map<string, Node>;
  inputs: Set<string>;
  output: string;
  nodes: number;
}

function graph(model: Uint8Array, output?: string): Graph {
  const nodes = listNodes(model);
  const io = modelIo(model);
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);
  const out = output ?? io.outputs[0]?.name;
  if (out === undefined) throw new PoisonDetectionError('POISON_LAYER', 'the model has no outputs');
  return { producer, inputs: new Set(io.inputs.map((i) => i.name)), output: out, nodes: nodes.length };
}

/** The data inputs of a node: those some node produces or that are graph inputs (not weights). */
function dataInputs(g: Graph, n: Node): string[] {
  return n.inputs.filter((i) => i !== '' && (g.producer.has(i) || g.inputs.has(i)));
}

/** Linear layers on the path back from the output, latest first, with their data inputs. */
function linearChain(g: Graph, headOnly: boolean): { node: Node; input: string }[] {
  const found: { node: Node; input: string }[] = [];
  let tensor = g.output;
  for (let steps = 0; steps <= g.nodes; steps++) {
    const node = g.producer.get(tensor);
    if (!node) break;
    if (headOnly && !HEAD.has(node.op)) break;
    const data = dataInputs(g, node);
    const next = data[0];
    if (next === undefined) break;
    if (LINEAR.has(node.op)) {
      found.push({ node, input: next });
      if (!headOnly) break;
    }
    tensor = next;
  }
  return found;
}

/** Whether a tensor is the model input, or computed from it by shape-only operators. */
function isRawInput(g: Graph, tensor: string): boolean {
  let t = tensor;
  for (let steps = 0; steps <= g.nodes; steps++) {
    if (g.inputs.has(t)) return true;
    const node = g.producer.get(t);
    if (!node || !SHAPE_ONLY.has(node.op)) return false;
    const data = dataInputs(g, node);
    if (data.length !== 1) return false;
    t = data[0]!;
  }
  return false;
}

/**
 * Walks back from the first graph output (or `output`) through the producing nodes, following the data input,
 * until a Gemm or MatMul; returns that node's data input. Softmax, bias Adds, Reshape/Identity and the like
 * after the last linear layer are stepped over.
 */
export function penultimateLayer(model: Uint8Array, output?: string): { tensor: string; node: string } {
  const g = graph(model, output);
  const last = linearChain(g, false)[0];
  if (!last)
    throw new PoisonDetectionError(
      'POISON_LAYER',
      'no Gemm or MatMul on the path to the output; name the layer to use (--layer)',
    );
  if (isRawInput(g, last.input))
    throw new PoisonDetectionError(
      'POISON_LAYER',
      `the last ${last.node.op} (${last.node.name || 'unnamed'}) reads the model input: there is no hidden layer`,
    );
  return { tensor: last.input, node: last.node.name };
}

/**
 * The detectors' default layer: the head input when the head has two or more linear layers and its input is a
 * learned feature (not the model input reshaped), else the penultimate layer.
 */
export function featureLayer(
  model: Uint8Array,
  output?: string,
): { tensor: string; node: string; kind: 'head-input' | 'penultimate' } {
  const g = graph(model, output);
  const chain = linearChain(g, true);
  const first = chain[chain.length - 1];
  if (chain.length >= 2 && first && !isRawInput(g, first.input))
    return { tensor: first.input, node: first.node.name, kind: 'head-input' };
  return { ...penultimateLayer(model, output), kind: 'penultimate' };
}
