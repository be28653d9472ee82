import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

const atlas = [ATLAS.supplyChainModel, ATLAS.supplyChainSoftware, ATLAS.unsafeArtifacts];
const owasp = [OWASP.supplyChain, OWASP.llmSupplyChain];

const DO_NOT_TRUST =
  'Do not load the model with trust_remote_code=True (or import the file) until the code is reviewed; pin a ' +
  'reviewed revision (from_pretrained(..., revision=<commit>)) or use a build of the architecture that ships ' +
  'with the library.';

/**
 * Rules of the Python source analysis (Hugging Face `trust_remote_code` modules, TorchServe handlers,
 * MLflow `code/`, any `.py` shipped with a model). Findings name the file and line in the evidence
 * (`modeling_x.py:12: os.system(...)`).
 */
export const REMOTE_CODE_RULES = defineRules({
  'remote-code/trust-remote-code': {
    title: 'Model ships Python code that loading may run',
    description:
      'The repository contains Python source: modules named by config.json/tokenizer_config.json `auto_map` or ' +
      '`custom_pipelines` are imported by `from_pretrained(..., trust_remote_code=True)` (T68), and any other ' +
      '`.py` runs if a handler, pipeline or user imports it. Its calls were analysed statically; a clean analysis ' +
      'is not a review.',
    severity: 'medium',
    cwe: [CWE.codeInjection, CWE.untrustedFunctionality],
    atlas,
    owasp,
    remediation: DO_NOT_TRUST,
  },
  'remote-code/code-execution': {
    title: 'Python code evaluates code at load time',
    description:
      'The code calls exec/eval/compile, runpy or the code module, or builds functions from code objects ' +
      '(types.FunctionType/CodeType): whatever string or bytes reach it runs with the loading user’s rights.',
    severity: 'high',
    cwe: [CWE.codeInjection],
    atlas,
    owasp,
    remediation: DO_NOT_TRUST,
  },
  'remote-code/obfuscated-exec': {
    title: 'Python code executes a decoded or downloaded payload',
    description:
      'exec/eval/compile (or a function built from a code object) receives data that was base64/hex/zlib/marshal ' +
      'decoded or fetched from the network: the executed code is hidden from review — the pattern of every ' +
      'published trust_remote_code backdoor.',
    severity: 'critical',
    cwe: [CWE.embeddedMaliciousCode, CWE.codeInjection],
    atlas,
    owasp,
    remediation: `${DO_NOT_TRUST} Report the repository to the hub.`,
  },
  'remote-code/process': {
    title: 'Python code runs operating-system commands',
    description:
      'The code calls os.system/popen/exec*/spawn*, subprocess, pty or a similar process API (also through ' +
      'aliases such as `from os import system as sy` or `getattr(os, "sys" + "tem")`).',
    severity: 'critical',
    cwe: [CWE.osCommand, CWE.codeInjection],
    atlas: [...atlas, ATLAS.commandInterpreter],
    owasp,
    remediation: `${DO_NOT_TRUST} Model code has no need to run shell commands.`,
  },
  'remote-code/network': {
    title: 'Python code opens network connections',
    description:
      'The code uses sockets or an HTTP client (socket, requests, urllib, http.client, aiohttp, httpx …) or a hub ' +
      'API: loading the model can exfiltrate data, fetch payloads or open a reverse shell.',
    severity: 'high',
    cwe: [CWE.untrustedFunctionality, CWE.ssrf],
    atlas,
    owasp,
    remediation: `${DO_NOT_TRUST} Block network access where untrusted models are loaded.`,
  },
  'remote-code/native-code': {
    title: 'Python code loads native code',
    description:
      'The code uses ctypes/cffi or builds C++ extensions: it can call any C function (system, mprotect …) outside ' +
      'Python’s view.',
    severity: 'high',
    cwe: [CWE.codeInjection, CWE.untrustedFunctionality],
    atlas,
    owasp,
    remediation: DO_NOT_TRUST,
  },
  'remote-code/unsafe-deserialization': {
    title: 'Python code unpickles data',
    description:
      'The code calls pickle/dill/cloudpickle/joblib/marshal loaders, torch.load without weights_only=True, or ' +
      'numpy.load(allow_pickle=True): the loaded file (possibly one the safetensors scan never sees) runs code.',
    severity: 'high',
    cwe: [CWE.deserialization],
    atlas,
    owasp,
    remediation:
      'Load weights with safetensors or torch.load(weights_only=True); scan every file the code loads, or do not ' +
      'run the code.',
  },
  'remote-code/code-download': {
    title: 'Python code fetches or installs more code',
    description:
      'The code downloads Python files (hf_hub_download of a .py, urlretrieve, torch.hub.load), loads another ' +
      'repository with trust_remote_code=True or get_class_from_dynamic_module, or installs packages (pip): code ' +
      'that this scan never saw runs at load time.',
    severity: 'high',
    cwe: [CWE.downloadWithoutIntegrity, CWE.untrustedFunctionality],
    atlas,
    owasp,
    remediation: `${DO_NOT_TRUST} Vendor and review every dependency; pin hashes.`,
  },
  'remote-code/dynamic-import': {
    title: 'Python code imports modules chosen at run time',
    description:
      'The code calls __import__, importlib.import_module, getattr on a module with a computed name, or loads a ' +
      'module from a file path (spec_from_file_location): the module or function actually used cannot be read ' +
      'from the source.',
    severity: 'medium',
    cwe: [CWE.unsafeReflection],
    atlas,
    owasp,
    remediation: 'Review where the module name comes from; treat the code as untrusted until then.',
  },
  'remote-code/dangerous-call': {
    title: 'Python code calls a sensitive API',
    description:
      'The code calls an API of the danger catalogue that is no direct command or code execution (worker ' +
      'processes, low-level os calls, debuggers, scanner hooks): unusual in model code.',
    severity: 'medium',
    cwe: [CWE.untrustedFunctionality],
    atlas,
    owasp,
    remediation: 'Review the call; treat the code as untrusted until then.',
  },
  'remote-code/unanalysable': {
    title: 'Python file could not be fully analysed',
    description:
      'The file is not valid Python source as the parser reads it (NUL bytes, invalid UTF-8, an unusual source ' +
      'encoding such as utf-7 that hides code in comments, syntax errors), exceeds the analysis limits, or took ' +
      'too long to parse. A token scan ran instead; dangerous tokens raise the severity.',
    severity: 'medium',
    cwe: [CWE.protectionFailure],
    atlas,
    owasp,
    remediation: 'Review the file by hand before anything imports it.',
  },
});
