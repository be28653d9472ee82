/**
 * TFLite flatbuffers: models built with a small flatbuffer writer (test/support/tflite-writer.ts) from
 * schema.fbs. Builtin-only models are safe; custom ops, Flex ops (judged by the TensorFlow op they run)
 * and structural faults (offsets, vtables, opcode indices, buffer ranges) are reported.
 */
import { describe, expect, it } from 'vitest';
import { MemorySource } from '../src/core/source.js';
import { BUILTIN_OPERATORS, isTflite, parseTflite } from '../src/formats/tflite/index.js';
import { scanPaths } from '../src/scanners/engine.js';
import { sniff } from '../src/scanners/sniff.js';
import { tfliteHandler } from '../src/scanners/tflite/index.js';
import { type Recording, SYSTEM_ID_PICKLE, scanWith } from './support/archive-context.js';
import { tempDir } from './support/temp.js';
import { buildFlatbuffer, tfliteModel } from './support/tflite-writer.js';

const code = (name: string) => BUILTIN_OPERATORS.indexOf(name);
const ADD = code('ADD');
const CONV = code('CONV_2D');
const CUSTOM = code('CUSTOM');
const GELU = code('GELU');

async function scan(bytes: Uint8Array): Promise<Recording> {
  return scanWith(tfliteHandler, new MemorySource(bytes));
}
const pairs = (rec: Recording) => rec.findings.map((f) => [f.ruleId, f.severity]);

describe('TFLite models', () => {
  it('a builtin-only model (incl. codes above 127 in builtin_code) is safe and fully walked', async () => {
    const bytes = tfliteModel({
      opcodes: [{ builtin: CONV }, { builtin: ADD }, { builtin: GELU, deprecated: 127 }],
      operators: [[0, 1, 2, 1], [1]],
      buffers: [new Uint8Array(0), new Uint8Array(64).fill(7)],
    });
    const m = parseTflite(new MemorySource(bytes));
    expect(m.stopped).toBeUndefined();
    expect(m.opcodes.map((o) => [o.name, o.uses])).toEqual([
      ['CONV_2D', 1],
      ['ADD', 3],
      ['GELU', 1],
    ]);
    expect(m).toMatchObject({ subgraphs: 2, operators: 5, buffers: 2, metadata: ['min_runtime_version'] });
    expect((await scan(bytes)).findings).toEqual([]);
  });

  it('custom ops are listed together, medium; TFLite’s own custom ops are low', async () => {
    const bytes = tfliteModel({
      opcodes: [
        { builtin: CUSTOM, custom: 'SignalWindow' },
        { builtin: CUSTOM, custom: 'ethos-u' },
        { builtin: CUSTOM, custom: 'TFLite_Detection_PostProcess' },
      ],
      operators: [[0, 1, 2]],
    });
    const rec = await scan(bytes);
    expect(pairs(rec)).toEqual([
      ['tflite/custom-op', 'medium'],
      ['tflite/custom-op', 'low'],
    ]);
    expect(rec.findings[0]?.message).toBe(
      'TFLite custom ops "SignalWindow", "ethos-u" need a kernel the application registers (native code)',
    );
  });

  it('Flex ops: compute ops medium; file, network and Python ops high; unknown TF ops say so', async () => {
    const bytes = tfliteModel({
      opcodes: [
        { builtin: CUSTOM, custom: 'FlexAddV2' },
        { builtin: CUSTOM, custom: 'FlexReadFile' },
        { builtin: CUSTOM, custom: 'FlexWriteFile' },
        { builtin: CUSTOM, custom: 'FlexPyFunc' },
        { builtin: CUSTOM, custom: 'FlexMyOwnKernel' },
      ],
      operators: [[0, 1, 2, 3, 4]],
    });
    const rec = await scan(bytes);
    expect(pairs(rec)).toEqual([
      ['tflite/flex-op', 'medium'],
      ['tflite/flex-op', 'high'],
      ['tflite/flex-op', 'high'],
      ['tflite/flex-op', 'high'],
      ['tflite/flex-op', 'medium'],
    ]);
    expect(rec.findings[1]?.message).toMatch(
      /ReadFile through the Flex delegate, which reads the file named by its input tensor/,
    );
    expect(rec.findings[4]?.message).toMatch(/not a standard TensorFlow op/);
  });

  it('a Flex op whose NodeDef runs another op than its custom code names is high', async () => {
    const bytes = tfliteModel({
      opcodes: [{ builtin: CUSTOM, custom: 'FlexAddV2', nodeDefOp: 'WriteFile' }],
      operators: [[0, 0]],
    });
    const m = parseTflite(new MemorySource(bytes));
    expect(m.opcodes[0]?.flexOps).toEqual([expect.objectContaining({ op: 'WriteFile', count: 2 })]);
    const rec = await scan(bytes);
    expect(pairs(rec)).toEqual([
      ['tflite/flex-op', 'medium'],
      ['tflite/flex-op', 'high'],
    ]);
    expect(rec.findings[1]?.message).toMatch(/"FlexAddV2" hides a NodeDef for "WriteFile" \(2 operators\)/);
  });

  it('Flex operators without a decodable NodeDef are reported', async () => {
    const none = await scan(
      tfliteModel({
        opcodes: [{ builtin: CUSTOM, custom: 'FlexAddV2', options: new Uint8Array(0) }],
        operators: [[0]],
      }),
    );
    expect(none.findings.map((f) => f.message)).toContainEqual(
      expect.stringMatching(/without custom options/),
    );
    const junk = await scan(
      tfliteModel({
        opcodes: [{ builtin: CUSTOM, custom: 'FlexAddV2', options: Uint8Array.from([1, 2, 3, 4, 5]) }],
        operators: [[0]],
      }),
    );
    expect(junk.findings.map((f) => [f.ruleId, f.severity])).toContainEqual(['tflite/malformed', 'medium']);
  });

  it('unknown builtin codes and StableHLO custom calls are custom ops', async () => {
    const rec = await scan(
      tfliteModel({
        opcodes: [
          { builtin: 900, deprecated: 127 },
          { builtin: code('STABLEHLO_CUSTOM_CALL'), deprecated: 127 },
        ],
        operators: [[0, 1]],
      }),
    );
    expect(rec.findings.map((f) => f.message)).toEqual([
      expect.stringMatching(/builtin code 900 is not in the schema/),
      expect.stringMatching(/STABLEHLO_CUSTOM_CALL/),
    ]);
  });

  it('scans from disk as format tflite by content', async () => {
    const tmp = tempDir('modelguard-tfl-');
    const p = tmp.write(
      'model.bin',
      tfliteModel({ opcodes: [{ builtin: CUSTOM, custom: 'FlexWriteFile' }], operators: [[0]] }),
    );
    const report = await scanPaths([p], { hash: false });
    expect(report.artifacts[0]).toMatchObject({ format: ['tflite'], verdict: 'unsafe' });
  });
});

