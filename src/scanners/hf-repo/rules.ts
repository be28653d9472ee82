import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

const atlas = [ATLAS.supplyChainModel, ATLAS.unsafeArtifacts];
const owasp = [OWASP.supplyChain, OWASP.llmSupplyChain];

/** Rules of the repository scanner for Hugging Face snapshots and other model folders. */
export const HF_REPO_RULES = defineRules({
  'hf-repo/cross-repo-code': {
    title: 'Config loads code from another repository',
    description:
      'An `auto_map` / `custom_pipelines` reference of the form `other/repo--module.Class` makes ' +
      'from_pretrained(..., trust_remote_code=True) download and import module.py from another Hub repository ' +
      '(T68): code that is not in this snapshot, can change at any time and was not scanned.',
    severity: 'high',
    cwe: [CWE.downloadWithoutIntegrity, CWE.untrustedFunctionality],
    atlas: [...atlas, ATLAS.supplyChainSoftware],
    owasp,
    remediation:
      'Do not load with trust_remote_code=True; vendor the referenced code into a reviewed repository pinned by ' +
      'commit, or use a built-in architecture.',
  },
  'hf-repo/missing-code': {
    title: 'Config names code that is not in the snapshot',
    description:
      'An `auto_map` / `custom_pipelines` reference names a module file this folder does not contain: loading from ' +
      'the Hub fetches it from the repository at load time, so it was not scanned (or the snapshot is incomplete).',
    severity: 'medium',
    cwe: [CWE.downloadWithoutIntegrity],
    atlas,
    owasp,
    remediation: 'Download the full repository (including .py files) and scan it again before loading.',
  },
  'hf-repo/malformed-config': {
    title: 'Hugging Face config cannot be read',
    description:
      'config.json / tokenizer_config.json (or another *config.json) is not valid JSON or exceeds the size limit: ' +
      'what it asks loaders to import cannot be checked.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation],
    atlas,
    owasp,
    remediation: 'Do not load the model until the config is valid and reviewed.',
  },
  'hf-repo/executable': {
    title: 'Model repository ships an executable or script',
    description:
      'The folder contains a native executable or library (ELF, PE, Mach-O), compiled Python bytecode, or a shell ' +
      'script: nothing a model needs to load, and a common dropper in poisoned repositories.',
    severity: 'high',
    cwe: [CWE.embeddedMaliciousCode],
    atlas: [...atlas, ATLAS.embedMalware],
    owasp,
    remediation: 'Do not run or load it; remove it from the model repository or obtain the model elsewhere.',
  },
  'hf-repo/pickle-alongside-safetensors': {
    title: 'Pickle files shipped next to safetensors weights',
    description:
      'The repository offers safetensors weights and also pickle-based files (pytorch_model.bin, optimizer.pt, ' +
      'training_args.bin …). The pickles are the risk: any tool or older code that torch.loads them runs their ' +
      'payload, and a hijacked conversion can hide one there (T67). Trainer state is not needed for inference.',
    severity: 'low',
    cwe: [CWE.deserialization],
    atlas,
    owasp,
    remediation:
      'Load only the safetensors files (from_pretrained(..., use_safetensors=True)); exclude *.bin/*.pt/*.pkl when ' +
      'downloading (allow_patterns); delete the pickles from the repository.',
  },
});
