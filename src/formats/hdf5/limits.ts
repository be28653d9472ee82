/**
 * Named limits of the HDF5 reader. The HDF5 C library (h5wasm) runs in a worker thread on a file
 * whose bytes it pulls on demand; each limit bounds one thing a hostile file can make it do.
 */
export interface Hdf5Limits {
  /** Bytes the library may read from one file (superblock, object headers, heaps). CWE-400. */
  maxReadBytes: number;
  /** Bytes of one attribute value decoded (a `model_config` is rarely over a few MiB). CWE-789. */
  maxAttributeBytes: number;
  /** Root attributes read (Keras writes four or five). CWE-400. */
  maxAttributes: number;
  /** Elements of one string attribute (Keras `layer_names` has one per layer). CWE-770. */
  maxAttributeElements: number;
  /** Wall-clock time for one file; the worker is killed past it (a library loop cannot hang the scan). CWE-835. */
  timeoutMs: number;
  /** Largest user-block size probed for the signature (HDF5 looks at 0, 512, 1024, 2048, …). CWE-400. */
  maxUserBlock: number;
}

export const HDF5_LIMITS: Hdf5Limits = {
  maxReadBytes: 256 << 20,
  maxAttributeBytes: 64 << 20,
  maxAttributes: 1024,
  maxAttributeElements: 1_000_000,
  timeoutMs: 10_000,
  maxUserBlock: 1 << 30,
};
