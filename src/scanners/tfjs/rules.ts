import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

const atlas = [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel];
const owasp = [OWASP.supplyChain];

/** Rules of the TF.js model scanner (model.json, weights manifests, shards). */
export const TFJS_RULES = defineRules({
  'tfjs/path-traversal': {
    title: 'TF.js weight shard path leaves the model folder',
    description:
      'A `weightsManifest[].paths` entry is absolute, climbs with `..` (also %-encoded: browsers and fetch ' +
      'resolve `%2e%2e`), or is a URL. tf.loadLayersModel and tfjs-node fetch shards relative to model.json, so ' +
      'such paths read local files or reach other hosts, and the converter reads them from disk.',
    severity: 'high',
    cwe: [CWE.pathTraversal, CWE.ssrf],
    atlas,
    owasp,
    remediation: 'Do not load the model; shards ship next to model.json under plain relative names.',
  },
  'tfjs/size-mismatch': {
    title: 'TF.js weight shards do not match the manifest',
    description:
      'A shard named by the manifest is missing, or the shards of a group do not add up to the bytes its weight ' +
      'specs need (dtype × shape, quantisation included). Extra bytes are ignored by the loader (room for a ' +
      'hidden payload), too few fail the load; declared sizes far beyond the shards are high (allocation attacks).',
    severity: 'medium',
    cwe: [CWE.integrity, CWE.improperInputValidation],
    atlas,
    owasp,
    remediation: 'Obtain a clean copy of the model from the publisher and compare its hashes.',
  },
  'tfjs/custom-layer': {
    title: 'TF.js model topology needs custom layers',
    description:
      'The layers-model topology names classes TF.js does not define: loading needs custom JavaScript registered ' +
      'with tf.serialization.registerClass. A Keras Lambda cannot run in TF.js, but its Python bytecode runs if ' +
      'the model is converted back with tensorflowjs_converter (medium; high when the bytecode names process, ' +
      'file or eval functions).',
    severity: 'low',
    cwe: [CWE.deserialization],
    atlas,
    owasp,
    remediation:
      'Review the custom layer code before registering it; never convert such a model back to Keras.',
  },
  'tfjs/malformed': {
    title: 'TF.js model file could not be read',
    description:
      'model.json or a weights manifest is not valid JSON or not the shape TF.js writes; nothing in it was ' +
      'inspected (fail closed).',
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    atlas,
    owasp,
    remediation: 'Obtain a clean copy of the model from the publisher.',
  },
  'tfjs/model': {
    title: 'TF.js model',
    description:
      'A TF.js layers or graph model (or a weights manifest) was found and checked: its format, producer and ' +
      'converter are noted.',
    severity: 'info',
    cwe: [],
    atlas: [ATLAS.supplyChainModel],
    owasp,
    remediation: 'None needed.',
  },
});
