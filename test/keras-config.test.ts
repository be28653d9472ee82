/**
 * The Keras config analysis (formats/keras) and its findings (scanners/keras): nesting, every fact
 * kind, severities, the marshal reader on every CPython code layout, YAML tags, non-finite numbers.
 */
import { describe, expect, it } from 'vitest';
import type { RuleMeta } from '../src/core/rule.js';
import { analyzeKerasConfig, type KerasFact, summariseMarshal } from '../src/formats/keras/index.js';
import { findPythonYamlTags, parseConfigText } from '../src/formats/keras/text.js';
import { scanKerasConfigText } from '../src/scanners/keras/config-scan.js';
import type { FindingInput } from '../src/scanners/types.js';

/** `marshal.dumps((lambda x: __import__('os').system('echo hi') or x).__code__)`, CPython 3.11. */
const PY311_LAMBDA =
  '4wEAAAAAAAAAAAAAAAMAAAADAAAA80oAAACXAHQBAAAAAAAAAAAAAGQBpgEAAKsBAAAAAAAAAACgAQAAAAAAAAAAAAAAAAAAAAAAAAAAZAKmAQAAqwEAAAAAAAAAAHABfABTACkDTtoCb3P6B2VjaG8gaGkpAtoKX19pbXBvcnRfX9oGc3lzdGVtKQHaAXhzAQAAACD6CDxzdHJpbmc++gg8bGFtYmRhPnIIAAAAAwAAAHMhAAAAgACNapgU0Q4e1A4e1w4l0g4loGnRDjDUDjDQDjWwQYAA8wAAAAA=';
/** A function with a nested list comprehension importing subprocess.Popen, CPython 3.11. */
const PY311_NESTED =
  '4wEAAAAAAAAAAAAAAAQAAAADAAAA80IAAACHAZcAZAFkAGwAigGIAWYBZAKECHQDAAAAAAAAAAAAAGQDpgEAAKsBAAAAAAAAAABEAKYAAACrAAAAAAAAAAAAUwApBE7pAAAAAGMBAAAAAAAAAAAAAAAFAAAAEwAAAPM8AAAAlQGXAGcAfABdGH0BiQKgAAAAAAAAAAAAAAAAAAAAAAAAAAAAZABnAaYBAACrAQAAAAAAAAAAkQKMGVMAKQHaAmlkKQHaBVBvcGVuKQPaAi4w2gFf2gpzdWJwcm9jZXNzcwMAAAAgIID6CDxzdHJpbmc++go8bGlzdGNvbXA+ehVnLjxsb2NhbHM+LjxsaXN0Y29tcD4HAAAAcykAAAD4gADQCzfQCzfQCzeoEYhK1wwc0gwcmGSYVtEMJNQMJNALN9ALN9ALN/MAAAAA6QEAAAApAnIIAAAA2gVyYW5nZSkC2gF4cggAAABzAgAAACBAcgkAAADaAWdyDwAAAAUAAABzLwAAAPiAANgEFdAEFdAEFdAEFdgLN9ALN9ALN9ALN61lsEGpaKxo0As30Qs31As30AQ3cgsAAAA=';

// ---- a marshal writer for the older code layouts -------------------------------------------------

const i32 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, (n >>> 24) & 0xff];
const z = (s: string): number[] => [0x7a, s.length, ...Buffer.from(s, 'latin1')];
const t = (s: string): number[] => [0x74, ...i32(s.length), ...Buffer.from(s, 'latin1')];
const tuple = (...items: number[][]): number[] => [0x29, items.length, ...items.flat()];
const bytes = (n: number): number[] => [0x73, ...i32(n), ...new Array<number>(n).fill(0x64)];

function code(
  ints: number,
  parts: { consts: number[]; names: string[]; str?: (s: string) => number[] },
): number[] {
  const s = parts.str ?? z;
  return [
    0x63,
    ...new Array<number>(ints).fill(0).flatMap(() => i32(1)),
    ...bytes(6),
    ...parts.consts,
    ...tuple(...parts.names.map(s)),
    ...tuple(s('x')),
    ...tuple(),
    ...tuple(),
    ...s('<string>'),
    ...s('<lambda>'),
    ...i32(1),
    ...bytes(2),
  ];
}

