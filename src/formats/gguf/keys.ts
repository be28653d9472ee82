import { fmtInt } from '../../core/format-number.js';
import { GGUF_TYPE, type GgufFact, type GgufFile, type GgufKv, typeName } from './types.js';

const { STRING, ARRAY, UINT32, INT32, FLOAT32, BOOL } = GGUF_TYPE;

/** Types llama.cpp expects for the keys it reads into typed buffers without converting. */
const EXPECTED: Readonly<Record<string, { type: number; elem?: number }>> = {
  'general.architecture': { type: STRING },
  'general.name': { type: STRING },
  'general.quantization_version': { type: UINT32 },
  'general.file_type': { type: UINT32 },
  'tokenizer.ggml.model': { type: STRING },
  'tokenizer.ggml.pre': { type: STRING },
  'tokenizer.ggml.tokens': { type: ARRAY, elem: STRING },
  'tokenizer.ggml.scores': { type: ARRAY, elem: FLOAT32 },
  'tokenizer.ggml.token_type': { type: ARRAY, elem: INT32 },
  'tokenizer.ggml.merges': { type: ARRAY, elem: STRING },
  'tokenizer.ggml.added_tokens': { type: ARRAY, elem: STRING },
  'tokenizer.ggml.bos_token_id': { type: UINT32 },
  'tokenizer.ggml.eos_token_id': { type: UINT32 },
  'tokenizer.ggml.unknown_token_id': { type: UINT32 },
  'tokenizer.ggml.seperator_token_id': { type: UINT32 },
  'tokenizer.ggml.padding_token_id': { type: UINT32 },
  'tokenizer.ggml.cls_token_id': { type: UINT32 },
  'tokenizer.ggml.mask_token_id': { type: UINT32 },
  'tokenizer.ggml.eot_token_id': { type: UINT32 },
  'tokenizer.ggml.eom_token_id': { type: UINT32 },
  'tokenizer.ggml.add_bos_token': { type: BOOL },
  'tokenizer.ggml.add_eos_token': { type: BOOL },
  'tokenizer.chat_template': { type: STRING },
};

/** Keys whose value is a chat template llama.cpp / llama-cpp-python render with Jinja. */
export function isChatTemplateKey(key: string): boolean {
  return key === 'tokenizer.chat_template' || key.startsWith('tokenizer.chat_template.');
}

function expectedOf(key: string): { type: number; elem?: number } | undefined {
  if (Object.hasOwn(EXPECTED, key)) return EXPECTED[key];
  return isChatTemplateKey(key) ? { type: STRING } : undefined;
}

/**
 * Checks that need the metadata as a whole: well-known keys with the wrong type (element-type
 * confusion such as `tokenizer.ggml.scores` stored as bytes but read as f32, T64), and tokenizer
 * arrays whose lengths disagree (llama.cpp indexes scores and token types by token id).
 */
export function checkKeys(file: GgufFile, fact: (f: GgufFact) => void): void {
  const byKey = new Map<string, GgufKv>();
  for (const kv of file.kvs) {
    if (!byKey.has(kv.key)) byKey.set(kv.key, kv);
    if (kv.key === 'general.alignment') continue; // checked by the parser (it changes the layout)
    const want = expectedOf(kv.key);
    if (want === undefined) continue;
    if (kv.type === want.type && (want.elem === undefined || kv.elemType === want.elem)) continue;
    fact({
      kind: 'type-confusion',
      detail: `'${kv.key}' is ${typeName(kv.type, kv.elemType)}, but readers expect ${typeName(want.type, want.elem)}: code that reads it without checking reinterprets the bytes (element-type confusion, T64)`,
      offset: kv.at,
    });
  }
  const tokens = byKey.get('tokenizer.ggml.tokens');
  if (tokens?.type !== ARRAY || tokens.count === undefined) return;
  const n = tokens.count;
  for (const key of ['tokenizer.ggml.scores', 'tokenizer.ggml.token_type']) {
    const kv = byKey.get(key);
    if (kv?.type === ARRAY && kv.count !== undefined && kv.count !== n)
      fact({
        kind: 'tokenizer-mismatch',
        detail: `'${key}' has ${fmtInt(kv.count)} entries for ${fmtInt(n)} tokens: readers index it by token id${kv.count < n ? ' and read past its end' : ''}`,
        offset: kv.at,
      });
  }
  for (const [key, kv] of byKey) {
    if (!/^tokenizer\.ggml\.[a-z]+_token_id$/.test(key) || typeof kv.value !== 'number') continue;
    if (kv.value >= n)
      fact({
        kind: 'tokenizer-mismatch',
        detail: `'${key}' is ${fmtInt(kv.value)}, outside the ${fmtInt(n)}-token vocabulary`,
        offset: kv.at,
        severity: 'medium',
      });
  }
}