describe('structural faults', () => {
  it('an operator naming a missing operator code is reported', async () => {
    const rec = await scan(tfliteModel({ opcodes: [{ builtin: ADD }], operators: [[0, 5]] }));
    expect(pairs(rec)).toEqual([['tflite/malformed', 'medium']]);
    expect(rec.findings[0]?.message).toMatch(/opcode_index 5 but the model has 1 operator codes/);
  });

  it('builtin_code disagreeing with deprecated_builtin_code is reported (readers differ)', async () => {
    const rec = await scan(tfliteModel({ opcodes: [{ builtin: CONV, deprecated: ADD }], operators: [[0]] }));
    expect(rec.findings[0]?.message).toMatch(/disagrees with deprecated_builtin_code/);
  });

  it('buffers whose external data runs past the file are reported', async () => {
    const rec = await scan(
      tfliteModel({
        opcodes: [{ builtin: ADD }],
        operators: [[0]],
        buffers: [{ offset: 64n, size: 1n << 40n }],
      }),
    );
    expect(rec.findings[0]?.message).toMatch(
      /Buffer 0: external data at offset 64 \+ 1,099,511,627,776 bytes runs past/,
    );
  });

  it('a root offset, vtable or vector outside the file stops the walk as malformed', async () => {
    const good = tfliteModel({ opcodes: [{ builtin: ADD }], operators: [[0]] });
    const badRoot = Uint8Array.from(good);
    new DataView(badRoot.buffer).setUint32(0, 0xfffffff0, true);
    expect(pairs(await scan(badRoot))).toEqual([['tflite/malformed', 'high']]);
    const rootPos = new DataView(good.buffer).getUint32(0, true);
    const badVtable = Uint8Array.from(good);
    new DataView(badVtable.buffer).setInt32(rootPos, -100_000, true);
    expect(parseTflite(new MemorySource(badVtable)).stopped?.message).toMatch(/vtable/);
  });

  it('a string without its NUL terminator is malformed', () => {
    const bytes = tfliteModel({ opcodes: [{ builtin: CUSTOM, custom: 'Evil' }], operators: [[0]] });
    const at = Buffer.from(bytes).indexOf('Evil');
    bytes[at + 4] = 0x41;
    expect(parseTflite(new MemorySource(bytes)).stopped?.message).toMatch(/NUL terminator/);
  });

  it('an operator-code vector claiming 2^32-1 entries is bounded by the file', () => {
    const bytes = buildFlatbuffer({ table: [{ u32: 3 }, { ints: [1, 2, 3] }] });
    const at = Buffer.from(bytes).lastIndexOf(Uint8Array.from([3, 0, 0, 0, 1, 0, 0, 0]));
    new DataView(bytes.buffer).setUint32(at, 0xffffffff, true);
    expect(parseTflite(new MemorySource(bytes)).stopped?.kind).toBe('malformed');
  });
});

describe('sniffing', () => {
  it('claims TFL3 at offset 4 only', () => {
    const bytes = tfliteModel({ opcodes: [{ builtin: ADD }], operators: [[0]] });
    expect(sniff(bytes.subarray(0, 512))).toBe('tflite');
    expect(isTflite(SYSTEM_ID_PICKLE)).toBe(false);
    expect(isTflite(new TextEncoder().encode('xxxxTFL3'))).toBe(false);
    expect(isTflite(buildFlatbuffer({ table: [{ u32: 1 }] }, 'ABCD'))).toBe(false);
  });
});
