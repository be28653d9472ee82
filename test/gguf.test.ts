/**
 * GGUF reader and handler (T62–T65): every value type in both byte orders and v1, the checks of
 * llama.cpp's gguf.cpp as facts, lazy bounded reads of chat templates, llamafile executables, and
 * the guarantee that tensor data is never read.
 */
import { describe, expect, it } from 'vitest';
import { type ByteSource, MemorySource } from '../src/core/source.js';
import {
  executableKind,
  GGML_TYPES,
  GGUF_LIMITS,
  type GgufFile,
  isApe,
  isGguf,
  parseGguf,
} from '../src/formats/gguf/index.js';
import { CHAT_TEMPLATE_LIMITS } from '../src/scanners/chat-template/index.js';
import { createGgufHandler, ggufHandler } from '../src/scanners/gguf/index.js';
import { sniff } from '../src/scanners/sniff.js';
import { ruleIds, scanWith } from './support/archive-context.js';
import {
  APE_STUB,
  arr,
  bool,
  buildLlamafile,
  CHATML_TEMPLATE,
  f32,
  f64,
  GGUF_FIXTURES,
  GgufWriter,
  i8,
  i32,
  i64,
  LLAMA3_TEMPLATE,
  llamaLike,
  str,
  T,
  u8,
  u16,
  u32,
  u64,
} from './support/gguf-writer.js';

const parse = (b: Uint8Array): GgufFile => parseGguf(new MemorySource(b));
const kinds = (b: Uint8Array) => [...new Set(parse(b).facts.map((f) => f.kind))].sort();
const fixture = (name: string) => {
  const f = GGUF_FIXTURES.find((x) => x.file === name);
  if (f === undefined) throw new Error(name);
  return f.build();
};

/** Read-ahead of the windowed ByteReader (core/byte-reader.ts): header reads may pull this much past the header. */
const WINDOW = 1 << 20;

/** A source of `size` bytes of which only `head` is stored (the rest reads as zeros, like a sparse file). */
function sparseSource(head: Uint8Array, size: number): ByteSource & { maxRead: number; bytesRead: number } {
  const src = {
    size,
    maxRead: 0,
    bytesRead: 0,
    read(offset: number, length: number): Uint8Array {
      src.maxRead = Math.max(src.maxRead, offset + length);
      src.bytesRead += length;
      if (length > 64 << 20) throw new Error(`read of ${length} bytes at ${offset}`);
      const out = new Uint8Array(length);
      if (offset < head.length) out.set(head.subarray(offset, Math.min(head.length, offset + length)));
      return out;
    },
  };
  return src;
}

describe('GGUF sniffing', () => {
  it('routes GGUF and APE/llamafile heads to the GGUF handler, and nothing else', () => {
    expect(isGguf(fixture('tiny-llama3.gguf'))).toBe(true);
    expect(sniff(fixture('tiny-llama3.gguf').subarray(0, 512))).toBe('gguf');
    expect(sniff(APE_STUB)).toBe('gguf');
    expect(isApe(new TextEncoder().encode("jartsr='\n"))).toBe(true);
    expect(sniff(Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 3, 0, 0, 0]))).not.toBe('gguf');
    expect(executableKind(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2]))).toBe('elf');
    expect(executableKind(Uint8Array.from([0xcf, 0xfa, 0xed, 0xfe]))).toBe('mach-o');
    expect(executableKind(Uint8Array.from([0x4d, 0x5a, 0x90]))).toBe('pe');
    expect(executableKind(APE_STUB)).toBe('ape');
  });
});

