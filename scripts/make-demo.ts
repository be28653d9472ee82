/**
 * Writes a small demo folder for `modelguard scan`: real benign files saved by torch / scikit-learn /
 * numpy (copied from test/fixtures/benign), malicious files made by the frameworks (test/fixtures/
 * malicious) and hostile samples from the corpus catalogue (test/corpus), plus a README saying which
 * files are malicious and why. Deterministic: the same bytes on every run. Nothing is ever loaded.
 *
 *   npx tsx scripts/make-demo.ts [outDir=demo]
 *   node bin/modelguard.js scan demo
 */
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { signModel } from '../src/provenance/oms/index.js';
import { sampleById } from '../test/corpus/catalogue.js';

const ROOT = resolve(import.meta.dirname, '..');
const README_TITLE = '# modelguard demo';

interface DemoFile {
  /** Path inside the demo folder. */
  path: string;
  malicious: boolean;
  why: string;
  bytes(): Uint8Array;
}

function fixture(kind: 'benign' | 'malicious', name: string): () => Uint8Array {
  return () => Uint8Array.from(readFileSync(join(ROOT, 'test', 'fixtures', kind, name)));
}

/** Any committed fixture, by its path under test/fixtures. */
function fixtureAt(rel: string): () => Uint8Array {
  return () => Uint8Array.from(readFileSync(join(ROOT, 'test', 'fixtures', rel)));
}

function sample(id: string): () => Uint8Array {
  return () => {
    const s = sampleById(id);
    if (s.kind !== 'file') throw new Error(`${id} is not a single-file sample`);
    return s.build();
  };
}

const FILES: readonly DemoFile[] = [
  {
    path: 'tiny-mlp/pytorch_model.bin',
    malicious: false,
    why: '`torch.save(state_dict)` of a small MLP (zip format).',
    bytes: fixture('benign', 'pytorch_model.bin'),
  },
  {
    path: 'tiny-mlp/optimizer.pt',
    malicious: false,
    why: 'Adam optimizer state after one step, as the HF Trainer saves it.',
    bytes: fixture('benign', 'optimizer.pt'),
  },
  {
    path: 'tiny-mlp/rng_state.pth',
    malicious: false,
    why: 'HF Trainer RNG state (python/numpy/torch); often flagged "suspicious" elsewhere because of `_codecs.encode`.',
    bytes: fixture('benign', 'rng_state.pth'),
  },
  {
    path: 'tiny-mlp/legacy_model.pt',
    malicious: false,
    why: '`torch.save(..., _use_new_zipfile_serialization=False)`: the legacy stacked-pickle format.',
    bytes: fixture('benign', 'torch_legacy.pt'),
  },
  {
    path: 'sklearn/pipeline.joblib',
    malicious: false,
    why: '`joblib.dump(Pipeline([StandardScaler(), SVC()]))`.',
    bytes: fixture('benign', 'pipeline.joblib'),
  },
  {
    path: 'sklearn/forest_gzip.joblib',
    malicious: false,
    why: "`joblib.dump(RandomForestClassifier, compress=('gzip', 3))`.",
    bytes: fixture('benign', 'forest_gzip.joblib'),
  },
  {
    path: 'arrays/arrays_compressed.npz',
    malicious: false,
    why: '`np.savez_compressed` of three numeric arrays.',
    bytes: fixture('benign', 'arrays_compressed.npz'),
  },
  {
    path: 'sklearn/classifier_lzma.joblib',
    malicious: true,
    why: "T41: `joblib.dump(..., compress=('lzma', 3))` of an object whose `__reduce__` is `os.system`; scanners that do not decompress see nothing.",
    bytes: fixture('malicious', 'payload_lzma.joblib'),
  },
  {
    path: 'arrays/features.npy',
    malicious: true,
    why: 'T45: `np.save` of an object array holding an `os.system` call; runs on `np.load(allow_pickle=True)`.',
    bytes: fixture('malicious', 'object_payload.npy'),
  },
  {
    path: 'checkpoints/checkpoint.pth.tar',
    malicious: true,
    why: "T42: the PyTorch v0.1.1 *tar* format torch.load still reads; the payload is in its data pickle. picklescan and modelscan can't read this format.",
    bytes: fixture('malicious', 'checkpoint.pth.tar'),
  },
  {
    path: 'community-upload/model.pkl',
    malicious: true,
    why: "T01: the baseline — `posix.system('echo modelguard-test')` in a protocol-4 pickle.",
    bytes: sample('T01-posix-system-p4'),
  },
  {
    path: 'community-upload/training_state.pkl',
    malicious: true,
    why: "T07: memo desync via DUP + MEMOIZE, so scanners that memoize 'the previous opcode's argument' see `None.system`.",
    bytes: sample('T07-memo-dup-desync'),
  },
  {
    path: 'community-upload/helpers.pkl',
    malicious: true,
    why: "T09: `STACK_GLOBAL('pathlib', 'os.system')` — a dotted name reaching os.system through pathlib.",
    bytes: sample('T09-dotted-pathlib-os-system'),
  },
  {
    path: 'community-upload/tokenizer.pkl',
    malicious: true,
    why: 'T35: a malicious pickle with a valid zip appended; scanners that route by the zip end record never look at the pickle.',
    bytes: sample('T35-pickle-zip-polyglot'),
  },
  {
    path: 'community-upload/pytorch_model.bin',
    malicious: true,
    why: "T37: a torch zip whose local header names `datap.kl` while the central directory says `data.pkl`; torch loads it, Python's zipfile refuses it.",
    bytes: sample('T37-local-central-name-mismatch'),
  },
  {
    path: 'onnx/cnn.onnx',
    malicious: false,
    why: 'A small CNN exported by `torch.onnx.export`.',
    bytes: fixtureAt('onnx/benign/cnn.onnx'),
  },
  {
    path: 'onnx/model.onnx',
    malicious: true,
    why: 'T59: a tensor whose `external_data` location climbs out of the model folder (`../`), so loading reads an arbitrary file.',
    bytes: fixtureAt('onnx/malicious/external_dotdot.onnx'),
  },
  {
    path: 'gguf/tiny-llama3.gguf',
    malicious: false,
    why: 'A GGUF with Llama-3 metadata and its real chat template.',
    bytes: fixtureAt('gguf/tiny-llama3.gguf'),
  },
  {
    path: 'gguf/chat-model.gguf',
    malicious: true,
    why: 'T62: `tokenizer.chat_template` walks `__class__.__mro__` to reach Python objects (Jinja sandbox escape, CVE-2024-34359).',
    bytes: fixtureAt('gguf/ssti-mro.gguf'),
  },
  {
    path: 'keras/classifier.keras',
    malicious: true,
    why: 'T54: a Keras 3 config whose layer names `module: subprocess`, `class_name: Popen` (safe_mode bypass, CVE-2025-1550).',
    bytes: fixtureAt('keras/malicious/popen.keras'),
  },
  {
    path: 'remote-code-repo/config.json',
    malicious: false,
    why: "A Hugging Face `config.json` whose `auto_map` points at the repository's own Python (needs `trust_remote_code=True`).",
    bytes: fixtureAt('hf-repo/malicious-remote-code/config.json'),
  },
  {
    path: 'remote-code-repo/modeling_evil.py',
    malicious: true,
    why: 'T68: the `trust_remote_code` module named by `auto_map` runs shell commands and downloads code when imported.',
    bytes: fixtureAt('hf-repo/malicious-remote-code/modeling_evil.py'),
  },
];