function summary(b64OrBytes: string | number[]) {
  const b = typeof b64OrBytes === 'string' ? Buffer.from(b64OrBytes, 'base64') : Uint8Array.from(b64OrBytes);
  return summariseMarshal(b);
}

describe('marshal reader', () => {
  it('reads CPython 3.11 code objects: names, strings, function names', () => {
    const r = summary(PY311_LAMBDA);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.summary.layout).toBe('CPython 3.11+');
    expect(r.summary.names).toEqual(['__import__', 'system']);
    expect(r.summary.strings).toEqual(['os', 'echo hi']);
    expect(r.summary.functionNames).toEqual(['<lambda>']);
  });

  it('follows nested code objects and refs', () => {
    const r = summary(PY311_NESTED);
    expect(r.ok && r.summary.codeObjects).toBe(2);
    expect(r.ok && r.summary.names).toEqual(['subprocess', 'range', 'Popen']);
    expect(r.ok && r.summary.strings).toContain('id');
  });

  it('reads the 3.8–3.10, 3.0–3.7 and 2.x layouts', () => {
    const consts = tuple([0x4e], z('echo pwned'));
    const v38 = summary(code(6, { consts, names: ['os', 'system'] }));
    expect(v38.ok && v38.summary.layout).toBe('CPython 3.8–3.10');
    expect(v38.ok && v38.summary.names).toEqual(['os', 'system']);
    const v37 = summary(code(5, { consts, names: ['eval'] }));
    expect(v37.ok && v37.summary.layout).toBe('CPython 3.0–3.7');
    const v2 = summary(code(4, { consts, names: ['popen'], str: t }));
    expect(v2.ok && v2.summary.layout).toBe('CPython 2.x');
    expect(v2.ok && v2.summary.strings).toEqual(['echo pwned']);
  });

  it('reads a lambda nested in the consts of another code object (any layout)', () => {
    const inner = code(6, { consts: tuple([0x4e]), names: ['exec'] });
    const outer = summary(code(6, { consts: tuple(inner, z('payload')), names: ['map'] }));
    expect(outer.ok && outer.summary.codeObjects).toBe(2);
    expect(outer.ok && outer.summary.names).toEqual(['map', 'exec']);
  });

  it('refuses streams that are not a code object, with a reason', () => {
    expect(summary(z('just a string'))).toMatchObject({ ok: false });
    expect(summary([0x01, 0x02])).toMatchObject({ ok: false });
    expect(summary([])).toMatchObject({ ok: false });
    expect(summary([...Buffer.from(PY311_LAMBDA, 'base64'), 0x00])).toMatchObject({ ok: false });
  });

  it('bounds counts by the bytes left and nesting by maxDepth, without allocating', () => {
    expect(summary([0x28, ...i32(0x7fffffff)])).toMatchObject({ ok: false });
    expect(summary([0x73, ...i32(-5)])).toMatchObject({ ok: false });
    const deep = [...new Array<number>(5000).fill(0).flatMap(() => [0x29, 1]), 0x4e];
    const r = summary(deep);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/deeper than/);
  });

  it('survives truncation at every offset and 2,000 seeded mutations', () => {
    const base = Buffer.from(PY311_NESTED, 'base64');
    for (let cut = 0; cut < base.length; cut++) expect(summary([...base.subarray(0, cut)]).ok).toBe(false);
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 2000; i++) {
      const b = Uint8Array.from(base);
      for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++)
        b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const r = summariseMarshal(b);
      expect(typeof r.ok).toBe('boolean');
    }
  });
});

// ---- the config walk -----------------------------------------------------------------------------

const kinds = (facts: readonly KerasFact[]): string[] => facts.map((f) => f.kind);
const k2Lambda = (name: string) => ({
  class_name: 'Lambda',
  config: { name, function: [PY311_LAMBDA, null, null], function_type: 'lambda', module: '__main__' },
});

