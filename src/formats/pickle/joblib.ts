import { asGlobal, asInt, asStr, dictGet, type PickleValue } from './values.js';
import type { Machine } from './vm.js';

/**
 * joblib's NumpyPickler (joblib/numpy_pickle.py, 1.2) pickles a `NumpyArrayWrapper` in place of each
 * numpy array and writes the array *inline*, right after the wrapper's BUILD: for object arrays a
 * whole nested pickle (`pickle.dump(array, f, protocol=2)`), otherwise the raw bytes, preceded —
 * when the state has a non-None `numpy_array_alignment_bytes` (joblib ≥ 1.2) — by one byte giving
 * the length of `\xff` padding that follows it. `NumpyUnpickler.load_build` reads them back.
 */
export type JoblibLayout =
  | { readonly kind: 'raw'; readonly bytes: number; readonly padded: boolean; readonly description: string }
  | { readonly kind: 'object'; readonly description: string }
  | { readonly kind: 'unknown'; readonly why: string };

/** True when BUILD's target was created from `joblib.numpy_pickle.NumpyArrayWrapper`. */
export function isNumpyArrayWrapper(target: PickleValue): boolean {
  if (target.t !== 'call') return false;
  const c = target.call;
  let cls = asGlobal(c.target);
  // Protocol 0/1: copyreg._reconstructor(cls, object, None).
  if (cls && cls.name === '_reconstructor' && (cls.module === 'copyreg' || cls.module === 'copy_reg')) {
    cls = c.argument.t === 'tuple' ? asGlobal(c.argument.items[0]) : undefined;
  }
  if (cls?.name !== 'NumpyArrayWrapper') return false;
  return cls.module === 'joblib.numpy_pickle' || cls.module.endsWith('.joblib.numpy_pickle');
}

/** Itemsize and object-ness of a symbolic `numpy.dtype(descr, False, True)` plus its BUILD state. */
function dtypeInfo(
  dtype: PickleValue | undefined,
  stateOf: (v: PickleValue) => PickleValue | undefined,
): { itemsize: number; hasObject: boolean; descr: string } | string {
  if (dtype?.t !== 'call') return 'dtype is not a numpy.dtype(...) call';
  const g = asGlobal(dtype.call.target);
  if (g?.name !== 'dtype' || !(g.module === 'numpy' || g.module.startsWith('numpy.'))) {
    return 'dtype is not a numpy.dtype(...) call';
  }
  const a = dtype.call.argument;
  const descr = a.t === 'tuple' ? asStr(a.items[0]) : undefined;
  if (descr === undefined) return 'dtype descriptor is not a string';
  // State: (version, byteorder, subdescr, names, fields, elsize, alignment, flags[, metadata]).
  const state = stateOf(dtype);
  const items = state?.t === 'tuple' ? state.items : [];
  const elsize = asInt(items[5]);
  const flags = asInt(items[7]);
  const hasObject = descr.startsWith('O') || (flags !== undefined && (flags & 1) === 1);
  if (hasObject) return { itemsize: 0, hasObject, descr };
  if (elsize !== undefined && elsize > 0) return { itemsize: elsize, hasObject, descr };
  const m = /^[a-zA-Z](\d+)$/.exec(descr);
  if (!m) return `cannot tell the item size of dtype '${descr}'`;
  return { itemsize: Number(m[1]), hasObject, descr };
}

/** What follows the BUILD of a NumpyArrayWrapper whose state is `state`. */
export function joblibLayout(
  state: PickleValue,
  stateOf: (v: PickleValue) => PickleValue | undefined,
): JoblibLayout {
  if (state.t !== 'dict') return { kind: 'unknown', why: 'wrapper state is not a dict' };
  const dt = dtypeInfo(dictGet(state, 'dtype'), stateOf);
  if (typeof dt === 'string') return { kind: 'unknown', why: dt };
  const shapeValue = dictGet(state, 'shape');
  if (shapeValue?.t !== 'tuple' || shapeValue.size !== shapeValue.items.length) {
    return { kind: 'unknown', why: 'shape is not a tuple of ints' };
  }
  const dims: number[] = [];
  for (const d of shapeValue.items) {
    const n = asInt(d);
    if (n === undefined || n < 0) return { kind: 'unknown', why: 'shape is not a tuple of ints' };
    dims.push(n);
  }
  const description = `<numpy array dtype='${dt.descr}' shape=(${dims.join(', ')}${dims.length === 1 ? ',' : ''})>`;
  if (dt.hasObject) return { kind: 'object', description };
  let bytes = dt.itemsize;
  for (const n of dims) {
    bytes *= n;
    if (bytes > Number.MAX_SAFE_INTEGER)
      return { kind: 'unknown', why: `array of ${description} is too large` };
  }
  const align = dictGet(state, 'numpy_array_alignment_bytes');
  const padded = align !== undefined && align.t !== 'none';
  return { kind: 'raw', bytes, padded, description };
}

/**
 * After the BUILD of a NumpyArrayWrapper (joblib.load semantics): skips the raw array bytes, or
 * analyses the nested object-array pickle, and replaces the wrapper on the stack as
 * NumpyUnpickler.load_build does. False (with an anomaly) when the array cannot be delimited.
 */
export function followJoblibArray(m: Machine, at: number, state: PickleValue): boolean {
  const inp = m.inp;
  if (m.frameEnd >= 0 && inp.pos < m.frameEnd) {
    m.anomaly(
      'frame-mismatch',
      at,
      `joblib array after BUILD at ${at} starts inside a frame ending at ${m.frameEnd}; joblib would read it from the frame's end`,
    );
    return false;
  }
  // The frame ended with the BUILD: what follows is read raw from the file.
  m.frameEnd = -1;
  const layout = joblibLayout(state, (v) => m.states.get(v));
  if (layout.kind === 'unknown') {
    m.anomaly(
      'joblib-array',
      at,
      `joblib array after BUILD at ${at}: ${layout.why}; its bytes cannot be skipped`,
    );
    return false;
  }
  m.skippedJoblib = true;
  if (layout.kind === 'object') {
    const end = m.opts.onNested?.(inp.pos);
    if (end === undefined) {
      m.anomaly(
        'joblib-array',
        at,
        `joblib object array after BUILD at ${at}: the nested pickle does not end`,
      );
      return false;
    }
    inp.seek(end);
  } else {
    if (layout.padded)
      inp.skipRaw(inp.counted(1, 1, true, 'joblib padding length')[0] as number, 'joblib padding');
    inp.skipRaw(layout.bytes, `joblib array data (${layout.bytes} bytes)`);
  }
  m.joblibArrays++;
  m.stack[m.stack.length - 1] = { t: 'opaque', text: layout.description };
  return true;
}