function readme(): string {
  const lines = [
    README_TITLE,
    '',
    'Generated by `npx tsx scripts/make-demo.ts` — do not edit; re-run it instead. Scan it with:',
    '',
    '```',
    'node bin/modelguard.js scan demo',
    '```',
    '',
    '**Do not load the malicious files with pickle, torch, joblib or numpy.** Each one would run the',
    'harmless command `echo modelguard-test` — but it would run it. Benign files were saved by the real',
    'frameworks (scripts/fixtures/make_benign_fixtures.py); malicious ones come from',
    'scripts/fixtures/make_framework_malicious.py and the TS byte builders in test/corpus/. Technique ids',
    '(T01…) refer to ../shared/threats/model-files.md.',
    '',
    '| file | malicious? | why |',
    '|---|---|---|',
  ];
  for (const f of FILES) lines.push(`| \`${f.path}\` | ${f.malicious ? '**yes**' : 'no'} | ${f.why} |`);
  const bad = FILES.filter((f) => f.malicious).length;
  lines.push('', `${FILES.length} files: ${bad} malicious, ${FILES.length - bad} benign.`, '');
  return lines.join('\n');
}

function prepare(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new Error(`${outDir} exists and is not a directory`);
  if (readdirSync(outDir).length === 0) return;
  const marker = join(outDir, 'README.md');
  if (!existsSync(marker) || !readFileSync(marker, 'utf8').startsWith(README_TITLE)) {
    throw new Error(
      `${outDir} exists and is not a demo folder made by this script; refusing to overwrite it`,
    );
  }
  rmSync(outDir, { recursive: true });
}

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? 'demo');
  prepare(outDir);
  for (const f of FILES) {
    const p = join(outDir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.bytes());
  }
  writeFileSync(join(outDir, 'README.md'), readme());
  const bad = FILES.filter((f) => f.malicious).length;
  process.stderr.write(`wrote ${FILES.length} files (${bad} malicious) and README.md to ${outDir}\n`);
  // Sign the demo folder (OpenSSF Model Signing, key method) with a fresh P-256 key, so `audit` can show a
  // verified signature next to the scan findings: a signature says who published files, not that they are safe.
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signed = await signModel(outDir, {
    method: 'key',
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  });
  const pub = `${outDir}.pub.pem`;
  writeFileSync(pub, publicKey.export({ type: 'spki', format: 'pem' }) as string);
  process.stderr.write(`signed it: ${signed.path} (public key ${pub})\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`make-demo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 2;
});