describe('Keras config walk', () => {
  it('finds Lambdas in every wrapper: layer, forward_layer, backward_layer, cell, cells, nested models', () => {
    const cfg = {
      class_name: 'Sequential',
      config: {
        layers: [
          { class_name: 'TimeDistributed', config: { layer: k2Lambda('a') } },
          {
            class_name: 'Bidirectional',
            config: {
              layer: { class_name: 'LSTM', config: {} },
              forward_layer: k2Lambda('b'),
              backward_layer: k2Lambda('c'),
            },
          },
          { class_name: 'RNN', config: { cell: k2Lambda('d') } },
          {
            class_name: 'RNN',
            config: { cell: { class_name: 'StackedRNNCells', config: { cells: [k2Lambda('e')] } } },
          },
          {
            class_name: 'Functional',
            config: {
              layers: [
                {
                  class_name: 'Sequential',
                  config: { layers: [k2Lambda('f')] },
                  name: 'inner',
                  inbound_nodes: [],
                },
              ],
              input_layers: [],
              output_layers: [['inner', 0, 0]],
            },
          },
        ],
      },
    };
    const a = analyzeKerasConfig(cfg, 'model_config');
    const lambdas = a.facts.filter((f) => f.kind === 'lambda');
    expect(lambdas.map((f) => (f.kind === 'lambda' ? f.layer : ''))).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(a.complete).toBe(true);
  });

  it('finds __lambda__ objects outside layers (activations, losses)', () => {
    const a = analyzeKerasConfig(
      {
        module: 'keras',
        class_name: 'Sequential',
        config: {
          layers: [
            {
              module: 'keras.layers',
              class_name: 'Dense',
              config: {
                name: 'd',
                activation: { class_name: '__lambda__', config: { value: [PY311_LAMBDA, null, null] } },
              },
            },
          ],
        },
        compile_config: { loss: { class_name: '__lambda__', config: { value: PY311_LAMBDA } } },
      },
      'config.json',
    );
    const l = a.facts.filter((f) => f.kind === 'lambda');
    expect(l).toHaveLength(2);
    expect(l[0]).toMatchObject({ layer: 'd', flavour: 'keras3' });
  });

  it('classifies modules: Keras, __main__, registered, foreign, dangerous, TensorFlow, builtins', () => {
    const objs = [
      { module: 'keras.layers', class_name: 'Dense', config: {} },
      { module: 'keras.src.trainers.compile_utils', class_name: 'MetricsList', config: {} },
      { module: 'tf_keras.layers', class_name: 'Dense', config: {} },
      { module: null, class_name: 'MyLayer', config: {} },
      { module: '__main__', class_name: 'MyLayer', config: {} },
      { module: 'my_models.layers', class_name: 'Scale', config: {}, registered_name: 'MyModels>Scale' },
      { module: 'my_models.layers', class_name: 'Scale', config: {}, registered_name: 'Scale' },
      { module: 'os', class_name: 'system', config: {}, registered_name: 'X>system' },
      { module: 'tensorflow.io', class_name: 'write_file', config: {} },
      {
        module: 'tensorflow.python.framework.tensor',
        class_name: '__typespec__',
        spec_name: 'TensorSpec',
        config: [],
      },
      { module: 'builtins', class_name: 'function', config: 'relu', registered_name: 'function' },
      { module: 'builtins', class_name: 'function', config: 'eval', registered_name: 'function' },
      { module: 'builtins', class_name: 'function', config: 'my_loss', registered_name: 'function' },
      { module: 'builtins', class_name: 'getattr', config: {} },
    ];
    const a = analyzeKerasConfig({ class_name: 'X', module: 'keras', config: { objects: objs } }, 'c');
    const out = a.facts
      .filter((f) => f.kind === 'custom' || f.kind === 'foreign')
      .map((f) =>
        f.kind === 'custom'
          ? `custom:${f.reason}:${f.name}`
          : f.kind === 'foreign'
            ? `foreign:${f.reason}:${f.module}.${f.className}`
            : '',
      );
    expect(out).toEqual([
      'custom:main-module:MyLayer',
      'custom:main-module:MyLayer',
      'custom:registered:Scale',
      'foreign:other-module:my_models.layers.Scale',
      'foreign:dangerous-module:os.system',
      'foreign:tensorflow-module:tensorflow.io.write_file',
      'foreign:dangerous-builtin:builtins.eval',
      'custom:unknown-function:my_loss',
      'foreign:dangerous-builtin:builtins.getattr',
    ]);
  });

  it('Keras 2 class names: known, Custom>Adam, registered, unknown', () => {
    const a = analyzeKerasConfig(
      {
        class_name: 'Sequential',
        config: {
          layers: [
            {
              class_name: 'Dense',
              config: { kernel_initializer: { class_name: 'GlorotUniform', config: {} } },
            },
            { class_name: 'Pkg>Thing', config: {} },
            { class_name: 'Popen', config: {} },
          ],
        },
        optimizer_config: { class_name: 'Custom>Adam', config: {} },
      },
      'model_config',
    );
    const custom = a.facts.filter((f) => f.kind === 'custom');
    expect(custom.map((f) => (f.kind === 'custom' ? [f.reason, f.name, f.dangerousName] : []))).toEqual([
      ['registered', 'Pkg>Thing', false],
      ['unknown-class', 'Popen', true],
    ]);
  });

  it('bare function names under activation/loss/metrics: built-ins pass, others are custom functions', () => {
    const a = analyzeKerasConfig(
      {
        loss: { out_a: 'mse', out_b: 'my_loss' },
        metrics: [['accuracy', 'AUC', 'f1_custom']],
        layers: [{ class_name: 'Dense', config: { activation: 'swish2' } }],
      },
      'training_config',
    );
    expect(a.facts.map((f) => (f.kind === 'custom' ? f.name : f.kind))).toEqual([
      'my_loss',
      'f1_custom',
      'swish2',
    ]);
  });

  it('TF op layers carry the op they call', () => {
    const a = analyzeKerasConfig(
      {
        class_name: 'Sequential',
        config: {
          layers: [
            { class_name: 'TFOpLambda', config: { name: 'x', function: 'math.add' } },
            { class_name: 'TensorFlowOpLayer', config: { name: 'y', node_def: { op: 'ReadFile' } } },
            { class_name: 'InstanceMethod', config: { name: 'z', attr_name: 'numpy' } },
          ],
        },
      },
      'm',
    );
    expect(a.facts.map((f) => (f.kind === 'tf-op' ? f.op : f.kind))).toEqual([
      'math.add',
      'ReadFile',
      'numpy',
    ]);
  });

  it('gadgets by class_name, registered_name or function config; function layers', () => {
    const layers = [
      {
        module: 'keras.utils',
        class_name: 'get_file',
        config: {},
        name: 'g',
        inbound_nodes: [{ args: ['f', 'http://x.example/a'], kwargs: {} }],
      },
      {
        module: 'keras',
        class_name: 'function',
        config: 'enable_unsafe_deserialization',
        name: 'u',
        inbound_nodes: [],
      },
      { module: 'keras.datasets.mnist', class_name: 'load_data', config: {}, name: 'm', inbound_nodes: [] },
      { module: 'keras.utils', class_name: 'pad_sequences', config: {}, name: 'p', inbound_nodes: [] },
      { module: 'keras.layers', class_name: 'Dense', config: { name: 'd' }, name: 'd', inbound_nodes: [] },
    ];
    const a = analyzeKerasConfig(
      { class_name: 'Functional', config: { layers, input_layers: [], output_layers: [['d', 0, 0]] } },
      'config.json',
    );
    const g = a.facts.filter((f) => f.kind === 'gadget');
    expect(g.map((f) => (f.kind === 'gadget' ? `${f.name}:${f.gadget.kind}` : ''))).toEqual([
      'get_file:download',
      'enable_unsafe_deserialization:unsafe',
      'load_data:download',
      'pad_sequences:call',
    ]);
    expect(g[0]).toMatchObject({ urls: ['http://x.example/a'] });
    expect(a.facts.filter((f) => f.kind === 'function-layer')).toHaveLength(4);
  });

  it('dead nodes: Keras 2 lists and Keras 3 keras_history, shared layers, multiple outputs', () => {
    const k3 = (name: string) => ({
      class_name: '__keras_tensor__',
      config: { keras_history: [name, 0, 0] },
    });
    const layers = [
      { class_name: 'InputLayer', config: { name: 'in' }, name: 'in', inbound_nodes: [] },
      { class_name: 'InputLayer', config: { name: 'unused_in' }, name: 'unused_in', inbound_nodes: [] },
      { class_name: 'Dense', config: { name: 'a' }, name: 'a', inbound_nodes: [[['in', 0, 0, {}]]] },
      {
        class_name: 'Dense',
        config: { name: 'b' },
        name: 'b',
        inbound_nodes: [{ args: [k3('a')], kwargs: { mask: k3('in') } }],
      },
      {
        class_name: 'Add',
        config: { name: 'c' },
        name: 'c',
        inbound_nodes: [{ args: [[k3('a'), k3('b')]], kwargs: {} }],
      },
      { class_name: 'Dense', config: { name: 'dead1' }, name: 'dead1', inbound_nodes: [[['in', 0, 0, {}]]] },
      {
        class_name: 'Lambda',
        config: { name: 'dead2' },
        name: 'dead2',
        inbound_nodes: [[['dead1', 0, 0, {}]]],
      },
    ];
    const a = analyzeKerasConfig(
      {
        class_name: 'Functional',
        config: {
          name: 'm',
          layers,
          input_layers: [['in', 0, 0]],
          output_layers: { x: ['c', 0, 0], y: ['b', 0, 0] },
        },
      },
      'm',
    );
    const dead = a.facts.find((f) => f.kind === 'dead-nodes');
    expect(dead?.kind === 'dead-nodes' && dead.layers).toEqual([
      { name: 'dead1', className: 'Dense', ordinary: true },
      { name: 'dead2', className: 'Lambda', ordinary: false },
    ]);
  });

  it('TorchModuleWrapper payloads are decoded; TFSMLayer paths are kept', () => {
    const a = analyzeKerasConfig(
      {
        class_name: 'Sequential',
        config: {
          layers: [
            {
              module: 'keras.layers',
              class_name: 'TorchModuleWrapper',
              config: { name: 't', module: Buffer.from('PK\x03\x04').toString('base64') },
            },
            { module: 'keras.layers', class_name: 'TorchModuleWrapper', config: { name: 'u', module: 7 } },
            {
              module: 'keras.layers',
              class_name: 'TFSMLayer',
              config: { name: 's', filepath: '/abs/model' },
            },
          ],
        },
      },
      'c',
    );
    const t = a.facts.filter((f) => f.kind === 'torch-module');
    expect(t[0]?.kind === 'torch-module' && [...(t[0].payload ?? [])]).toEqual([0x50, 0x4b, 3, 4]);
    expect(t[1]?.kind === 'torch-module' && t[1].error).toMatch(/number, not base64/);
    expect(a.facts.find((f) => f.kind === 'tfsm-layer')).toMatchObject({
      filepath: '/abs/model',
      layer: 's',
    });
  });

  it('stops at maxDepth and maxNodes with a limit fact', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1000; i++) deep = [deep];
    const a = analyzeKerasConfig(deep, 'c');
    expect(a.complete).toBe(false);
    expect(kinds(a.facts)).toEqual(['limit']);
    const wide = analyzeKerasConfig({ x: new Array(3_000_000).fill(0) }, 'c');
    expect(wide.complete).toBe(false);
    expect(wide.facts[0]).toMatchObject({ kind: 'limit', limit: 'maxNodes' });
  });

  it('keeps at most maxIssuesPerKind facts per kind and counts the rest', () => {
    const layers = new Array(80).fill(0).map((_, i) => ({ class_name: `Custom${i}`, config: {} }));
    const a = analyzeKerasConfig({ class_name: 'Sequential', config: { layers } }, 'c');
    expect(a.facts.filter((f) => f.kind === 'custom')).toHaveLength(50);
    expect(a.dropped.custom).toBe(30);
  });
});

