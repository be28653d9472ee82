import { fmtInt } from '../../core/format-number.js';
import { type DecompressStop, decompress } from '../../formats/compress/decompress.js';
import type { CompressionKind } from '../../formats/compress/sniff.js';
import type { FormatHandler } from '../types.js';
import { ARCHIVE_RULES as R } from './rules.js';

/** Name under which the decompressed stream is handed back to the engine. */
export const DECOMPRESSED_MEMBER = '<decompressed>';

const STOP_TEXT: Record<DecompressStop, string> = {
  'max-inflated': 'maxInflatedBytes',
  ratio: 'maxCompressionRatio',
  budget: 'the total inflation budget',
};

/**
 * Handler for a compressed stream (gzip, zlib, bzip2, xz, lzma-alone): decompress with a hard cap, report
 * bombs and corrupt streams, and scan the output by content (T41: joblib's compressed pickles).
 */
function compressedHandler(kind: CompressionKind): FormatHandler {
  return {
    format: kind,
    async scan(source, ctx) {
      const r = await decompress(kind, source, ctx.limits);
      if (r.stop !== undefined) {
        ctx.report(R['archive/zip-bomb'], {
          message: `${kind}: stream inflates past ${STOP_TEXT[r.stop]} (${fmtInt(r.cap)} bytes from ${fmtInt(source.size)}); only the head was analysed`,
        });
      }
      if (r.error !== undefined) {
        ctx.report(R['archive/malformed'], {
          message: `${kind}: ${r.error}${r.output.size > 0 ? `; the ${fmtInt(r.output.size)} bytes decoded before it were analysed` : ''}`,
        });
      }
      if (r.output.size === 0) return;
      ctx.chargeInflated(r.output.size);
      await ctx.scanMember(DECOMPRESSED_MEMBER, r.output);
    },
  };
}

export const gzipHandler = compressedHandler('gzip');
export const zlibHandler = compressedHandler('zlib');
export const bzip2Handler = compressedHandler('bzip2');
export const xzHandler = compressedHandler('xz');
export const lzmaHandler = compressedHandler('lzma');
