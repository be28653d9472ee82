/**
 * `npx tsx bench/gguf-bench.ts` — wall time and peak RSS of `modelguard scan` on big sparse model files
 * whose tensor data are holes (ftruncate): the scan must cost the header, not the file size.
 *
 *   bench/.work/sparse-llama3-8b-q4km.gguf   Llama-3-8B-shaped GGUF (Q4_K_M layout, 291 tensors, ~4.9 GB):
 *                                            128,256-token vocabulary, 280,147 merges, token types, the
 *                                            Llama 3 chat template; tensor data are a hole
 *   bench/.work/sparse-llama-1b-bf16.safetensors  Llama-3.2-1B-shaped safetensors (146 BF16 tensors, ~2.5 GB)
 *
 * Usage: npx tsx bench/gguf-bench.ts [--runs N] [--json]   (needs `npm run build`: it runs bin/modelguard.js)
 *
 * Each run is `node bin/modelguard.js scan FILE --output /dev/null` (text output: no hashing) under GNU
 * `/usr/bin/time -f '%e %M'`; wall time is measured here around the whole child, process start included.
 * The in-process parse time of the header alone is reported too. The files are created once and never
 * committed (bench/.work/ is ignored). A script, not a test: it exits 0 and prints PASS/FAIL.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { cpus, release } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FileSource } from '../src/core/source.js';
import { parseGguf } from '../src/formats/gguf/index.js';
import { parseSafetensorsHeader, SAFETENSORS_LIMITS } from '../src/formats/safetensors/index.js';
import {
  arr,
  f32,
  type GgufTensorSpec,
  GgufWriter,
  LLAMA3_TEMPLATE,
  str,
  T,
  u32,
} from '../test/support/gguf-writer.js';
import { buildSafetensorsHead, type StTensor } from '../test/support/safetensors-writer.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WORK = join(ROOT, 'bench', '.work');
const CLI = join(ROOT, 'bin', 'modelguard.js');
const GNU_TIME = '/usr/bin/time';
const TARGET_WALL_S = 0.5;
const TARGET_RSS_MB = 200;

/** ggml type ids used by a Q4_K_M conversion. */
const F32 = 0;
const Q4_K = 12;
const Q6_K = 14;

function llama3Gguf(): { head: Uint8Array; dataLength: bigint } {
  const vocab = 128_256;
  const tokens = Array.from({ length: vocab }, (_, i) =>
    i >= 128_000 ? `<|reserved_special_token_${i - 128_000}|>` : `Ġtok${i}`,
  );
  const merges = Array.from(
    { length: 280_147 },
    (_, i) => `Ġ${(i % 977).toString(36)} ${(i >> 3).toString(36)}`,
  );
  const w = new GgufWriter()
    .kv('general.architecture', str('llama'))
    .kv('general.type', str('model'))
    .kv('general.name', str('Meta Llama 3 8B Instruct (bench layout)'))
    .kv('general.size_label', str('8B'))
    .kv('llama.block_count', u32(32))
    .kv('llama.context_length', u32(8192))
    .kv('llama.embedding_length', u32(4096))
    .kv('llama.feed_forward_length', u32(14336))
    .kv('llama.attention.head_count', u32(32))
    .kv('llama.attention.head_count_kv', u32(8))
    .kv('llama.rope.freq_base', f32(500000))
    .kv('llama.attention.layer_norm_rms_epsilon', f32(1e-5))
    .kv('general.file_type', u32(15))
    .kv('llama.vocab_size', u32(vocab))
    .kv('llama.rope.dimension_count', u32(128))
    .kv('tokenizer.ggml.model', str('gpt2'))
    .kv('tokenizer.ggml.pre', str('llama-bpe'))
    .kv('tokenizer.ggml.tokens', arr(T.str, tokens))
    .kv(
      'tokenizer.ggml.token_type',
      arr(
        T.i32,
        tokens.map((_, i) => (i >= 128_000 ? 3 : 1)),
      ),
    )
    .kv('tokenizer.ggml.merges', arr(T.str, merges))
    .kv('tokenizer.ggml.bos_token_id', u32(128_000))
    .kv('tokenizer.ggml.eos_token_id', u32(128_009))
    .kv('tokenizer.chat_template', str(LLAMA3_TEMPLATE))
    .kv('general.quantization_version', u32(2));
  const t = (name: string, dims: number[], type: number): GgufTensorSpec => ({ name, dims, type });
  w.tensor(t('token_embd.weight', [4096, vocab], Q4_K));
  for (let b = 0; b < 32; b++) {
    w.tensor(t(`blk.${b}.attn_norm.weight`, [4096], F32))
      .tensor(t(`blk.${b}.attn_q.weight`, [4096, 4096], Q4_K))
      .tensor(t(`blk.${b}.attn_k.weight`, [4096, 1024], Q4_K))
      .tensor(t(`blk.${b}.attn_v.weight`, [4096, 1024], Q6_K))
      .tensor(t(`blk.${b}.attn_output.weight`, [4096, 4096], Q4_K))
      .tensor(t(`blk.${b}.ffn_norm.weight`, [4096], F32))
      .tensor(t(`blk.${b}.ffn_gate.weight`, [4096, 14336], Q4_K))
      .tensor(t(`blk.${b}.ffn_up.weight`, [4096, 14336], Q4_K))
      .tensor(t(`blk.${b}.ffn_down.weight`, [14336, 4096], Q6_K));
  }
  w.tensor(t('output_norm.weight', [4096], F32)).tensor(t('output.weight', [4096, vocab], Q6_K));
  return w.head();
}

