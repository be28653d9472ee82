import { errorMessage, ModelguardError } from '../../core/errors.js';
import { SliceSource } from '../../core/source.js';
import type { NpyHeader } from '../../formats/numpy/npy.js';
import { parseNpyHeader } from '../../formats/numpy/npy.js';
import type { FormatHandler } from '../types.js';
import { NUMPY_RULES as R } from './rules.js';

/** Member name of the pickle inside an object array: `<pickle@OFFSET>`. */
export function pickleMemberName(offset: number): string {
  return `<pickle@${offset}>`;
}

/**
 * `.npy` handler: header parsed without eval; object arrays hand their pickle payload to the engine
 * (T45, np.load(allow_pickle=True)); plain arrays get a size check.
 */
export const numpyHandler: FormatHandler = {
  format: 'numpy',
  async scan(source, ctx) {
    let h: NpyHeader;
    try {
      h = parseNpyHeader(source);
    } catch (e) {
      if (!(e instanceof ModelguardError)) throw e;
      ctx.report(R['numpy/malformed'], {
        message: `npy: ${errorMessage(e)}`,
        ...(e.offset === undefined ? {} : { offset: e.offset }),
      });
      return;
    }
    const evidence = `descr ${h.descrText}, shape (${h.shape.join(', ')}), version ${h.version.major}.${h.version.minor}`;
    for (const f of h.facts) {
      if (f.kind === 'size-mismatch')
        ctx.report(R['numpy/size-mismatch'], { message: `npy: ${f.detail}`, offset: h.dataOffset, evidence });
      else if (f.kind === 'extra-keys')
        ctx.report(R['numpy/malformed'], { message: `npy: ${f.detail}`, severity: 'medium', evidence });
      else ctx.report(R['numpy/malformed'], { message: `npy: ${f.detail}`, severity: 'low', evidence });
    }
    if (!h.dtype.hasObject) return;
    ctx.report(R['numpy/object-array'], {
      message: `npy object array: np.load(allow_pickle=True) unpickles the ${h.payloadBytes} bytes at offset ${h.dataOffset}`,
      offset: h.dataOffset,
      evidence,
    });
    if (h.payloadBytes > 0) {
      await ctx.scanMember(
        pickleMemberName(h.dataOffset),
        new SliceSource(source, h.dataOffset, h.payloadBytes),
        'pickle',
      );
    }
  },
};
