import { fmtInt } from '../../core/format-number.js';
import { MemorySource } from '../../core/source.js';
import { extractSevenZip, listSevenZip } from '../../formats/sevenz/archive.js';
import type { FormatHandler } from '../types.js';
import { BoundedReporter } from './bounded-report.js';
import { ARCHIVE_RULES as R } from './rules.js';

const UNSUPPORTED = /password|encrypt|unsupported|not implemented/i;
/** The ratio limit applies only above this many decoded bytes (small archives compress absurdly well). */
const RATIO_FLOOR_BYTES = 1 << 20;

/**
 * 7z handler (T40: 7z-wrapped checkpoints): 7-Zip lists and extracts in a wasm sandbox with caps; every
 * file member is handed back to the engine by content. What 7-Zip cannot open is `archive/unsupported`.
 */
export const sevenZipHandler: FormatHandler = {
  format: '7z',
  async scan(source, ctx) {
    const out = new BoundedReporter(ctx);
    try {
      const listing = await listSevenZip(source, ctx.limits);
      if (listing.problem !== undefined) {
        const rule =
          listing.entries.length === 0 || UNSUPPORTED.test(listing.problem)
            ? R['archive/unsupported']
            : R['archive/malformed'];
        out.report(rule, { message: `7z: ${listing.problem}; content not inspected` });
        if (listing.entries.length === 0) return;
      }
      if (listing.truncated)
        out.report(R['archive/too-many-entries'], {
          message: `7z: more than ${fmtInt(ctx.limits.maxEntries)} entries (maxEntries); the rest were not read`,
        });
      for (const e of listing.entries) {
        for (const f of e.facts) {
          if (f.kind === 'encrypted')
            out.report(R['archive/unsupported'], {
              message: `7z: ${f.detail}; its content cannot be inspected`,
            });
          else
            out.report(R['archive/path-traversal'], {
              message: `7z: ${f.detail}`,
              ...(f.kind === 'symlink' ? { severity: 'medium' as const } : {}),
            });
        }
      }
      // Decoding stops at the total budget or at maxCompressionRatio × the archive size, whichever is lower.
      const ratioBudget = Math.max(RATIO_FLOOR_BYTES, source.size * ctx.limits.maxCompressionRatio);
      const budget = Math.min(ctx.limits.maxTotalInflatedBytes, ratioBudget);
      const x = await extractSevenZip(source, listing, ctx.limits.maxInflatedBytes, budget);
      for (const p of x.problems)
        out.report(UNSUPPORTED.test(p) ? R['archive/unsupported'] : R['archive/malformed'], {
          message: `7z: ${p}`,
        });
      if (x.stoppedAtBudget) {
        out.report(R['archive/zip-bomb'], {
          message: `7z: members decode to more than ${fmtInt(budget)} bytes (${budget === ratioBudget ? `maxCompressionRatio ${ctx.limits.maxCompressionRatio}:1` : 'maxTotalInflatedBytes'}); decoding stopped`,
        });
      }
      let charging = true;
      for (const m of x.members) {
        if (!m.complete && m.entry.size > ctx.limits.maxInflatedBytes) {
          out.report(R['archive/zip-bomb'], {
            message: `7z member '${m.entry.name}' is ${fmtInt(m.entry.size)} bytes, over maxInflatedBytes (${fmtInt(ctx.limits.maxInflatedBytes)}); only its head was analysed`,
          });
        }
        if (charging && !ctx.chargeInflated(m.bytes.length)) charging = false;
        await ctx.scanMember(m.entry.name, new MemorySource(m.bytes));
      }
    } finally {
      out.flush();
    }
  },
};
