/**
 * Builders for TensorFlow SavedModel protobufs without TensorFlow, from the .proto definitions:
 * saved_model.proto (SavedModel), meta_graph.proto (MetaGraphDef, MetaInfoDef, AssetFileDef),
 * saver.proto (SaverDef), graph.proto (GraphDef), function.proto (FunctionDefLibrary, FunctionDef),
 * op_def.proto (OpDef.name), node_def.proto (NodeDef), attr_value.proto (AttrValue),
 * saved_object_graph.proto (SavedObjectGraph, SavedObject, SavedUserObject) and Keras'
 * saved_metadata.proto (SavedMetadata). Field numbers are the real ones, so the bytes are what
 * TensorFlow writes for the same content.
 */
import { Pb, pb } from './protobuf-writer.js';

export type Attr = { s: string } | { i: number } | { func: string } | { type: number } | { list: string[] };

function attrValue(a: Attr): Pb {
  if ('s' in a) return pb().string(2, a.s);
  if ('i' in a) return pb().varint(3, a.i);
  if ('type' in a) return pb().varint(6, a.type);
  if ('func' in a) return pb().msg(10, pb().string(1, a.func));
  const list = pb();
  for (const s of a.list) list.string(2, s);
  return pb().msg(1, list);
}

/** NodeDef { name = 1, op = 2, input = 3, device = 4, attr = 5 (map<string, AttrValue>) }. */
export function nodeDef(
  name: string,
  op: string,
  inputs: string[] = [],
  attrs: Record<string, Attr> = {},
): Pb {
  const n = pb().string(1, name).string(2, op);
  for (const i of inputs) n.string(3, i);
  for (const [k, v] of Object.entries(attrs)) n.msg(5, pb().string(1, k).msg(2, attrValue(v)));
  return n;
}

/** FunctionDef { signature = 1 (OpDef { name = 1 }), node_def = 3, ret = 4 }. */
export function functionDef(name: string, nodes: Pb[]): Pb {
  const f = pb().msg(1, pb().string(1, name));
  for (const n of nodes) f.msg(3, n);
  return f.msg(4, pb().string(1, 'output').string(2, 'y:0'));
}

/** GraphDef { node = 1, library = 2 (FunctionDefLibrary { function = 1 }), versions = 4 }. */
export function graphDef(nodes: Pb[], functions: Pb[] = []): Pb {
  const g = pb();
  for (const n of nodes) g.msg(1, n);
  if (functions.length > 0) {
    const lib = pb();
    for (const f of functions) lib.msg(1, f);
    g.msg(2, lib);
  }
  return g.msg(4, pb().varint(1, 1205).varint(2, 12));
}

export interface MetaGraphSpec {
  graph: Pb;
  tags?: string[];
  tfVersion?: string;
  /** SaverDef.restore_op_name (TF1 savers: `save/restore_all`). */
  restoreOp?: string;
  assets?: string[];
  /** SavedUserObject metadata JSON strings (object graph, TF ≤ 2.4 Keras). */
  userObjects?: Array<{ identifier: string; metadata: string }>;
}

/** MetaGraphDef { meta_info_def = 1, graph_def = 2, saver_def = 3, signature_def = 5, asset_file_def = 6, object_graph_def = 7 }. */
export function metaGraph(spec: MetaGraphSpec): Pb {
  const info = pb();
  for (const t of spec.tags ?? ['serve']) info.string(4, t);
  info.string(5, spec.tfVersion ?? '2.14.0').string(6, 'v2.14.0-rc1-21-g4dacf3f368e');
  const mg = pb().msg(1, info).msg(2, spec.graph);
  if (spec.restoreOp !== undefined)
    mg.msg(
      3,
      pb().string(1, 'save/Const:0').string(2, 'save/control_dependency:0').string(3, spec.restoreOp),
    );
  // signature_def map entry: SignatureDef { inputs = 1, outputs = 2 (map<string, TensorInfo>), method_name = 3 }.
  const tensorInfo = (name: string) => pb().string(1, name).varint(2, 1);
  const signature = pb()
    .msg(1, pb().string(1, 'x').msg(2, tensorInfo('serving_default_x:0')))
    .msg(2, pb().string(1, 'y').msg(2, tensorInfo('StatefulPartitionedCall:0')))
    .string(3, 'tensorflow/serving/predict');
  mg.msg(5, pb().string(1, 'serving_default').msg(2, signature));
  for (const a of spec.assets ?? []) mg.msg(6, pb().msg(1, pb().string(1, 'asset_path:0')).string(2, a));
  if (spec.userObjects !== undefined) {
    const og = pb();
    for (const u of spec.userObjects)
      og.msg(1, pb().msg(4, pb().string(1, u.identifier).msg(2, pb().varint(1, 1)).string(3, u.metadata)));
    mg.msg(7, og);
  }
  return mg;
}

/** SavedModel { saved_model_schema_version = 1, meta_graphs = 2 }. */
export function savedModel(metaGraphs: Pb[], schemaVersion = 1): Uint8Array {
  const m = pb().varint(1, schemaVersion);
  for (const g of metaGraphs) m.msg(2, g);
  return m.build();
}