function llama1bSafetensors(): { head: Uint8Array; dataLength: number } {
  const ts: StTensor[] = [{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [128_256, 2048] }];
  for (let l = 0; l < 16; l++) {
    const p = `model.layers.${l}`;
    ts.push(
      { name: `${p}.input_layernorm.weight`, dtype: 'BF16', shape: [2048] },
      { name: `${p}.self_attn.q_proj.weight`, dtype: 'BF16', shape: [2048, 2048] },
      { name: `${p}.self_attn.k_proj.weight`, dtype: 'BF16', shape: [512, 2048] },
      { name: `${p}.self_attn.v_proj.weight`, dtype: 'BF16', shape: [512, 2048] },
      { name: `${p}.self_attn.o_proj.weight`, dtype: 'BF16', shape: [2048, 2048] },
      { name: `${p}.post_attention_layernorm.weight`, dtype: 'BF16', shape: [2048] },
      { name: `${p}.mlp.gate_proj.weight`, dtype: 'BF16', shape: [8192, 2048] },
      { name: `${p}.mlp.up_proj.weight`, dtype: 'BF16', shape: [8192, 2048] },
      { name: `${p}.mlp.down_proj.weight`, dtype: 'BF16', shape: [2048, 8192] },
    );
  }
  ts.push({ name: 'model.norm.weight', dtype: 'BF16', shape: [2048] });
  return buildSafetensorsHead(ts, { metadata: { format: 'pt' } });
}

/** Writes `head`, then extends the file to `total` bytes with a hole. */
function sparse(path: string, head: Uint8Array, total: number): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, head);
    ftruncateSync(fd, total);
  } finally {
    closeSync(fd);
  }
}

interface Row {
  file: string;
  bytes: number;
  headerBytes: number;
  parseMs: number;
  wallMin: number;
  wallMedian: number;
  rssMb: number;
  summary: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function runCli(file: string, runs: number): Pick<Row, 'wallMin' | 'wallMedian' | 'rssMb' | 'summary'> {
  const walls: number[] = [];
  let rss = 0;
  let summary = '';
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const r = spawnSync(
      GNU_TIME,
      ['-f', '%e %M', process.execPath, CLI, 'scan', file, '--fail-on', 'never'],
      {
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    const wall = (performance.now() - t0) / 1000;
    const timeLine = r.stderr.trim().split('\n').pop() ?? '';
    const kb = Number(timeLine.split(' ')[1]);
    if (r.status !== 0) throw new Error(`scan failed (${r.status}): ${r.stderr.slice(0, 400)}`);
    summary =
      r.stdout
        .trim()
        .split('\n')
        .find((l) => l.startsWith('Summary')) ??
      r.stdout.trim().split('\n').pop() ??
      '';
    if (i === 0) continue; // warm-up (page cache, module cache)
    walls.push(wall);
    rss = Math.max(rss, kb / 1024);
  }
  return { wallMin: Math.min(...walls), wallMedian: median(walls), rssMb: rss, summary };
}

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '5' }, json: { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));
if (!existsSync(CLI) || !existsSync(join(ROOT, 'dist'))) {
  process.stderr.write('bench/gguf-bench.ts: run `npm run build` first (it runs bin/modelguard.js)\n');
  process.exit(2);
}
if (!existsSync(GNU_TIME)) {
  process.stderr.write(`bench/gguf-bench.ts: ${GNU_TIME} (GNU time) is needed for peak RSS\n`);
  process.exit(2);
}
mkdirSync(WORK, { recursive: true });

const ggufPath = join(WORK, 'sparse-llama3-8b-q4km.gguf');
const stPath = join(WORK, 'sparse-llama-1b-bf16.safetensors');
const g = llama3Gguf();
sparse(ggufPath, g.head, g.head.length + Number(g.dataLength));
const s = llama1bSafetensors();
sparse(stPath, s.head, s.head.length + s.dataLength);

const rows: Row[] = [];
for (const [file, headerBytes, parse] of [
  [ggufPath, g.head.length, (src: FileSource) => parseGguf(src).facts.length],
  [stPath, s.head.length, (src: FileSource) => parseSafetensorsHeader(src, SAFETENSORS_LIMITS).facts.length],
] as const) {
  const src = new FileSource(file);
  const t0 = performance.now();
  const facts = parse(src);
  const parseMs = performance.now() - t0;
  src.close();
  if (facts !== 0) throw new Error(`${file}: ${facts} findings on a benign layout`);
  rows.push({
    file: relative(ROOT, file),
    bytes: statSync(file).size,
    headerBytes,
    parseMs,
    ...runCli(file, runs),
  });
}

if (values.json) process.stdout.write(`${JSON.stringify({ runs, rows }, null, 2)}\n`);
else {
  process.stdout.write(
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, Linux ${release()}, node ${process.version}; ${runs} runs after a warm-up\n\n`,
  );
  process.stdout.write(
    '| file | size | header | parse (in-process) | wall min / median (process start included) | peak RSS |\n|---|---|---|---|---|---|\n',
  );
  for (const r of rows)
    process.stdout.write(
      `| ${r.file} | ${(r.bytes / 1e9).toFixed(2)} GB | ${(r.headerBytes / 1e6).toFixed(2)} MB | ${r.parseMs.toFixed(0)} ms | ${r.wallMin.toFixed(3)} / ${r.wallMedian.toFixed(3)} s | ${r.rssMb.toFixed(0)} MB |\n`,
    );
  process.stdout.write('\ntargets:\n');
  for (const r of rows) {
    const ok = r.wallMedian < TARGET_WALL_S && r.rssMb < TARGET_RSS_MB;
    process.stdout.write(
      `  ${ok ? 'PASS' : 'FAIL'} ${r.file}: median ${r.wallMedian.toFixed(3)} s < ${TARGET_WALL_S} s, peak RSS ${r.rssMb.toFixed(0)} MB < ${TARGET_RSS_MB} MB  (${r.summary})\n`,
    );
  }
}
