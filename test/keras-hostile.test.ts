/**
 * Hostile Keras inputs: a `.keras` archive truncated at every offset (through the engine, as a scan
 * sees it), 1,000 seeded structural mutations of config JSON (deep nesting, huge arrays, wrong types,
 * gadget names, broken graphs) and byte mutations of config text. Every run ends with typed findings,
 * within bounded time, never an exception.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../src/core/finding.js';
import { DEFAULT_LIMITS } from '../src/core/limits.js';
import type { RuleMeta } from '../src/core/rule.js';
import { MemorySource } from '../src/core/source.js';
import { readZipDirectory } from '../src/formats/zip/directory.js';
import { openEntry } from '../src/formats/zip/entry.js';
import { scanKerasConfigText } from '../src/scanners/keras/config-scan.js';
import { MemberScanner } from '../src/scanners/member-scanner.js';
import { DEFAULT_POLICY } from '../src/scanners/policy/index.js';
import { ALL_RULES } from '../src/scanners/rules.js';
import type { FindingInput } from '../src/scanners/types.js';
import { prng } from './support/hostile.js';
import { buildZip } from './support/zip-writer.js';

const KERAS = join(import.meta.dirname, 'fixtures', 'keras');
const RULE_IDS = new Set(ALL_RULES.map((r) => r.id));

async function scanBytes(bytes: Uint8Array): Promise<{ findings: Finding[]; formats: string[] }> {
  const findings: Finding[] = [];
  const formats: string[] = [];
  const scanner = new MemberScanner({
    path: 'model.keras',
    limits: DEFAULT_LIMITS,
    policy: DEFAULT_POLICY,
    findings,
    formats,
    inflated: { total: 0, reported: false },
  });
  await scanner.scanTop(new MemorySource(bytes));
  return { findings, formats };
}

function configOf(archive: Buffer): unknown {
  const src = new MemorySource(archive);
  const dir = readZipDirectory(src, DEFAULT_LIMITS);
  const e = dir.entries.find((x) => x.name === 'config.json');
  if (e === undefined) throw new Error('no config.json');
  const opened = openEntry(src, e, DEFAULT_LIMITS);
  if (!opened.ok) throw new Error(opened.message);
  return JSON.parse(Buffer.from(opened.source.read(0, opened.source.size)).toString('utf8'));
}

function analyse(text: string): { rule: string; f: FindingInput }[] {
  const out: { rule: string; f: FindingInput }[] = [];
  const sink = (rule: RuleMeta, f: FindingInput): void => {
    out.push({ rule: rule.id, f });
  };
  scanKerasConfigText(text, 'config.json', true, sink, {
    container: 'keras',
    kerasVersion: undefined,
    maxEvidenceChars: 200,
  });
  return out;
}

describe('.keras truncated at every offset', () => {
  it('scans every prefix of a real .keras archive to typed findings', async () => {
    const archive = readFileSync(join(KERAS, 'benign', 'functional.keras'));
    for (let cut = 0; cut <= archive.length; cut++) {
      const { findings } = await scanBytes(archive.subarray(0, cut));
      for (const f of findings) expect(RULE_IDS.has(f.ruleId), f.ruleId).toBe(true);
      if (cut === archive.length) expect(findings).toEqual([]);
    }
  }, 120_000);

  it('a .keras whose config.json or model.weights.h5 is cut at every 5th offset scans to typed findings', async () => {
    const archive = readFileSync(join(KERAS, 'malicious', 'lambda.keras'));
    const config = Buffer.from(JSON.stringify(configOf(archive)));
    const weights = readFileSync(join(KERAS, 'benign', 'model.weights.h5'));
    const meta = '{"keras_version": "3.5.0", "date_saved": "2024-01-01@00:00:00"}';
    for (let cut = 0; cut <= config.length; cut += 5) {
      const zip = buildZip([
        { name: 'metadata.json', data: meta },
        { name: 'config.json', data: config.subarray(0, cut), method: 'deflate' },
        { name: 'model.weights.h5', data: weights },
      ]);
      const { findings, formats } = await scanBytes(zip);
      expect(formats).toContain('keras');
      for (const f of findings) expect(RULE_IDS.has(f.ruleId), f.ruleId).toBe(true);
      expect(findings.some((f) => f.ruleId === 'keras/malformed' || f.ruleId === 'keras/lambda')).toBe(true);
    }
    for (let cut = 0; cut < weights.length; cut += 5) {
      const zip = buildZip([
        { name: 'metadata.json', data: meta },
        { name: 'config.json', data: config },
        { name: 'model.weights.h5', data: weights.subarray(0, cut) },
      ]);
      const { findings } = await scanBytes(zip);
      for (const f of findings) expect(RULE_IDS.has(f.ruleId), f.ruleId).toBe(true);
      if (cut >= 8) expect(findings.map((f) => f.ruleId)).toContain('hdf5/malformed');
    }
  }, 120_000);
});

describe('seeded mutations of Keras configs', () => {
  const base = configOf(readFileSync(join(KERAS, 'malicious', 'dead_nodes.keras')));
  const rnd = prng(1234);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;

  const NAMES = [
    'Lambda',
    '__lambda__',
    'TFOpLambda',
    'get_file',
    'TorchModuleWrapper',
    'TFSMLayer',
    'Functional',
    'Sequential',
    'function',
    '__keras_tensor__',
    'Popen',
    'Dense',
    '',
    'InputLayer',
  ];
  const MODULES = [
    'keras.layers',
    'subprocess',
    'builtins',
    '__main__',
    null,
    7,
    'tensorflow.io',
    'keras.utils',
    '',
  ];

  function deep(n: number, leaf: unknown): unknown {
    let v = leaf;
    for (let i = 0; i < n; i++)
      v = rnd() < 0.5 ? [v] : { class_name: 'TimeDistributed', config: { layer: v } };
    return v;
  }

  function junk(): unknown {
    const r = rnd();
    if (r < 0.1) return deep(50 + Math.floor(rnd() * 2000), { class_name: pick(NAMES), config: {} });
    if (r < 0.2)
      return new Array(1 + Math.floor(rnd() * 50_000)).fill(
        pick([0, 'x', null, { class_name: 'Dense', config: {} }]),
      );
    if (r < 0.3)
      return {
        class_name: pick(NAMES),
        module: pick(MODULES),
        config: pick([null, 'eval', 3, [], { module: 'AAAA', function: ['!!!', null] }]),
      };
    if (r < 0.4)
      return {
        class_name: '__keras_tensor__',
        config: { keras_history: pick([['dense', 0, 0], null, 'x', [1, 2, 3]]) },
      };
    if (r < 0.5)
      return [
        pick(['input_layer', 'dense', 'unused', 'nope']),
        pick([0, -1, 'x']),
        pick([0, 1e308, null]),
        {},
      ];
    if (r < 0.6)
      return {
        class_name: 'Lambda',
        config: {
          function: pick([
            ['4wE=', null, null],
            'not base64 !!',
            42,
            { class_name: '__lambda__', config: { code: 'AAAA' } },
          ]),
          function_type: pick(['lambda', 'function', 'raw', 3]),
        },
      };
    if (r < 0.7) return pick([null, true, -0, 'NaN', 1e-300, '\u0000\ud800']);
    return {
      inbound_nodes: pick([[], [[['dense', 0, 0, {}]]], { args: 'x' }, null]),
      name: pick(['dense', 'unused', 7]),
    };
  }

  /** Replaces a random value somewhere in the tree (walked iteratively) with junk. */
  function mutateTree(root: unknown): unknown {
    const copy = structuredClone(root) as Record<string, unknown>;
    for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) {
      let parent: Record<string, unknown> | unknown[] = copy;
      for (let depth = 0; depth < 12; depth++) {
        const keys: (string | number)[] = Array.isArray(parent)
          ? parent.map((_, i) => i)
          : Object.keys(parent);
        if (keys.length === 0) break;
        const key = pick(keys);
        const child = (parent as Record<string | number, unknown>)[key];
        if (typeof child !== 'object' || child === null || rnd() < 0.25) {
          (parent as Record<string | number, unknown>)[key] = junk();
          break;
        }
        parent = child as Record<string, unknown>;
      }
    }
    return copy;
  }

  it('1,000 structural mutations give typed findings in bounded time', () => {
    for (let i = 0; i < 1000; i++) {
      const text = JSON.stringify(mutateTree(base));
      const out = analyse(text);
      for (const x of out) {
        expect(RULE_IDS.has(x.rule), x.rule).toBe(true);
        expect(typeof x.f.message).toBe('string');
      }
    }
  }, 120_000);

  it('1,000 byte mutations of config text give typed findings', () => {
    const text = Buffer.from(JSON.stringify(base));
    for (let i = 0; i < 1000; i++) {
      const b = Buffer.from(text);
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++)
        b[Math.floor(rnd() * b.length)] = pick([0x22, 0x5b, 0x7b, 0x7d, 0x5d, 0x3a, 0x2c, 0x30, 0x4e]);
      for (const x of analyse(b.toString('utf8'))) expect(RULE_IDS.has(x.rule)).toBe(true);
    }
  });

  it('a million-deep config and a ten-million-element array stop at their limits', () => {
    const n = 1_000_000;
    const deepOut = analyse(
      `{"class_name": "Sequential", "config": {"layers": ${'['.repeat(n)}${']'.repeat(n)}}}`,
    );
    expect(deepOut.map((x) => x.rule)).toEqual(['keras/config-limit']);
    expect(deepOut[0]?.f.message).toContain('maxDepth');
    const wide = analyse(`{"class_name": "Sequential", "config": {"layers": [${'0,'.repeat(10_000_000)}0]}}`);
    expect(wide.map((x) => x.rule)).toEqual(['keras/config-limit']);
    expect(wide[0]?.f.message).toContain('maxNodes');
  }, 60_000);

  it('a Functional graph of 50,000 layers in a chain is analysed for dead nodes without recursion', () => {
    const layers = [{ class_name: 'InputLayer', config: { name: 'l0' }, name: 'l0', inbound_nodes: [] }];
    for (let i = 1; i < 50_000; i++)
      layers.push({
        class_name: 'Dense',
        config: { name: `l${i}` },
        name: `l${i}`,
        inbound_nodes: [[[`l${i - 1}`, 0, 0, {}]]],
      } as never);
    const cfg = {
      class_name: 'Functional',
      config: { layers, input_layers: [['l0', 0, 0]], output_layers: [['l49999', 0, 0]] },
    };
    expect(analyse(JSON.stringify(cfg))).toEqual([]);
  }, 30_000);
});
