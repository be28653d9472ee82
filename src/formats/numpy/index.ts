export { type DtypeInfo, descrText, dtypeInfo } from './dtype.js';
export { dictGet, LITERAL_LIMITS, type PyValue, parsePyLiteral } from './literal.js';
export {
  isNpy,
  NPY_LIMITS,
  NPY_MAGIC,
  type NpyFact,
  type NpyFactKind,
  type NpyHeader,
  NUMPY_MAX_HEADER_SIZE,
  parseNpyHeader,
} from './npy.js';
