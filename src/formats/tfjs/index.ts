export {
  DTYPE_BYTES,
  readTfjsModel,
  shardPathProblem,
  type TfjsModelFile,
  type WeightGroup,
  type WeightSpec,
} from './manifest.js';
