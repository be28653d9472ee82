import type { YAMLMap } from 'yaml';
import type { Policy } from '../policy/policy.js';
import { CONFIG_RULES as R } from './rules.js';
import { judgeTarget } from './targets.js';
import { CONFIG_LIMITS, type ConfigLimits, type Issue } from './types.js';
import { parseYaml, scanYamlConfig } from './yaml-config.js';
import { yamlLib } from './yaml-lib.js';

function get(map: unknown, key: string): unknown {
  if (!yamlLib().isMap(map)) return undefined;
  return (map as YAMLMap).items.find((p) => yamlLib().isScalar(p.key) && p.key.value === key)?.value;
}

function str(v: unknown): string | undefined {
  return yamlLib().isScalar(v) && (typeof v.value === 'string' || typeof v.value === 'number')
    ? String(v.value)
    : undefined;
}

/**
 * MLflow `MLmodel` (YAML): the python_function flavor names what mlflow.pyfunc.load_model runs —
 * `loader_module` (imported, `_load_pyfunc` called), `python_model` (a cloudpickle of a PythonModel
 * subclass, T70) and `code` (a folder put on sys.path). Tags and `_target_`s are checked as in any YAML.
 */
export function scanMlmodel(
  text: string,
  options: { label: string; policy: Policy; limits?: ConfigLimits },
): Issue[] {
  const limits = options.limits ?? CONFIG_LIMITS;
  const { label, policy } = options;
  const issues = scanYamlConfig(text, { label, policy, limits });
  const doc = parseYaml(text, limits).docs[0];
  const flavors = get(doc?.contents, 'flavors');
  if (!yamlLib().isMap(flavors)) return issues;
  const names = flavors.items.map((p) => str(p.key) ?? '?');
  const pyfunc = get(flavors, 'python_function');
  if (!yamlLib().isMap(pyfunc)) {
    issues.push({
      rule: R['configs/mlflow-pyfunc'],
      severity: 'low',
      message: `${label}: MLflow model with flavors ${names.join(', ')} and no python_function flavor; the flavor's own loader (often pickle) reads the model files, which are scanned separately`,
      evidence: `${label}: flavors: ${names.join(', ')}`,
    });
    return issues;
  }
  const loader = str(get(pyfunc, 'loader_module'));
  const pythonModel = str(get(pyfunc, 'python_model'));
  const code = str(get(pyfunc, 'code'));
  const parts: string[] = [];
  if (loader !== undefined) parts.push(`imports loader_module ${loader}`);
  if (pythonModel !== undefined)
    parts.push(`unpickles ${pythonModel} with cloudpickle (a PythonModel with its code)`);
  if (code !== undefined) parts.push(`puts ${code}/ on sys.path (its Python files are analysed separately)`);
  const verdict = loader === undefined ? undefined : judgeTarget(loader, policy);
  const severity =
    verdict?.kind === 'dangerous'
      ? 'critical'
      : loader !== undefined && !loader.startsWith('mlflow.')
        ? 'high'
        : pythonModel !== undefined || code !== undefined
          ? 'medium'
          : 'low';
  issues.push({
    rule: R['configs/mlflow-pyfunc'],
    severity,
    message: `${label}: mlflow.pyfunc.load_model ${parts.length === 0 ? 'loads the python_function flavor' : parts.join('; ')}${verdict?.kind === 'dangerous' ? ` — ${loader} is in the danger catalogue: ${verdict.reason}` : loader !== undefined && !loader.startsWith('mlflow.') ? ` — ${loader} is not an MLflow flavor module: custom code runs on load` : ''}`,
    evidence: `${label}: flavors: ${names.join(', ')}; python_function: ${[
      loader === undefined ? '' : `loader_module: ${loader}`,
      pythonModel === undefined ? '' : `python_model: ${pythonModel}`,
      code === undefined ? '' : `code: ${code}`,
    ]
      .filter((s) => s !== '')
      .join(', ')}`,
  });
  return issues;
}
