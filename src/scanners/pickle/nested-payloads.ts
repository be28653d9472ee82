import { type ByteSource, MemorySource, SliceSource } from '../../core/source.js';
import type { PickleAnalysis, PickleGlobal, PickleValue } from '../../formats/pickle/index.js';
import type { Policy } from '../policy/policy.js';

/** Nested payloads handed back to the engine per file (each is scanned as a whole pickle). */
export const NESTED_PAYLOADS_MAX = 16;

export interface NestedPayload {
  /** Member name: `<nested-pickle@OFFSET>`, the offset of the bytes (or of the call building them). */
  readonly name: string;
  readonly source: ByteSource;
}

/** `b'…'` read back from the source, or `_codecs.encode('…', 'latin1')` (how protocol 0–2 write bytes). */
function payloadOf(v: PickleValue | undefined, source: ByteSource): NestedPayload | undefined {
  if (v?.t === 'bytes') {
    if (v.length === 0 || v.offset + v.length > source.size) return undefined;
    return { name: `<nested-pickle@${v.offset}>`, source: new SliceSource(source, v.offset, v.length) };
  }
  if (v?.t !== 'call' || v.call.opcode !== 'REDUCE') return undefined;
  const g = v.call.target.t === 'global' ? v.call.target.global : undefined;
  const args = v.call.argument.t === 'tuple' ? v.call.argument.items : [];
  const [text, encoding] = args;
  if (g?.module !== '_codecs' || g.name !== 'encode' || text?.t !== 'str' || text.truncated) return undefined;
  if (encoding?.t !== 'str' || encoding.v !== 'latin1') return undefined;
  const bytes = Uint8Array.from(text.v, (ch) => ch.charCodeAt(0) & 0xff);
  return bytes.length === 0
    ? undefined
    : { name: `<nested-pickle@${v.call.offset}>`, source: new MemorySource(bytes) };
}

/**
 * Byte strings passed to a nested loader (the policy's `nested-loader` family: pickle.loads,
 * torch.storage._load_from_bytes, Grammar.loads …), so the engine can scan the inner pickle too (T16).
 */
export function nestedPayloads(a: PickleAnalysis, source: ByteSource, policy: Policy): NestedPayload[] {
  const out: NestedPayload[] = [];
  const seen = new Set<string>();
  const loader = new Map<PickleGlobal, boolean>();
  for (const s of a.streams) {
    for (const c of s.calls) {
      if (c.target.t !== 'global' || c.opcode === 'BUILD' || c.argument.t !== 'tuple') continue;
      const g = c.target.global;
      let isLoader = loader.get(g);
      if (isLoader === undefined) {
        const v = policy.classify(g.module, g.name);
        isLoader = v.kind === 'dangerous' && v.family === 'nested-loader';
        loader.set(g, isLoader);
      }
      if (!isLoader) continue;
      for (const arg of c.argument.items) {
        const p = payloadOf(arg, source);
        if (!p || seen.has(p.name)) continue;
        seen.add(p.name);
        out.push(p);
        if (out.length >= NESTED_PAYLOADS_MAX) return out;
      }
    }
  }
  return out;
}
