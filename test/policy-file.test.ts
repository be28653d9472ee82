import { describe, expect, it } from 'vitest';
import { createPolicy, PolicyError } from '../src/scanners/policy/index.js';
import { loadPolicyFile } from '../src/scanners/policy/policy-file.js';

function errorOf(text: string): PolicyError {
  try {
    loadPolicyFile(text, 'team-policy.json');
  } catch (e) {
    if (e instanceof PolicyError) return e;
    throw e;
  }
  throw new Error('expected a PolicyError');
}

describe('policy file', () => {
  it('parses the documented example', () => {
    const options = loadPolicyFile(
      JSON.stringify({
        version: 1,
        profiles: ['torch', 'numpy'],
        unknownSeverity: 'high',
        allow: ['mycompany.models.resnet:ResNet', 'mycompany.layers:*', 'mycompany.blocks.*'],
        deny: [
          'torch.nn.modules.rnn:*',
          { pattern: 'mycompany.legacy:load', family: 'nested-loader', reason: 'old loader' },
        ],
      }),
      'team-policy.json',
    );
    const policy = createPolicy(options);
    expect(policy.unknownSeverity).toBe('high');
    expect(policy.classify('mycompany.models.resnet', 'ResNet')).toEqual({ kind: 'safe', profile: 'user' });
    expect(policy.classify('mycompany.layers.attention', 'Block').kind).toBe('safe');
    expect(policy.classify('mycompany.blocks', 'Res.Inner').kind).toBe('safe');
    expect(policy.classify('mycompany.models.resnet', 'Other').kind).toBe('unknown');
    expect(policy.classify('torch.nn.modules.rnn', 'LSTM')).toMatchObject({
      kind: 'dangerous',
      family: 'code-execution',
    });
    expect(policy.classify('mycompany.legacy', 'load')).toEqual({
      kind: 'dangerous',
      family: 'nested-loader',
      reason: 'old loader',
    });
    // sklearn profile not enabled: unknown; plain is always on
    expect(policy.classify('sklearn.pipeline', 'Pipeline').kind).toBe('unknown');
    expect(policy.classify('collections', 'OrderedDict').kind).toBe('safe');
  });

  it('never lets a user allow entry override the danger catalogue', () => {
    const policy = createPolicy({ allow: ['os:*', 'builtins:getattr', 'pathlib:os.system'] });
    expect(policy.classify('os', 'system').kind).toBe('dangerous');
    expect(policy.classify('builtins', 'getattr').kind).toBe('dangerous');
    expect(policy.classify('pathlib', 'os.system').kind).toBe('dangerous');
  });

  it('lets user deny entries win over profiles, with the catalogue family when it knows one', () => {
    const policy = createPolicy({ deny: ['torch._utils:_rebuild_tensor_v2', 'os:system'] });
    expect(policy.classify('torch._utils', '_rebuild_tensor_v2')).toMatchObject({ kind: 'dangerous' });
    expect(policy.classify('os', 'system')).toMatchObject({ kind: 'dangerous', family: 'process' });
    // a deny entry matches through attribute walks too
    expect(createPolicy({ deny: ['mylib:*'] }).classify('pathlib', 'mylib.thing').kind).toBe('dangerous');
  });

  it('makes the unknown severity configurable', () => {
    expect(createPolicy().unknownSeverity).toBe('medium');
    expect(createPolicy({ unknownSeverity: 'low' }).unknownSeverity).toBe('low');
    expect(createPolicy(loadPolicyFile('{"unknownSeverity":"critical"}', 'p.json')).unknownSeverity).toBe(
      'critical',
    );
  });

  it('reports invalid JSON', () => {
    const e = errorOf('{ "allow": [ }');
    expect(e.code).toBe('MALFORMED');
    expect(e.message).toMatch(/^team-policy\.json: not valid JSON/);
  });
  it('names an unknown field', () => {
    const e = errorOf('{ "alow": ["a:b"] }');
    expect(e.message).toBe('team-policy.json: unknown field "alow"');
  });
  it('names a field of the wrong type', () => {
    const e = errorOf('{ "allow": "a:b" }');
    expect(e.field).toBe('allow');
    expect(e.message).toMatch(/^team-policy\.json: allow: /);
  });
  it('names a bad severity', () => {
    const e = errorOf('{ "unknownSeverity": "severe" }');
    expect(e.field).toBe('unknownSeverity');
    expect(e.message).toMatch(/critical/);
  });
  it('names a bad family inside a deny entry', () => {
    const e = errorOf('{ "deny": ["a:b", { "pattern": "c:d", "family": "evil" }] }');
    expect(e.field).toBe('deny[1].family');
  });
  it('names an unknown key inside a deny entry', () => {
    const e = errorOf('{ "deny": [{ "pattern": "c:d", "famly": "network" }] }');
    expect(e.field).toBe('deny[0]');
    expect(e.message).toMatch(/famly/);
  });
  it('names a bad pattern', () => {
    expect(errorOf('{ "allow": ["a:b", "os.system"] }').message).toBe(
      'team-policy.json: allow[1]: "os.system" is not a pattern: expected "module:name", "module:*" or "module.sub.*"',
    );
    expect(errorOf('{ "deny": ["a b:c"] }').field).toBe('deny[0]');
    expect(errorOf('{ "allow": ["a:b c"] }').message).toMatch(/"b c" is not a name/);
  });
  it('names an unknown profile', () => {
    const e = errorOf('{ "profiles": ["torch", "tensorflow"] }');
    expect(e.field).toBe('profiles[1]');
    expect(e.message).toMatch(/unknown profile "tensorflow" \(expected one of plain, numpy, torch/);
  });
  it('rejects a document that is not an object and an unknown version', () => {
    expect(errorOf('[]').field).toBe('');
    expect(errorOf('{ "version": 2 }').field).toBe('version');
  });
});