describe('config text', () => {
  it("parses Python json's NaN and Infinity, not inside strings", () => {
    const r = parseConfigText('{"a": NaN, "b": -Infinity, "c": "NaN and Infinity"}', {
      maxConfigBytes: 1000,
    });
    expect(r).toEqual({ ok: true, value: { a: null, b: null, c: 'NaN and Infinity' }, nonFinite: true });
  });

  it('refuses texts over maxConfigBytes', () => {
    expect(parseConfigText('{}'.padEnd(100), { maxConfigBytes: 10 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
  });

  it.each([
    ['a: !!python/object/apply:os.system [id]', '!!python/object/apply:os.system'],
    ['a: !<tag:yaml.org,2002:python/name:os.system> x', '!!python/name:os.system'],
    [
      '%TAG !p! tag:yaml.org,2002:python/\n---\na: !p!object/apply:subprocess.call [x]',
      '!!python/object/apply:subprocess.call',
    ],
    ['a: !!python%2Fobject/new:os.system [x]', '!!python/object/new:os.system'],
    ['- !!python/module:os', '!!python/module:os'],
    ['{a: !!python/name:eval }', '!!python/name:eval'],
  ])('finds the Python tag in %j', (text, tag) => {
    expect(findPythonYamlTags(text)).toEqual([tag]);
  });

  it('ignores tags in quoted scalars and comments, and plain tags', () => {
    expect(
      findPythonYamlTags('a: "!!python/object/apply:os.system"\nb: x # !!python/name:eval\nc: !!str 1'),
    ).toEqual([]);
  });
});

describe('findings from a config', () => {
  function findings(text: string, container: 'h5' | 'keras' | 'json' = 'h5') {
    const out: (FindingInput & { rule: string })[] = [];
    const sink = (rule: RuleMeta, f: FindingInput): void => {
      out.push({ rule: rule.id, ...f });
    };
    scanKerasConfigText(text, 'model_config', true, sink, {
      container,
      kerasVersion: undefined,
      maxEvidenceChars: 200,
    });
    return out;
  }

  it('TF op severities: math low, unknown medium, file/Python high', () => {
    const layer = (fn: string) => ({ class_name: 'TFOpLambda', config: { name: fn, function: fn } });
    const f = findings(
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          layers: [
            layer('math.add'),
            layer('__operators__.getitem'),
            layer('some.op'),
            layer('io.write_file'),
            layer('numpy_function'),
            layer('raw_ops.ReadFile'),
          ],
        },
      }),
    );
    expect(f.map((x) => x.severity)).toEqual(['low', 'low', 'medium', 'high', 'high', 'high']);
  });

  it('TFSMLayer: relative path medium, traversal or URL high', () => {
    const layer = (p: string) => ({
      module: 'keras.layers',
      class_name: 'TFSMLayer',
      config: { filepath: p },
    });
    const f = findings(
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [layer('saved'), layer('../x'), layer('gs://b/m')] },
      }),
      'keras',
    );
    expect(f.map((x) => x.severity)).toEqual(['medium', 'high', 'high']);
  });

  it('a lowercase name in a layer list is a function called at load', () => {
    const f = findings(
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'system', config: {} }] },
      }),
    );
    expect(f.map((x) => x.rule)).toContain('keras/function-layer');
  });

  it('a custom class named like a dangerous callable is high; custom functions are low', () => {
    const f = findings(
      JSON.stringify({
        class_name: 'Sequential',
        config: {
          layers: [
            { class_name: 'Popen', config: {} },
            { class_name: 'Dense', config: { activation: 'mish2' } },
          ],
        },
      }),
    );
    expect(f.map((x) => `${x.rule}:${x.severity}`)).toEqual([
      'keras/custom-object:high',
      'keras/custom-object:low',
    ]);
  });

  it('malformed texts: not JSON, YAML with Python tags, JSON that is no model', () => {
    expect(findings('{"class_name": ')).toMatchObject([{ rule: 'keras/malformed' }]);
    expect(findings('class_name: Sequential\nconfig: !!python/object/apply:os.system [id]\n')).toMatchObject([
      { rule: 'keras/malformed', severity: 'high', evidence: '!!python/object/apply:os.system' },
    ]);
    expect(findings('[1, 2]')).toMatchObject([{ rule: 'keras/malformed', severity: 'low' }]);
  });

  it('an undecodable TorchModuleWrapper payload is high', () => {
    const f = findings(
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'TorchModuleWrapper', config: { module: null } }] },
      }),
      'keras',
    );
    expect(f).toMatchObject([{ rule: 'keras/torch-module', severity: 'high' }]);
  });

  it('counts findings past maxIssuesPerKind in one more finding', () => {
    const layers = new Array(60).fill(0).map((_, i) => ({ class_name: `Custom${i}`, config: {} }));
    const f = findings(JSON.stringify({ class_name: 'Sequential', config: { layers } }));
    expect(f).toHaveLength(51);
    expect(f[50]?.message).toContain('10 more findings');
  });
});
