import { defineRules } from '../../core/rule.js';
import { ATLAS, CWE, OWASP } from '../../core/taxonomy.js';

const atlas = [ATLAS.supplyChainModel, ATLAS.unsafeArtifacts];
const owasp = [OWASP.supplyChain, OWASP.llmSupplyChain];

/** Rules of the config carriers: Hydra/NeMo YAML, YAML python tags, MLflow MLmodel, TorchServe MANIFEST.json. */
export const CONFIG_RULES = defineRules({
  'configs/hydra-target': {
    title: 'Config instantiates a callable by name (_target_)',
    description:
      'Hydra/NeMo configs name the class or function that loading instantiates with `_target_` (NeMo restores ' +
      '`model_config.yaml` from a .nemo archive with hydra.utils.instantiate; CVE-2025-23304, T69). A target in ' +
      'the danger catalogue (os.system, subprocess.run, builtins.eval …) runs on load: critical. A target outside ' +
      'the known frameworks is reported at medium (allowlist-first).',
    severity: 'critical',
    cwe: [CWE.codeInjection, CWE.unsafeReflection],
    atlas,
    owasp,
    remediation:
      'Do not restore the model; update NeMo to 2.3.2 or later (targets are checked there). Review every ' +
      '_target_ outside nemo/torch/lightning before loading.',
  },
  'configs/yaml-python-tag': {
    title: 'YAML carries a !!python tag',
    description:
      'PyYAML’s unsafe and full loaders construct `!!python/object/apply:`, `!!python/object/new:`, ' +
      '`!!python/name:` and `!!python/module:` tags: calling or importing any callable named in the file. A model ' +
      'config never needs them.',
    severity: 'high',
    cwe: [CWE.deserialization, CWE.codeInjection],
    atlas,
    owasp,
    remediation: 'Load YAML only with yaml.safe_load; do not use this config.',
  },
  'configs/malformed': {
    title: 'Config file cannot be read',
    description:
      'A YAML/JSON config is invalid, too large, nested too deeply or uses too many aliases (billion laughs): ' +
      'loaders disagree on such files or exhaust memory, and what it would instantiate cannot be checked.',
    severity: 'medium',
    cwe: [CWE.improperInputValidation, CWE.resourceConsumption],
    atlas,
    owasp,
    remediation: 'Do not load the model until the config is valid and reviewed.',
  },
  'configs/mlflow-pyfunc': {
    title: 'MLflow model runs Python when loaded',
    description:
      'The MLmodel file’s python_function flavor makes mlflow.pyfunc.load_model import `loader_module` and, for ' +
      'custom models, unpickle `python_model.pkl` with cloudpickle and import the `code/` folder (T70). The ' +
      'pickle and the Python files are analysed separately; this finding names the load path.',
    severity: 'medium',
    cwe: [CWE.deserialization, CWE.codeInjection],
    atlas,
    owasp,
    remediation:
      'Load MLflow models only from trusted registries; review code/ and the pickled model before loading.',
  },
  'configs/torchserve-handler': {
    title: 'TorchServe archive ships a custom handler',
    description:
      'A .mar archive’s MAR-INF/MANIFEST.json names a handler that TorchServe imports when it registers the ' +
      'model; a custom handler is arbitrary Python (analysed as Python), and `requirementsFile` is pip-installed ' +
      'when install_py_dep_per_model is set (T70).',
    severity: 'medium',
    cwe: [CWE.codeInjection, CWE.untrustedFunctionality],
    atlas,
    owasp,
    remediation:
      'Register only reviewed .mar files; keep install_py_dep_per_model off; prefer built-in handlers.',
  },
});
