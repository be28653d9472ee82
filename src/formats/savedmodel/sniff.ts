import { type TrialSchema, trialWalk } from '../protobuf/trial.js';

const META_INFO: TrialSchema = {
  1: { wire: 2, kind: 'text' },
  2: { wire: 2 },
  3: { wire: 2 },
  4: { wire: 2, kind: 'text' },
  5: { wire: 2, kind: 'text' },
  6: { wire: 2, kind: 'text' },
  7: { wire: 0, max: 1 },
  8: { wire: 2 },
};

/** MetaGraphDef (meta_graph.proto). */
const META_GRAPH: TrialSchema = {
  1: { wire: 2, kind: META_INFO },
  2: { wire: 2 },
  3: { wire: 2 },
  4: { wire: 2 },
  5: { wire: 2 },
  6: { wire: 2 },
  7: { wire: 2 },
};

/** SavedModel (saved_model.proto): saved_model_schema_version is 1 in every TF release. */
const SAVED_MODEL: TrialSchema = {
  1: { wire: 0, min: 0, max: 16 },
  2: { wire: 2, kind: META_GRAPH },
};

/** keras/protobuf/saved_metadata.proto: SavedMetadata { repeated SavedObject nodes = 1 }. */
const KERAS_METADATA: TrialSchema = {
  1: {
    wire: 2,
    kind: {
      1: { wire: 2 },
      2: { wire: 0 },
      3: { wire: 2, kind: 'text' },
      4: { wire: 2, kind: 'text' },
      5: { wire: 2, kind: 'text' },
    },
  },
};

const TF_KERAS = new TextEncoder().encode('_tf_keras');

function contains(head: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= head.length; i++) {
    for (let k = 0; k < needle.length; k++) if (head[i + k] !== needle[k]) continue outer;
    return true;
  }
  return false;
}

/**
 * Which TensorFlow protobuf `head` starts, by a trial walk of its first fields (there is no magic):
 * a SavedModel (`saved_model.pb`: schema version then meta graphs whose MetaInfoDef fields fit), or
 * Keras SavedModel metadata (`keras_metadata.pb`: objects whose identifier is `_tf_keras_…`).
 */
export function sniffTensorflow(head: Uint8Array): 'saved-model' | 'keras-metadata' | undefined {
  const b0 = head[0];
  if (b0 === 0x08 || b0 === 0x12) {
    const t = trialWalk(head, SAVED_MODEL);
    const metaAt = t.fields.indexOf(2);
    // Version first (or omitted), then meta graphs only.
    if (
      t.ok &&
      metaAt >= 0 &&
      metaAt <= 1 &&
      t.fields.every((n, i) => (i === 0 ? n === 1 || n === 2 : n === 2))
    )
      return 'saved-model';
  }
  if (b0 === 0x0a && contains(head, TF_KERAS)) {
    const t = trialWalk(head, KERAS_METADATA);
    if (t.ok && t.fields.length >= 1) return 'keras-metadata';
  }
  return undefined;
}

/** True when `head` looks like a SavedModel or its Keras metadata (both scanned as format 'savedmodel'). */
export function isSavedModel(head: Uint8Array): boolean {
  return sniffTensorflow(head) !== undefined;
}
