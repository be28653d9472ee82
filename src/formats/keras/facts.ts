import type { MarshalResult } from './marshal.js';
import type { Gadget } from './names.js';

/** Where in a config something sits: `model_config.config.layers[2].config.layer`. */
export type ConfigPath = string;

/** Bytecode of a Lambda (`func_dump` output: base64 of `marshal.dumps(code)`), decoded and summarised. */
export interface LambdaCode {
  /** Characters of base64 in the config. */
  base64Chars: number;
  /** Bytes after base64 decoding. */
  bytes: number;
  marshal: MarshalResult;
}

/** One thing in a Keras config that matters for loading it safely. Severity is the scanner's call. */
export type KerasFact =
  | {
      kind: 'lambda';
      path: ConfigPath;
      /** Name of the enclosing layer, when it has one. */
      layer: string | undefined;
      /** `keras2`: Lambda `function_type: lambda`; `keras3`: a `__lambda__` object. */
      flavour: 'keras2' | 'keras3';
      /** Which field holds it (`function`, `output_shape`, `mask`, or a `__lambda__` `value`/`code`). */
      field: string;
      code: LambdaCode | undefined;
      /** Keras 2 Lambda `module`: its globals are given to the code (`os` makes `system` a bare name). */
      globalsModule: string | undefined;
    }
  | {
      kind: 'tf-op';
      path: ConfigPath;
      layer: string | undefined;
      className: string;
      /** The op or attribute called by name (`math.add`, `ReadFile`, `__getitem__`). */
      op: string | undefined;
    }
  | {
      kind: 'foreign';
      path: ConfigPath;
      className: string;
      module: string;
      registeredName: string | undefined;
      /** Why the module is outside what Keras should import. */
      reason: 'dangerous-module' | 'dangerous-builtin' | 'tensorflow-module' | 'other-module';
    }
  | {
      kind: 'custom';
      path: ConfigPath;
      /** A class, or a function named by a string (`"loss": "my_loss"`). */
      what: 'class' | 'function';
      name: string;
      module: string | undefined;
      registeredName: string | undefined;
      reason: 'registered' | 'main-module' | 'unknown-class' | 'unknown-function';
      /** The name is also a dangerous Python callable (`Popen`, `system`). */
      dangerousName: boolean;
    }
  | {
      kind: 'gadget';
      path: ConfigPath;
      name: string;
      gadget: Gadget;
      module: string | undefined;
      /** URLs found in its config and call arguments. */
      urls: string[];
    }
  | {
      kind: 'function-layer';
      path: ConfigPath;
      layer: string | undefined;
      /** The function's name (`get_file`, `pad_sequences`, or the `function` config). */
      name: string;
      module: string | undefined;
    }
  | {
      kind: 'dead-nodes';
      path: ConfigPath;
      model: string | undefined;
      /** Layers that no output depends on; Keras still builds and calls them while loading. */
      layers: { name: string; className: string; ordinary: boolean }[];
    }
  | {
      kind: 'torch-module';
      path: ConfigPath;
      layer: string | undefined;
      /** The decoded `torch.save` bytes, or why they could not be decoded. */
      payload: Uint8Array | undefined;
      error: string | undefined;
    }
  | { kind: 'tfsm-layer'; path: ConfigPath; layer: string | undefined; filepath: string | undefined }
  | { kind: 'limit'; limit: string; message: string };

export type KerasFactKind = KerasFact['kind'];

export interface KerasConfigAnalysis {
  facts: KerasFact[];
  /** Facts not kept past limits.maxIssuesPerKind, by kind. */
  dropped: Partial<Record<KerasFactKind, number>>;
  /** `class_name` of the top object (`Sequential`, `Functional` …). */
  modelClass: string | undefined;
  /** Layer entries seen at every depth. */
  layers: number;
  /** JSON values visited. */
  nodes: number;
  /** False when a limit stopped the walk before the end. */
  complete: boolean;
}
