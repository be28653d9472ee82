export { HDF5_LIMITS, type Hdf5Limits } from './limits.js';
export type { Hdf5Attribute, Hdf5Failure, Hdf5RootResult } from './reader.js';
export { HDF5_MAGIC, hdf5SignatureOffset, isHdf5 } from './sniff.js';
