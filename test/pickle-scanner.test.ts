/**
 * Pickle scanner: analysis → findings, with a fake ScanContext and a small fake policy
 * (os/posix/subprocess/eval/exec/getattr/importlib dangerous; torch, collections, numpy, joblib safe;
 * everything else unknown).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type ScanLimits } from '../src/core/limits.js';
import type { Severity } from '../src/core/severity.js';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import { PickleAssembler, pickleCall } from '../src/formats/pickle/index.js';
import { PICKLE_RULES, pickleHandler } from '../src/scanners/pickle/index.js';
import type { GlobalVerdict, Policy } from '../src/scanners/policy/policy.js';
import type { FindingInput, ScanContext } from '../src/scanners/types.js';
import { fixture } from './support/pickle-vm.js';

const P = () => new PickleAssembler();

interface Seen {
  rule: string;
  severity: Severity;
  message: string;
  offset?: number;
  evidence?: string;
}

function fakePolicy(unknownSeverity: Severity = 'medium'): Policy {
  return {
    unknownSeverity,
    classify(module: string, name: string): GlobalVerdict {
      const top = module.split('.')[0] as string;
      if (['os', 'posix', 'nt', 'subprocess'].includes(top))
        return { kind: 'dangerous', family: 'process', reason: 'runs commands' };
      if (name.split('.').includes('system') || name.includes('__builtins__')) {
        return { kind: 'dangerous', family: 'code-execution', reason: 'reaches an evaluator' };
      }
      if (top === 'builtins' && ['eval', 'exec', 'getattr'].includes(name)) {
        return { kind: 'dangerous', family: 'code-execution', reason: 'evaluates code' };
      }
      if (top === 'importlib')
        return { kind: 'dangerous', family: 'import-trampoline', reason: 'imports anything' };
      if (module === 'pickle' && name === 'loads')
        return { kind: 'dangerous', family: 'nested-loader', reason: 'unpickles' };
      if (['torch', 'collections', 'numpy', 'joblib', '_codecs'].includes(top))
        return { kind: 'safe', profile: 'test' };
      if (top === 'builtins' && ['set', 'frozenset', 'bytearray'].includes(name))
        return { kind: 'safe', profile: 'test' };
      return { kind: 'unknown' };
    },
  };
}

async function scan(
  bytes: Uint8Array,
  opts: { limits?: Partial<ScanLimits>; unknownSeverity?: Severity; name?: string } = {},
): Promise<{
  findings: Seen[];
  formats: string[];
  members: { name: string; source: ByteSource; hint?: string }[];
}> {
  const findings: Seen[] = [];
  const formats: string[] = [];
  const members: { name: string; source: ByteSource; hint?: string }[] = [];
  const ctx: ScanContext = {
    path: '/models/model.pkl',
    member: undefined,
    depth: 0,
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    policy: fakePolicy(opts.unknownSeverity),
    name: opts.name ?? 'model.pkl',
    report(rule, f: FindingInput) {
      findings.push({
        rule: rule.id,
        severity: f.severity ?? rule.severity,
        message: f.message,
        ...(f.offset === undefined ? {} : { offset: f.offset }),
        ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
      });
    },
    noteImports() {},
    noteFormat(f) {
      formats.push(f);
    },
    async scanMember(name, source, hint) {
      members.push({ name, source, ...(hint ? { hint } : {}) });
    },
    chargeInflated: () => true,
  };
  await pickleHandler.scan(new MemorySource(bytes), ctx);
  return { findings, formats, members };
}

const rules = (fs: Seen[]) => fs.map((f) => f.rule);
const serious = (fs: Seen[]) => fs.filter((f) => f.severity !== 'info' && f.severity !== 'low');

describe('rules', () => {
  it('defines every rule with taxonomy; anomaly rules are high', () => {
    for (const r of Object.values(PICKLE_RULES)) {
      expect(r.cwe.length).toBeGreaterThan(0);
      expect(r.atlas).toEqual(['AML.T0011.000', 'AML.T0010.003']);
      expect(r.owasp).toEqual(['ML06:2023']);
      expect(r.title && r.description && r.remediation).toBeTruthy();
    }
    expect(PICKLE_RULES['pickle/dangerous-global'].severity).toBe('critical');
    expect(PICKLE_RULES['pickle/calls'].severity).toBe('info');
    expect(PICKLE_RULES['pickle/resource-limit'].cwe).toEqual(['CWE-400']);
    expect(PICKLE_RULES['pickle/frame-mismatch'].cwe).toEqual(['CWE-502', 'CWE-436']);
    for (const id of [
      'unknown-opcode',
      'memo-miss',
      'truncated',
      'bad-operand',
      'ext-opcode',
      'malformed',
    ] as const) {
      expect(PICKLE_RULES[`pickle/${id}`].severity).toBe('high');
    }
  });
});

describe('globals', () => {
  it('T01: a dangerous global is critical, names its family and shows the call trace', async () => {
    const { findings, formats } = await scan(pickleCall('posix', 'system', 'echo pwned'));
    expect(formats).toEqual(['pickle']);
    expect(findings[0]).toEqual({
      rule: 'pickle/dangerous-global',
      severity: 'critical',
      message: 'Loading imports posix.system — process: runs commands',
      offset: 17,
      evidence: "posix.system('echo pwned')",
    });
    expect(findings[1]).toMatchObject({
      rule: 'pickle/calls',
      severity: 'info',
      evidence: "posix.system('echo pwned')",
    });
  });

  it('deduplicates a global imported several times, keeping the first offset and the count', async () => {
    const asm = P().proto(2);
    for (let i = 0; i < 3; i++) asm.global('os', 'system').pop();
    const { findings } = await scan(asm.none().stop().bytes());
    expect(serious(findings)).toEqual([
      {
        rule: 'pickle/dangerous-global',
        severity: 'critical',
        message: 'Loading imports os.system (3 times) — process: runs commands',
        offset: 2,
        evidence: 'import os.system by GLOBAL at 2',
      },
    ]);
  });

  it('unknown globals take the policy severity; safe globals yield nothing', async () => {
    const bytes = P()
      .proto(2)
      .global('mylib', 'Model')
      .global('collections', 'OrderedDict')
      .tuple2()
      .stop()
      .bytes();
    const { findings } = await scan(bytes, { unknownSeverity: 'high' });
    expect(serious(findings)).toEqual([
      {
        rule: 'pickle/unknown-global',
        severity: 'high',
        message: 'Loading imports mylib.Model, which no allowlist knows',
        offset: 2,
        evidence: 'import mylib.Model by GLOBAL at 2',
      },
    ]);
  });

  it('names the written module when fix_imports renamed it', async () => {
    const { findings } = await scan(P().proto(2).global('__builtin__', 'eval').stop().bytes());
    expect(findings[0]?.message).toBe(
      'Loading imports builtins.eval (written __builtin__.eval) — code-execution: evaluates code',
    );
  });

  it('T14: a global only used as an argument gets the call that mentions it as evidence', async () => {
    const bytes = P()
      .proto(4)
      .shortBinunicode('numpy')
      .shortBinunicode('size')
      .stackGlobal()
      .none()
      .emptyDict()
      .shortBinunicode('shape')
      .shortBinunicode('numpy')
      .shortBinunicode('__builtins__')
      .stackGlobal()
      .setitem()
      .tuple2()
      .build()
      .stop()
      .bytes();
    const { findings } = await scan(bytes);
    expect(serious(findings)).toEqual([
      expect.objectContaining({
        rule: 'pickle/dangerous-global',
        message: 'Loading imports numpy.__builtins__ — code-execution: reaches an evaluator',
        evidence: "numpy.size.__setstate__((None, {'shape': numpy.__builtins__}))",
      }),
    ]);
  });
});

describe('anomalies', () => {
  it('each anomaly kind maps to its rule at high, once per stream with a count', async () => {
    const asm = P().proto(4).global('os', 'system').unicodeLine('x').tuple1().reduce().pop();
    asm.binget(7).pop().binget(8).pop().binint(42).shortBinunicode('n').stackGlobal().pop().ext1(1).pop();
    const { findings } = await scan(asm.none().stop().bytes());
    expect(rules(serious(findings))).toEqual([
      'pickle/dangerous-global',
      'pickle/memo-miss',
      'pickle/bad-operand',
      'pickle/ext-opcode',
    ]);
    const miss = findings.find((f) => f.rule === 'pickle/memo-miss');
    expect(miss?.message).toMatch(
      /^BINGET 7 at \d+ reads a memo key that was never stored \(and 1 more like it\)$/,
    );
    expect(
      findings.every(
        (f) => f.rule === 'pickle/dangerous-global' || f.rule === 'pickle/calls' || f.severity === 'high',
      ),
    ).toBe(true);
  });

  it('T11 truncation, unknown opcodes and limits', async () => {
    const cut = await scan(P().proto(4).callP4('posix', 'system', 'id').bytes());
    expect(rules(serious(cut.findings))).toEqual(['pickle/dangerous-global', 'pickle/truncated']);
    const junk = await scan(P().proto(4).none().raw([0x00]).bytes());
    expect(rules(serious(junk.findings))).toEqual(['pickle/unknown-opcode']);
    const limited = await scan(pickleCall('a', 'b'), { limits: { maxPickleOps: 2 } });
    expect(serious(limited.findings)).toEqual([
      expect.objectContaining({
        rule: 'pickle/resource-limit',
        message: 'pickle opcode count 3 exceeds limit maxPickleOps 2',
      }),
    ]);
  });

  it('T18: frame mismatch plus the hidden call, reported for the C unpickler reading', async () => {
    const hidden = P().callP4('posix', 'system', 'echo hidden').stop().bytes();
    const data = new Uint8Array(0x107);
    data[1] = 0x5a;
    data.set(hidden, 2);
    const bytes = P().proto(5).frame(2).raw([0x42, 0x07, 0x01, 0x00, 0x00]).raw(data).stop().bytes();
    const { findings } = await scan(bytes);
    expect(rules(serious(findings))).toEqual(['pickle/frame-mismatch', 'pickle/dangerous-global']);
    const d = findings.find((f) => f.rule === 'pickle/dangerous-global');
    expect(d?.message).toBe(
      "Loading imports posix.system — process: runs commands (when CPython's C unpickler reads the file, as torch.load and pickle.load(BytesIO) do; its reading diverges at 12)",
    );
    expect(d?.evidence).toBe("posix.system('echo hidden')");
  });

  it('a file that is not a pickle is malformed, and nothing else', async () => {
    const png = new Uint8Array(Buffer.from('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 'latin1'));
    const { findings } = await scan(png);
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'pickle/malformed', severity: 'high', offset: 0 }),
    ]);
    expect(findings[0]?.message).toMatch(/^Not a pickle: /);
  });
});

describe('containers and multi-pickle files', () => {
  it('hands a zip appended after the pickle to the engine (T35) instead of flagging trailing data', async () => {
    const pkl = pickleCall('posix', 'system', 'id');
    const zip = [0x50, 0x4b, 0x03, 0x04, ...new Array(40).fill(0)];
    const { findings, members } = await scan(new Uint8Array([...pkl, ...zip]));
    expect(rules(serious(findings))).toEqual(['pickle/dangerous-global']);
    expect(members.map((m) => [m.name, m.source.size])).toEqual([[`<trailing@${pkl.length}>`, zip.length]]);
    expect(Array.from(members[0]?.source.read(0, 4) ?? [])).toEqual([0x50, 0x4b, 0x03, 0x04]);
  });

  it('flags other trailing bytes', async () => {
    const { findings, members } = await scan(
      new Uint8Array([...P().proto(2).none().stop().bytes(), 0x0a, 0x0a]),
    );
    expect(members).toEqual([]);
    expect(serious(findings)).toEqual([
      expect.objectContaining({ rule: 'pickle/trailing-data', severity: 'high', offset: 4 }),
    ]);
  });

  it('legacy torch: notes the format, lists the calls, does not flag the raw storages', async () => {
    const { findings, formats } = await scan(fixture('torch_legacy.pt'));
    expect(formats).toEqual(['pickle', 'pytorch-legacy']);
    expect(serious(findings)).toEqual([]);
    const calls = findings.find((f) => f.rule === 'pickle/calls');
    expect(calls?.message).toBe(
      'Loading performs 4 calls of 2 distinct callables (in pickle #4, at offset 137)',
    );
    expect(calls?.evidence?.split('\n')[0]).toBe(
      '2× collections.OrderedDict, first: collections.OrderedDict()',
    );
  });

  it('reads members named storages/tensors with the legacy tar torch layout (T42)', async () => {
    const storages = concatBytes(
      P().proto(2).binint1(1).stop().bytes(),
      P()
        .proto(2)
        .shortBinunicode('0')
        .shortBinunicode('cpu')
        .global('torch', 'FloatStorage')
        .tuple3()
        .stop()
        .bytes(),
      [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3f, 0, 0, 0, 0x40],
      P().proto(2).emptyList().stop().bytes(),
    );
    expect(serious((await scan(storages, { name: 'storages' })).findings)).toEqual([]);
    expect(rules(serious((await scan(storages)).findings))).toEqual(['pickle/trailing-data']);
  });

  it('benign joblib and sklearn pickles give nothing at medium or above', async () => {
    for (const name of [
      'joblib_arrays.joblib',
      'joblib_unaligned.joblib',
      'plain_p0.pkl',
      'plain_p5.pkl',
      'numpy_p5.pkl',
    ]) {
      const { findings } = await scan(fixture(name));
      expect(serious(findings), name).toEqual([]);
    }
    const sk = await scan(fixture('sklearn_logreg_p4.pkl'));
    expect(rules(serious(sk.findings))).toEqual(['pickle/unknown-global']);
    expect((await scan(fixture('joblib_arrays.joblib'))).formats).toEqual(['pickle', 'joblib']);
  });

  it('a payload hidden in joblib array bytes is reported for plain pickle.load', async () => {
    const hidden = P().callP4('posix', 'system', 'id').stop().bytes();
    const bytes = P()
      .proto(4)
      .shortBinunicode('joblib.numpy_pickle')
      .shortBinunicode('NumpyArrayWrapper')
      .stackGlobal()
      .emptyTuple()
      .newobj()
      .emptyDict()
      .shortBinunicode('shape')
      .binint1(hidden.length)
      .tuple1()
      .setitem()
      .shortBinunicode('dtype')
      .shortBinunicode('numpy')
      .shortBinunicode('dtype')
      .stackGlobal()
      .shortBinunicode('u1')
      .bool(false)
      .bool(true)
      .tuple3()
      .reduce()
      .setitem()
      .build()
      .raw(hidden)
      .stop()
      .bytes();
    const { findings } = await scan(bytes);
    expect(serious(findings)).toEqual([
      expect.objectContaining({
        rule: 'pickle/dangerous-global',
        message: expect.stringContaining(
          'if the file is loaded with plain pickle.load instead of joblib.load',
        ),
        evidence: "posix.system('id')",
      }),
    ]);
  });
});

describe('nested pickles (T16)', () => {
  const inner = pickleCall('posix', 'system', 'inner');
  it('hands bytes given to a nested loader back to the engine as a pickle member', async () => {
    const asm = P().proto(4).shortBinunicode('pickle').shortBinunicode('loads').stackGlobal();
    const at = asm.length + 5;
    const { members, findings } = await scan(asm.binbytes(inner).tuple1().reduce().stop().bytes());
    expect(rules(serious(findings))).toEqual(['pickle/dangerous-global']);
    expect(members.map((m) => [m.name, m.hint])).toEqual([[`<nested-pickle@${at}>`, 'pickle']]);
    expect(Array.from(members[0]?.source.read(0, inner.length) ?? [])).toEqual(Array.from(inner));
  });

  it('also when protocol 0-2 wrote the bytes as _codecs.encode(str, "latin1")', async () => {
    const text = Buffer.from(inner).toString('latin1');
    const bytes = P()
      .proto(2)
      .global('pickle', 'loads')
      .global('_codecs', 'encode')
      .binunicode(text)
      .shortBinunicode('latin1')
      .tuple2()
      .reduce()
      .tuple1()
      .reduce()
      .stop()
      .bytes();
    const { members } = await scan(bytes);
    expect(members).toHaveLength(1);
    expect(Array.from(members[0]?.source.read(0, inner.length) ?? [])).toEqual(Array.from(inner));
  });

  it('leaves bytes passed to anything else alone', async () => {
    const { members } = await scan(
      P().proto(4).global('mylib', 'load').binbytes(inner).tuple1().reduce().stop().bytes(),
    );
    expect(members).toEqual([]);
  });
});

function concatBytes(...parts: ArrayLike<number>[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => Array.from(p)));
}
