import { attrInt, attrInts } from './attrs.js';
import { OnnxGraphError } from './errors.js';
import type { GraphInfo } from './infer.js';
import { norm } from './infer.js';
import type { OnnxModel, OnnxNode } from './model.js';
import { ATTR } from './model.js';
import { DT, makeTensor } from './tensor.js';

/** Oldest ai.onnx opset the upgrade accepts (Pad, Clip, Slice take their parameters as inputs from 11 on). */
export const MIN_UPGRADE_OPSET = 11;

/**
 * Rewrites the nodes of an opset 11/12 graph whose signature changed in opset 13 so that the graph can
 * be declared at opset ≥ 13: `axes`/`split` attributes become int64 inputs (Squeeze, Unsqueeze,
 * ReduceSum, Split); Softmax/LogSoftmax/Hardmax keep their meaning only when `axis` is the last axis
 * (before 13 they flattened the trailing axes), anything else is refused.
 */
export function upgradeTo13(m: OnnxModel, gi: GraphInfo, opset: number): void {
  if (opset >= 13) return;
  if (opset < MIN_UPGRADE_OPSET)
    throw new OnnxGraphError(
      `ai.onnx opset ${opset} is older than ${MIN_UPGRADE_OPSET}; re-export the model with opset ≥ 13`,
    );
  const g = m.graph;
  let k = 0;
  const constant = (values: number[]): string => {
    let name: string;
    do name = `mg/upgrade_${k++}`;
    while (gi.info.has(name));
    g.initializers.push({
      name,
      dataType: DT.INT64,
      dims: [values.length],
      raw: makeTensor(name, DT.INT64, [values.length], values),
    });
    gi.info.set(name, { elem: DT.INT64, dims: [values.length] });
    gi.consts.set(name, values);
    return name;
  };
  const moveToInput = (n: OnnxNode, attr: string, index: number): void => {
    const v = attrInts(n, attr);
    n.attrs = n.attrs.filter((a) => a.name !== attr);
    if (v === undefined) return;
    while (n.input.length < index) n.input.push('');
    n.input[index] = constant(v);
  };
  for (const n of g.nodes) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (n.attrs.some((a) => a.type === ATTR.GRAPH || a.type === ATTR.GRAPHS))
      throw new OnnxGraphError(
        `opset ${opset} graphs with control flow (${n.opType}) cannot be upgraded to opset 13`,
      );
    switch (n.opType) {
      case 'Squeeze':
      case 'Unsqueeze':
      case 'ReduceSum':
        moveToInput(n, 'axes', 1);
        break;
      case 'Split':
        moveToInput(n, 'split', 1);
        break;
      case 'Softmax':
      case 'LogSoftmax':
      case 'Hardmax': {
        const r = gi.rank(n.input[0] ?? '');
        const axis = attrInt(n, 'axis', 1);
        if (r === undefined || (r > 2 && norm(axis, r) !== r - 1) || (r === 1 && norm(axis, r) !== 0))
          throw new OnnxGraphError(
            `${n.opType} (node ${JSON.stringify(n.name)}) at opset ${opset} flattens axes ${axis}… of its input; only the last axis can be upgraded`,
          );
        if (r === 2)
          n.attrs = [
            ...n.attrs.filter((a) => a.name !== 'axis'),
            { name: 'axis', type: ATTR.INT, i: norm(axis, r) },
          ];
        break;
      }
    }
  }
}
