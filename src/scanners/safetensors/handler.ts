import { fmtInt } from '../../core/format-number.js';
import { SliceSource } from '../../core/source.js';
import {
  parseSafetensorsHeader,
  SAFETENSORS_LIMITS,
  type SafetensorsFactKind,
  type SafetensorsLimits,
} from '../../formats/safetensors/index.js';
import type { FormatHandler } from '../types.js';
import { CappedReporter } from './capped-reporter.js';
import { SAFETENSORS_RULES as R } from './rules.js';

const RULE_OF: Record<SafetensorsFactKind, (typeof R)[keyof typeof R]> = {
  'header-too-large': R['safetensors/header-too-large'],
  'invalid-json': R['safetensors/invalid-json'],
  'duplicate-key': R['safetensors/duplicate-key'],
  'offset-out-of-range': R['safetensors/offset-out-of-range'],
  overlap: R['safetensors/overlap'],
  gap: R['safetensors/gap'],
  'size-mismatch': R['safetensors/size-mismatch'],
  'shape-overflow': R['safetensors/shape-overflow'],
  'bad-metadata': R['safetensors/bad-metadata'],
  'trailing-data': R['safetensors/trailing-data'],
  'too-many-tensors': R['safetensors/too-many-tensors'],
  malformed: R['safetensors/malformed'],
};

/** Member names of the regions handed back to the engine. */
export function holeMemberName(kind: 'gap' | 'trailing', offset: number): string {
  return `<safetensors-${kind}@${offset}>`;
}

/**
 * safetensors handler (T66): reads the 8-byte length and the JSON header only — tensor data is never
 * read, so a multi-gigabyte file costs its header. Every check of the reference loader is its own
 * finding; bytes no tensor covers (gaps, trailing data) are handed back to the engine to be sniffed.
 */
export function createSafetensorsHandler(limits: SafetensorsLimits = SAFETENSORS_LIMITS): FormatHandler {
  return {
    format: 'safetensors',
    async scan(source, ctx) {
      ctx.noteFormat('safetensors');
      const h = parseSafetensorsHeader(source, limits);
      const out = new CappedReporter(ctx, 'safetensors file');
      for (const f of h.facts) {
        out.report(RULE_OF[f.kind], {
          message: `safetensors: ${f.detail}`,
          ...(f.offset === undefined ? {} : { offset: f.offset }),
          ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
          ...(f.severity === undefined ? {} : { severity: f.severity }),
        });
      }
      if (h.droppedFacts !== undefined)
        ctx.report(R['safetensors/malformed'], {
          message: `safetensors: ${fmtInt(h.droppedFacts)} more problems were not recorded (maxFacts ${fmtInt(limits.maxFacts)})`,
        });
      out.flush();
      for (const hole of h.holes) {
        if (hole.length <= 0) continue;
        await ctx.scanMember(
          holeMemberName(hole.kind, hole.offset),
          new SliceSource(source, hole.offset, hole.length),
        );
      }
    },
  };
}

export const safetensorsHandler: FormatHandler = createSafetensorsHandler();