describe('GGUF reader', () => {
  it('reads a llama-like model: metadata, tensor infos, aligned data section, ggml sizes', () => {
    const f = parse(fixture('tiny-llama3.gguf'));
    expect(f.facts).toEqual([]);
    expect(f.version).toBe(3);
    expect(f.kvs.find((k) => k.key === 'general.architecture')?.value).toBe('llama');
    expect(f.kvs.find((k) => k.key === 'llama.rope.freq_base')?.value).toBe(500000);
    expect(f.kvs.find((k) => k.key === 'tokenizer.ggml.tokens')?.count).toBe(32);
    expect(f.kvs.find((k) => k.key === 'tokenizer.chat_template')?.value).toBe(LLAMA3_TEMPLATE);
    expect(f.tensors).toHaveLength(12);
    expect((f.dataOffset ?? 1) % 32).toBe(0);
    const size = (n: string) => f.tensors.find((t) => t.name === n)?.nbytes;
    expect(size('token_embd.weight')).toBe(32n * 34n); // Q8_0: 32 elements in 34 bytes, 32 rows
    expect(size('blk.0.ffn_down.weight')).toBe(32n * 144n); // Q4_K: 256 elements in 144 bytes
    expect(size('output_norm.weight')).toBe(128n);
  });

  it('reads every value type in both byte orders', () => {
    const w = new GgufWriter()
      .kv('u8', u8(200))
      .kv('i8', i8(-5 & 0xff))
      .kv('u16', u16(65000))
      .kv('i16', { t: T.i16, v: -2 & 0xffff })
      .kv('u32', u32(4_000_000_000))
      .kv('i32', i32(-7))
      .kv('f32', f32(1.5))
      .kv('bool', bool(true))
      .kv('str', str('héllo'))
      .kv('u64', u64(2n ** 63n + 1n))
      .kv('i64', i64(-(2n ** 40n)))
      .kv('f64', f64(-0.25))
      .kv('arr', arr(T.str, ['a', 'bc']))
      .tensor({ name: 'w', dims: [64, 2], type: 8 });
    const want = {
      u8: 200,
      i8: -5,
      u16: 65000,
      i16: -2,
      u32: 4_000_000_000,
      i32: -7,
      f32: 1.5,
      bool: true,
      str: 'héllo',
      u64: 2n ** 63n + 1n,
      i64: -(2n ** 40n),
      f64: -0.25,
    };
    for (const bigEndian of [false, true]) {
      const f = parse(w.build({ bigEndian }));
      expect(f.littleEndian).toBe(!bigEndian);
      expect(f.facts.filter((x) => x.severity !== 'low')).toEqual([]);
      expect(Object.fromEntries(f.kvs.filter((k) => k.key !== 'arr').map((k) => [k.key, k.value]))).toEqual(
        want,
      );
      expect(f.kvs.find((k) => k.key === 'arr')).toMatchObject({ type: T.arr, elemType: T.str, count: 2 });
      expect(f.tensors[0]).toMatchObject({ name: 'w', dims: [64n, 2n], type: 8, offset: 0n, nbytes: 136n });
    }
  });

  it('reads v1 files with 32-bit lengths and reports the version', () => {
    const f = parse(fixture('v1.gguf'));
    expect(f.facts.map((x) => x.kind)).toEqual(['unsupported-version']);
    expect(f.kvs.find((k) => k.key === 'tokenizer.chat_template')?.value).toBe(CHATML_TEMPLATE);
    expect(f.tensors.map((t) => t.name)).toEqual([
      'token_embd.weight',
      'blk.0.ffn_down.weight',
      'output_norm.weight',
    ]);
  });

  it('stops at unknown versions, bad magic, and version 0', () => {
    expect(parse(fixture('v4.gguf')).stopped?.detail).toContain('version 4');
    expect(parse(new TextEncoder().encode('GGUX\x03\0\0\0')).facts[0]?.kind).toBe('malformed');
    expect(parse(Uint8Array.from([0x47, 0x47, 0x55, 0x46, 0, 0, 0, 0])).stopped?.detail).toContain(
      'version 0',
    );
    expect(parse(Uint8Array.from([0x47, 0x47])).stopped).toBeDefined();
  });

  it('keeps what it read before a fatal error (a template before a broken tensor table is still there)', () => {
    const f = parse(fixture('truncated.gguf'));
    expect(f.stopped).toBeDefined();
    expect(f.kvs.some((k) => k.key === 'tokenizer.chat_template')).toBe(true);
  });

  it.each([
    ['kv-count-overflow.gguf', 'count-overflow'],
    ['tensor-count-overflow.gguf', 'count-overflow'],
    ['string-past-eof.gguf', 'count-overflow'],
    ['array-past-eof.gguf', 'count-overflow'],
    ['too-many-dims.gguf', 'bad-tensor-shape'],
    ['negative-dim.gguf', 'bad-tensor-shape'],
    ['dims-overflow.gguf', 'shape-overflow'],
    ['pad-overflow.gguf', 'shape-overflow'],
    ['invalid-tensor-type.gguf', 'invalid-tensor-type'],
    ['offset-past-eof.gguf', 'offset-out-of-range'],
    ['misaligned.gguf', 'misaligned'],
    ['overlap.gguf', 'overlap'],
    ['duplicate-tensor.gguf', 'duplicate-tensor'],
    ['duplicate-key.gguf', 'duplicate-key'],
    ['alignment-not-pow2.gguf', 'bad-alignment'],
    ['alignment-huge.gguf', 'bad-alignment'],
    ['alignment-wrong-type.gguf', 'type-confusion'],
    ['scores-type-confusion.gguf', 'type-confusion'],
    ['tokenizer-mismatch.gguf', 'tokenizer-mismatch'],
    ['long-tensor-name.gguf', 'bad-tensor-name'],
    ['nested-array.gguf', 'nested-array'],
    ['nested-array-deep.gguf', 'limit-exceeded'],
    ['tensor-gap.gguf', 'tensor-layout'],
    ['trailing-pickle.gguf', 'trailing-data'],
    ['invalid-value-type.gguf', 'malformed'],
  ])('%s → %s', (file, kind) => {
    expect(kinds(fixture(file))).toContain(kind);
  });

  it('checks rows against the quantisation block and knows the ggml type table', () => {
    const b = llamaLike({ tensors: [{ name: 'w', dims: [100, 2], type: 12 }] }).build({ data: false });
    expect(
      parse(b)
        .facts.map((f) => f.detail)
        .join(),
    ).toMatch(/not a multiple of its block size 256/);
    const sizes = Object.fromEntries(
      [...GGML_TYPES.values()].map((t) => [t.name, [t.blockSize, t.typeSize]]),
    );
    expect(sizes).toMatchObject({
      F32: [1, 4],
      Q4_0: [32, 18],
      Q8_0: [32, 34],
      Q2_K: [256, 84],
      Q3_K: [256, 110],
      Q4_K: [256, 144],
      Q5_K: [256, 176],
      Q6_K: [256, 210],
      IQ4_XS: [256, 136],
      TQ2_0: [256, 66],
      MXFP4: [32, 17],
      BF16: [1, 2],
    });
    expect(GGML_TYPES.has(4)).toBe(false);
  });

  it('notes out-of-vocabulary special token ids at medium', () => {
    const f = parse(fixture('tokenizer-mismatch.gguf'));
    const ids = f.facts.filter((x) => x.kind === 'tokenizer-mismatch');
    expect(ids.map((x) => x.severity)).toEqual([undefined, 'medium']);
  });

  it('reports per-file limits before reading past them', () => {
    const b = llamaLike({ template: CHATML_TEMPLATE }).build({ data: false });
    const f = parseGguf(new MemorySource(b), { ...GGUF_LIMITS, maxKv: 3, maxTensors: 2 });
    expect(f.facts.map((x) => x.kind)).toContain('limit-exceeded');
    expect(f.kvs).toHaveLength(3);
  });
});

