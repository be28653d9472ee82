import { CONFIG_RULES as R } from './rules.js';
import type { Issue } from './types.js';

/** Handlers that ship with TorchServe (ts.torch_handler.*): no code from the archive runs. */
export const BUILTIN_HANDLERS = new Set([
  'image_classifier',
  'image_segmenter',
  'object_detector',
  'text_classifier',
  'text_classification',
  'base_handler',
  'vision_handler',
]);

export interface ManifestInfo {
  handler?: string;
  /** The archive member the handler names (`handler.py`), for custom handlers. */
  handlerFile?: string;
  requirements?: string;
}

function field(o: unknown, key: string): unknown {
  return typeof o === 'object' && o !== null && !Array.isArray(o)
    ? (o as Record<string, unknown>)[key]
    : undefined;
}

/** TorchServe `MAR-INF/MANIFEST.json`: which handler TorchServe imports, and which requirements it installs. */
export function scanTorchserveManifest(text: string, label: string): { issues: Issue[]; info: ManifestInfo } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return {
      issues: [
        {
          rule: R['configs/malformed'],
          message: `${label}: not valid JSON (${e instanceof Error ? e.message : String(e)}); TorchServe refuses the archive or reads it differently`,
          evidence: label,
        },
      ],
      info: {},
    };
  }
  const model = field(json, 'model');
  const handler = field(model, 'handler');
  const requirements = field(model, 'requirementsFile');
  const info: ManifestInfo = {};
  const issues: Issue[] = [];
  if (typeof handler === 'string' && handler !== '') {
    info.handler = handler;
    const module = handler.split(':')[0] ?? handler;
    if (BUILTIN_HANDLERS.has(module)) {
      issues.push({
        rule: R['configs/torchserve-handler'],
        severity: 'info',
        message: `${label}: built-in TorchServe handler ${handler}`,
        evidence: `${label}: "handler": "${handler}"`,
      });
    } else {
      info.handlerFile = module.endsWith('.py') ? module : `${module.replace(/\./g, '/')}.py`;
      issues.push({
        rule: R['configs/torchserve-handler'],
        message: `${label}: custom handler ${handler} — TorchServe imports ${info.handlerFile} from the archive when it registers the model (the file is analysed as Python)`,
        evidence: `${label}: "handler": "${handler}"`,
      });
    }
  } else {
    issues.push({
      rule: R['configs/malformed'],
      message: `${label}: no model.handler; TorchServe cannot serve the archive as declared`,
      evidence: label,
    });
  }
  if (typeof requirements === 'string' && requirements !== '') {
    info.requirements = requirements;
    issues.push({
      rule: R['configs/torchserve-handler'],
      message: `${label}: requirementsFile ${requirements} — pip-installed on registration when install_py_dep_per_model is set (package install scripts run)`,
      evidence: `${label}: "requirementsFile": "${requirements}"`,
    });
  }
  return { issues, info };
}
