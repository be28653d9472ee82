export { scanKerasArchiveConfig, scanKerasConfigText } from './config-scan.js';
export { hdf5Handler } from './hdf5-handler.js';
export { kerasRepoScanner } from './repo-scanner.js';
export {
  type EmbeddedPayload,
  type KerasReportOptions,
  reportKerasFacts,
  type Sink,
} from './report-facts.js';
export { HDF5_RULES, KERAS_RULES } from './rules.js';