describe('GGUF handler', () => {
  it('analyses every chat template, named and duplicated copies included', async () => {
    const rec = await scanWith(ggufHandler, new MemorySource(fixture('ssti-duplicate-template.gguf')));
    expect(ruleIds(rec)).toEqual(['chat-template/injection', 'gguf/duplicate-key']);
    const named = await scanWith(ggufHandler, new MemorySource(fixture('ssti-mro.gguf')));
    expect(named.findings.find((f) => f.ruleId === 'chat-template/injection')?.message).toContain(
      "GGUF key 'tokenizer.chat_template.tool_use'",
    );
  });

  it('reads a huge template only up to the limit, lazily', async () => {
    const template = `${CHATML_TEMPLATE}{# ${'x'.repeat(3_000_000)} #}`;
    const b = llamaLike({ template, tensors: [] }).build();
    const src = sparseSource(b, b.length);
    const handler = createGgufHandler({
      gguf: GGUF_LIMITS,
      template: { ...CHAT_TEMPLATE_LIMITS, maxTemplateChars: 1 << 16 },
    });
    const rec = await scanWith(handler, src);
    expect(ruleIds(rec)).toContain('chat-template/too-large');
    // The template bytes beyond the limit were skipped, not read: the file is ~3 MB.
    expect(src.bytesRead).toBeLessThan(1_500_000);
  });

  it('never reads tensor data: a 4 GB model costs its metadata', async () => {
    const w = llamaLike({
      template: LLAMA3_TEMPLATE,
      tensors: [
        { name: 'token_embd.weight', dims: [4096, 131072], type: 0 },
        { name: 'output.weight', dims: [4096, 131072], type: 0 },
      ],
    });
    const { head, dataLength } = w.head();
    const src = sparseSource(head, head.length + Number(dataLength));
    expect(src.size).toBeGreaterThan(2 ** 32);
    const rec = await scanWith(ggufHandler, src);
    expect(rec.findings).toEqual([]);
    expect(src.maxRead).toBeLessThanOrEqual(head.length + WINDOW);
    expect(src.bytesRead).toBeLessThan(3 * WINDOW);
  });

  it('reports a llamafile as an executable and scans the GGUF in its zip', async () => {
    const rec = await scanWith(ggufHandler, new MemorySource(buildLlamafile(fixture('ssti-lipsum.gguf'))));
    expect(rec.formats).toContain('llamafile');
    expect(ruleIds(rec)).toContain('gguf/executable');
    expect(rec.members.map((m) => m.name)).toEqual(['model.gguf']);
    expect(rec.findings.find((f) => f.ruleId === 'gguf/executable')?.message).toContain(
      'embedded weights: model.gguf',
    );
  });

  it('reports an executable without an appended zip, and executables handed to it directly', async () => {
    const ape = await scanWith(ggufHandler, new MemorySource(APE_STUB));
    expect(ruleIds(ape)).toEqual(['gguf/executable']);
    expect(ape.findings[0]?.message).toContain('no readable appended zip');
    const elf = await scanWith(
      ggufHandler,
      new MemorySource(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])),
    );
    expect(elf.findings[0]?.message).toContain('ELF');
  });

  it('hands trailing bytes to the engine', async () => {
    const rec = await scanWith(ggufHandler, new MemorySource(fixture('trailing-pickle.gguf')));
    expect(rec.members.map((m) => m.name)).toEqual([expect.stringMatching(/^<gguf-trailing@\d+>$/)]);
    expect(rec.members[0]?.head[0]).toBe(0x80);
  });

  it('a benign big-endian file is safe (only the low byte-order note)', async () => {
    const rec = await scanWith(ggufHandler, new MemorySource(fixture('big-endian.gguf')));
    expect(rec.findings.map((f) => [f.ruleId, f.severity])).toEqual([['gguf/unsupported-version', 'low']]);
  });
});