/** The saver TF2's tf.saved_model.save writes: traced save/restore functions with SaveV2/RestoreV2. */
export function tf2SaverFunctions(): Pb[] {
  return [
    functionDef('__inference__traced_save_300', [
      nodeDef('StaticRegexFullMatch', 'StaticRegexFullMatch', ['file_prefix'], {
        pattern: { s: '^s3://.*' },
      }),
      nodeDef('StringJoin', 'StringJoin', ['file_prefix', 'Select']),
      nodeDef('ShardedFilename', 'ShardedFilename', ['StringJoin', 'num_shards', 'shard']),
      nodeDef('SaveV2', 'SaveV2', ['ShardedFilename', 'tensor_names', 'shape_and_slices', 'var']),
      nodeDef('MergeV2Checkpoints', 'MergeV2Checkpoints', ['filenames', 'file_prefix']),
      nodeDef('Identity', 'Identity', ['file_prefix']),
    ]),
    functionDef('__inference__traced_restore_318', [
      nodeDef('RestoreV2', 'RestoreV2', ['file_prefix', 'tensor_names', 'shape_and_slices']),
      nodeDef('AssignVariableOp', 'AssignVariableOp', ['var', 'RestoreV2']),
      nodeDef('NoOp', 'NoOp'),
    ]),
  ];
}

/** A benign TF2 model: y = x * w + b through a serving function, with the standard saver. */
export function benignTf2(extraNodes: Pb[] = [], extraFunctions: Pb[] = []): Uint8Array {
  const serving = functionDef('__inference_serving_default_145', [
    nodeDef('MatMul/ReadVariableOp', 'ReadVariableOp', ['matmul_readvariableop_resource']),
    nodeDef('MatMul', 'MatMul', ['x', 'MatMul/ReadVariableOp:value:0'], { T: { type: 1 } }),
    nodeDef('BiasAdd/ReadVariableOp', 'ReadVariableOp', ['biasadd_readvariableop_resource']),
    nodeDef('BiasAdd', 'BiasAdd', ['MatMul:product:0', 'BiasAdd/ReadVariableOp:value:0']),
    nodeDef('Identity', 'Identity', ['BiasAdd:output:0']),
  ]);
  const graph = graphDef(
    [
      nodeDef('w', 'VarHandleOp', [], { shared_name: { s: 'w' } }),
      nodeDef('b', 'VarHandleOp', [], { shared_name: { s: 'b' } }),
      nodeDef('serving_default_x', 'Placeholder'),
      nodeDef('StatefulPartitionedCall', 'StatefulPartitionedCall', ['serving_default_x', 'w', 'b'], {
        f: { func: '__inference_serving_default_145' },
      }),
      nodeDef('saver_filename', 'Placeholder'),
      nodeDef('StatefulPartitionedCall_1', 'StatefulPartitionedCall', ['saver_filename', 'w', 'b'], {
        f: { func: '__inference__traced_save_300' },
      }),
      nodeDef('StatefulPartitionedCall_2', 'StatefulPartitionedCall', ['saver_filename', 'w', 'b'], {
        f: { func: '__inference__traced_restore_318' },
      }),
      ...extraNodes,
    ],
    [serving, ...tf2SaverFunctions(), ...extraFunctions],
  );
  return savedModel([metaGraph({ graph })]);
}

/** A benign TF1 (tf.compat.v1 SavedModelBuilder) model with its `save/` saver scope. */
export function benignTf1(extraNodes: Pb[] = []): Uint8Array {
  const graph = graphDef([
    nodeDef('x', 'Placeholder'),
    nodeDef('w', 'VariableV2'),
    nodeDef('w/read', 'Identity', ['w']),
    nodeDef('mul', 'Mul', ['x', 'w/read']),
    nodeDef('y', 'Add', ['mul', 'w/read']),
    nodeDef('save/Const', 'Const'),
    nodeDef('save/StringJoin', 'StringJoin', ['save/Const']),
    nodeDef('save/ShardedFilename', 'ShardedFilename', ['save/StringJoin']),
    nodeDef('save/SaveV2', 'SaveV2', ['save/ShardedFilename']),
    nodeDef('save/MergeV2Checkpoints', 'MergeV2Checkpoints', ['save/Const']),
    nodeDef('save/RestoreV2', 'RestoreV2', ['save/Const']),
    nodeDef('save/Assign', 'Assign', ['w', 'save/RestoreV2']),
    nodeDef('save/restore_all', 'NoOp', ['^save/Assign']),
    ...extraNodes,
  ]);
  return savedModel([metaGraph({ graph, tfVersion: '1.15.0', restoreOp: 'save/restore_all' })]);
}

/** Keras SavedMetadata { nodes = 1: SavedObject { version = 1, node_id = 2, node_path = 3, identifier = 4, metadata = 5 } }. */
export function kerasMetadata(
  objects: Array<{ path: string; identifier: string; metadata: string }>,
): Uint8Array {
  const m = pb();
  objects.forEach((o, i) => {
    m.msg(
      1,
      pb()
        .msg(1, pb().varint(1, 1).varint(2, 1))
        .varint(2, i)
        .string(3, o.path)
        .string(4, o.identifier)
        .string(5, o.metadata),
    );
  });
  return m.build();
}

/** Keras metadata JSON of a Lambda layer holding a marshalled function (as tf.keras 2.x writes it). */
export function lambdaLayerJson(name = 'lambda'): string {
  return JSON.stringify({
    name,
    trainable: true,
    expects_training_arg: false,
    dtype: 'float32',
    batch_input_shape: null,
    stateful: false,
    must_restore_from_config: false,
    class_name: 'Lambda',
    config: {
      name,
      trainable: true,
      dtype: 'float32',
      function: {
        class_name: '__tuple__',
        items: [
          '4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwApAk7pAgAAAKkAKQHaAXhyAgAAAHICAAAA',
          null,
          null,
        ],
      },
      function_type: 'lambda',
      module: '__main__',
      output_shape: null,
      output_shape_type: 'raw',
      output_shape_module: null,
      arguments: {},
    },
  });
}

export { Pb, pb };
