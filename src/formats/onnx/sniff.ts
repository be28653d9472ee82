import { type TrialSchema, trialWalk } from '../protobuf/trial.js';

const NODE: TrialSchema = {
  1: { wire: 2, kind: 'text' },
  2: { wire: 2, kind: 'text' },
  3: { wire: 2, kind: 'text' },
  4: { wire: 2, kind: 'text' },
  5: { wire: 2 },
  6: { wire: 2 },
  7: { wire: 2, kind: 'text' },
  8: { wire: 2, kind: 'text' },
  9: { wire: 2 },
  10: { wire: 2 },
};

const GRAPH: TrialSchema = {
  1: { wire: 2, kind: NODE },
  2: { wire: 2, kind: 'text' },
  5: { wire: 2 },
  10: { wire: 2 },
  11: { wire: 2 },
  12: { wire: 2 },
  13: { wire: 2 },
  14: { wire: 2 },
  15: { wire: 2 },
  16: { wire: 2 },
};

/** ModelProto's fields (onnx.proto); ir_version is 1 … 14 today, a little headroom allowed. */
const MODEL: TrialSchema = {
  1: { wire: 0, min: 1, max: 64 },
  2: { wire: 2, kind: 'text' },
  3: { wire: 2, kind: 'text' },
  4: { wire: 2, kind: 'text' },
  5: { wire: 0 },
  6: { wire: 2 },
  7: { wire: 2, kind: GRAPH },
  8: { wire: 2, kind: { 1: { wire: 2, kind: 'text' }, 2: { wire: 0, max: 10_000 } } },
  14: { wire: 2, kind: { 1: { wire: 2, kind: 'text' }, 2: { wire: 2 } } },
  20: { wire: 2 },
  25: { wire: 2 },
  26: { wire: 2 },
};

/**
 * True when `head` starts like an ONNX ModelProto: ONNX has no magic, so the first fields are walked
 * against ModelProto's schema; the file is claimed only when the walk is consistent, starts with
 * ir_version (every exporter writes field 1 first) and sees a graph, an opset import or a producer.
 */
export function isOnnx(head: Uint8Array): boolean {
  if (head[0] !== 0x08) return false;
  const t = trialWalk(head, MODEL);
  if (!t.ok || t.fields[0] !== 1 || t.fields.length < 2) return false;
  return t.fields.some((n) => n === 7 || n === 8 || n === 2);
}
