import { describe, expect, it } from 'vitest';
import {
  createPolicy,
  type DangerFamily,
  DEFAULT_POLICY,
  EXEMPTIONS,
  PROFILES,
} from '../src/scanners/policy/index.js';

const classify = (m: string, n: string) => DEFAULT_POLICY.classify(m, n);
const familyOf = (m: string, n: string): DangerFamily | 'safe' | 'unknown' => {
  const v = classify(m, n);
  return v.kind === 'dangerous' ? v.family : v.kind;
};

describe('dotted names and dunder tricks', () => {
  it('resolves attribute walks through re-exported modules (T09)', () => {
    expect(familyOf('pathlib', 'os.system')).toBe('process');
    expect(familyOf('torch', 'serialization.load')).toBe('nested-loader');
    expect(familyOf('numpy', 'testing._private.utils.runstring')).toBe('code-execution');
    expect(familyOf('os', 'path.join')).toBe('process');
  });
  it('flags any dunder attribute (T14)', () => {
    expect(familyOf('numpy', '__builtins__')).toBe('import-trampoline');
    expect(familyOf('torch.nn.modules.linear', 'Linear.__init__.__globals__')).toBe('import-trampoline');
    expect(familyOf('collections', 'OrderedDict.__class__')).toBe('import-trampoline');
    expect(familyOf('torch', 'Size.__reduce__')).toBe('import-trampoline');
    expect(familyOf('__builtins__', 'eval')).toBe('import-trampoline');
  });
  it('flags attribute walks on builtins (T15 dict.get)', () => {
    expect(familyOf('builtins', 'dict.get')).toBe('import-trampoline');
    expect(familyOf('__builtin__', 'str.format')).toBe('import-trampoline');
  });
  it('flags re-exported evaluators reached through another module', () => {
    expect(familyOf('numpy', 'eval')).toBe('code-execution');
    expect(familyOf('somepkg.util', 'getattr')).toBe('import-trampoline');
    expect(familyOf('torch.nn.modules.module', 'Module.eval')).toBe('unknown');
  });
  it('flags a module object reached as a global (module state rewrite)', () => {
    expect(familyOf('torch', '_utils')).toBe('import-trampoline');
    expect(familyOf('numpy', 'random')).toBe('import-trampoline');
  });
  it('flags package __main__ scripts but not __main__ classes', () => {
    expect(familyOf('torch.utils.bottleneck.__main__', 'main')).toBe('code-execution');
    expect(familyOf('somepkg.__main__', 'main')).toBe('code-execution');
    expect(familyOf('__main__', 'MyModel')).toBe('unknown');
  });
  it('never launders an attribute walk below an allowlisted class', () => {
    expect(familyOf('torch.nn.modules.linear', 'Linear')).toBe('safe');
    expect(familyOf('torch.nn.modules.linear', 'Linear.register_forward_hook')).toBe('unknown');
    expect(familyOf('pathlib', 'PosixPath.unlink')).toBe('filesystem');
  });
  it('treats an absurd walk length as a trick', () => {
    expect(familyOf('a', Array.from({ length: 40 }, () => 'b').join('.'))).toBe('import-trampoline');
  });
  it('is not fooled by Object.prototype names', () => {
    for (const n of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(familyOf(n, n)).toBe('unknown');
      expect(familyOf('builtins', n)).toBe('import-trampoline');
    }
    expect(familyOf('__proto__', 'x')).toBe('unknown');
  });
  it('returns unknown for names no import could resolve', () => {
    expect(familyOf('os ', 'system')).toBe('unknown');
    expect(familyOf('', 'x')).toBe('unknown');
    expect(familyOf('torch', 'a..b')).toBe('unknown');
  });
  it('normalises Python 2 spellings', () => {
    expect(classify('__builtin__', 'set')).toEqual({ kind: 'safe', profile: 'plain' });
    expect(classify('copy_reg', '_reconstructor')).toEqual({ kind: 'safe', profile: 'plain' });
    expect(familyOf('__builtin__', 'xrange')).toBe('safe');
    expect(familyOf('urllib2', 'urlopen')).toBe('network');
    expect(familyOf('exceptions', 'ValueError')).toBe('import-trampoline');
    expect(familyOf('builtins', 'print')).toBe('import-trampoline');
  });
});

describe('allowlist profiles', () => {
  it('classifies every profile entry safe (exemptions included)', () => {
    for (const profile of Object.values(PROFILES)) {
      for (const [module, names] of Object.entries(profile.table)) {
        for (const name of names.split(/\s+/)) {
          const v = classify(module, name);
          expect([module, name, v.kind]).toEqual([module, name, 'safe']);
        }
      }
    }
  });
  it('lists only exemptions that some profile allows', () => {
    for (const [module, names] of Object.entries(EXEMPTIONS)) {
      for (const name of names.split(' ')) expect(classify(module, name).kind).toBe('safe');
    }
  });
  it('keeps the rest of an exempted module dangerous', () => {
    expect(familyOf('copyreg', 'add_extension')).toBe('import-trampoline');
    expect(familyOf('types', 'FunctionType')).toBe('code-object');
    expect(familyOf('uuid', '_get_command_stdout')).toBe('process');
    expect(familyOf('torch.serialization', '_load')).toBe('nested-loader');
    expect(familyOf('logging', 'FileHandler')).toBe('filesystem');
  });
  it('fails closed on anything unlisted', () => {
    expect(classify('mycompany.models', 'Net')).toEqual({ kind: 'unknown' });
    expect(classify('re', '_compile')).toEqual({ kind: 'unknown' });
    expect(classify('numpy', 'size')).toEqual({ kind: 'unknown' });
    expect(DEFAULT_POLICY.unknownSeverity).toBe('medium');
  });
  it('allows only pure constructors among builtins', () => {
    for (const n of ['dict', 'list', 'set', 'tuple', 'bytes', 'bytearray', 'complex', 'slice', 'object']) {
      expect(familyOf('builtins', n)).toBe('safe');
    }
    for (const n of [
      'getattr',
      'eval',
      'exec',
      'compile',
      'open',
      '__import__',
      'vars',
      'globals',
      'locals',
    ]) {
      expect(classify('builtins', n).kind).toBe('dangerous');
    }
    for (const n of ['setattr', 'delattr', 'input', 'breakpoint', 'help', 'exit', 'quit']) {
      expect(classify('builtins', n).kind).toBe('dangerous');
    }
  });
});

describe('performance', () => {
  it('classifies 100k globals quickly (cached Map lookups)', () => {
    const policy = createPolicy();
    const names = ['_rebuild_tensor_v2', 'FloatStorage', 'OrderedDict', 'system', 'Unlisted'];
    const modules = ['torch._utils', 'torch', 'collections', 'os', 'mine'];
    const t0 = performance.now();
    let dangerous = 0;
    for (let i = 0; i < 100_000; i += 1) {
      const j = i % 5;
      if (policy.classify(modules[j] ?? '', names[j] ?? '').kind === 'dangerous') dangerous += 1;
    }
    expect(dangerous).toBe(20_000);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
  it('stays bounded with many distinct hostile names', () => {
    const policy = createPolicy();
    for (let i = 0; i < 70_000; i += 1) policy.classify('m', `n${i}`);
    expect(policy.classify('os', 'system').kind).toBe('dangerous');
  });
});
