import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

const atlas = [ATLAS.unsafeArtifacts, ATLAS.supplyChainModel];
const owasp = [OWASP.supplyChain];
const deser = [CWE.deserialization];

const ANOMALY_REMEDIATION =
  'Do not load this file with pickle, torch.load(weights_only=False) or joblib.load. Ask the publisher for a ' +
  'safetensors/ONNX version or re-export it from a trusted source; a hand-crafted or damaged pickle is never ' +
  'needed to ship weights.';

/** Rules of the pickle scanner. Anomaly rules are `high`: the analysis cannot vouch for the stream. */
export const PICKLE_RULES = defineRules({
  'pickle/dangerous-global': {
    title: 'Pickle imports a dangerous callable',
    description:
      'Loading the pickle imports (and usually calls) a global in a danger family: command execution, code ' +
      'evaluation, file or network access, nested loaders, import trampolines. A pickle can call any importable ' +
      'callable with arguments it chooses, so this is code execution on load.',
    severity: 'critical',
    cwe: deser,
    atlas,
    owasp,
    remediation:
      'Do not load the file. Treat the publisher as compromised; report the model to the hub. Use safetensors or ' +
      'torch.load(weights_only=True) for weights you need.',
  },
  'pickle/unknown-global': {
    title: 'Pickle imports a global outside every allowlist',
    description:
      'Loading the pickle imports a global that no framework profile knows. It may be harmless (a custom class of ' +
      'the model author) or a gadget no denylist names; only allowlists fail closed.',
    severity: 'medium',
    cwe: deser,
    atlas,
    owasp,
    remediation:
      'Review the global and the call trace. If the class is expected, add it to a policy allowlist; otherwise ' +
      'do not load the file.',
  },
  'pickle/unknown-opcode': {
    title: 'Pickle contains a byte that is no opcode',
    description:
      'The stream reaches a byte that is not a pickle opcode. CPython stops there, after running everything before ' +
      'it (nullifAI-style broken pickles), and scanners that give up on parse errors miss what came first.',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/memo-miss': {
    title: 'Pickle reads a memo slot that was never written',
    description:
      'A GET reads a memo key no PUT stored. CPython raises KeyError at that point — after executing the calls ' +
      'before it; scanners that track the memo naively crash or guess (T05).',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/stack-underflow': {
    title: 'Pickle pops more than its stack holds',
    description:
      'An opcode needs stack items (or a MARK) that are not there. No pickler writes this; it is a hand-crafted or ' +
      'damaged stream.',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/frame-mismatch': {
    title: 'Pickle opcode crosses a FRAME boundary',
    description:
      "An opcode's argument runs past the end of its FRAME, or a FRAME starts inside another. CPython's C " +
      'unpickler reading a file then skips to the frame end and executes bytes that linear readers (pickletools ' +
      'and the scanners built on it) see as data (T18, python/cpython#154848).',
    severity: 'high',
    cwe: [CWE.deserialization, CWE.interpretationConflict],
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/trailing-data': {
    title: 'Bytes follow the last pickle',
    description:
      'Data after the final STOP is not another pickle. Loaders ignore it, other tools may read it as something ' +
      'else (polyglot files).',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/truncated': {
    title: 'Pickle ends before STOP',
    description:
      'The stream ends (or an argument is cut off) before STOP. CPython executes every call before the cut, then ' +
      'raises — the classic way to hide a payload from scanners that drop partial results (T11).',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/bad-operand': {
    title: 'Pickle opcode has an operand of the wrong type or form',
    description:
      'An operand CPython rejects: STACK_GLOBAL with a non-string module or name (memo type confusion, T06), an ' +
      'integer, float or string argument that does not parse, invalid UTF-8, an unsupported protocol.',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/ext-opcode': {
    title: 'Pickle fetches a callable from the extension registry',
    description:
      'EXT1/EXT2/EXT4 load a callable by number from copyreg’s extension registry, without naming it. What it is ' +
      'depends on the loading process, so it cannot be judged statically (T20).',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/resource-limit': {
    title: 'Pickle exceeds an analysis limit',
    description:
      'The stream needs more opcodes, stack, memo entries, bytes or back-to-back pickles than the scan limits ' +
      'allow; analysis stopped there, so the rest is unverified (and loading it may exhaust memory, T22).',
    severity: 'high',
    cwe: [CWE.resourceConsumption],
    atlas,
    owasp,
    remediation:
      'Raise the named limit only for files from a trusted source; otherwise do not load the file.',
  },
  'pickle/malformed': {
    title: 'Not a well-formed pickle',
    description:
      'The data does not parse as a pickle from its first bytes, or has a structure no pickler writes (a ' +
      'misplaced PROTO, a joblib inline array whose size cannot be determined).',
    severity: 'high',
    cwe: deser,
    atlas,
    owasp,
    remediation: ANOMALY_REMEDIATION,
  },
  'pickle/calls': {
    title: 'Callables invoked when the pickle is loaded',
    description:
      'The readable list of what loading the pickle would call, reconstructed by the symbolic VM: every REDUCE, ' +
      'INST, OBJ, NEWOBJ and BUILD with its arguments.',
    severity: 'info',
    cwe: deser,
    atlas,
    owasp,
    remediation: 'Informational: review the list when another finding concerns this file.',
  },
});

export type PickleRuleId = keyof typeof PICKLE_RULES;
