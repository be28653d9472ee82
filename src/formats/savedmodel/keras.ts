import type { KerasLambda } from './types.js';

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** Keras writes a Lambda's function as [code, defaults, closure], or {"class_name": "__tuple__", "items": [...]} in TF 2 JSON. */
function functionParts(fn: unknown): unknown[] | undefined {
  if (Array.isArray(fn)) return fn;
  if (fn !== null && typeof fn === 'object') {
    const items = (fn as Record<string, unknown>)['items'];
    if (Array.isArray(items)) return items;
    const config = (fn as Record<string, unknown>)['config'];
    if (config !== null && typeof config === 'object') {
      const code = (config as Record<string, unknown>)['code'];
      if (typeof code === 'string') return [code];
    }
  }
  return undefined;
}

function lambdaOf(obj: Record<string, unknown>): KerasLambda {
  const config = (obj['config'] ?? {}) as Record<string, unknown>;
  const functionType = str(config['function_type']) || 'unknown';
  const fn = config['function'];
  const parts = functionParts(fn);
  const code = parts !== undefined ? parts[0] : undefined;
  return {
    layer: str(config['name']) || str(obj['name']),
    functionType,
    bytecode:
      functionType === 'lambda' ||
      (typeof code === 'string' && code.length > 0 && functionType !== 'function'),
    module: str(config['module']),
    functionName: typeof fn === 'string' ? fn : '',
  };
}

/**
 * Finds the Lambda layers (`"class_name": "Lambda"`) anywhere in a Keras metadata JSON text: nested
 * models, layer lists and configs alike (T51/T52). Iterative, with a depth limit. Returns why the text
 * could not be inspected instead of throwing.
 */
export function findKerasLambdas(
  json: string,
  maxDepth: number,
): { lambdas: KerasLambda[]; error: string | undefined } {
  let root: unknown;
  try {
    root = JSON.parse(json);
  } catch (e) {
    return { lambdas: [], error: `metadata is not valid JSON (${(e as Error).message})` };
  }
  const lambdas: KerasLambda[] = [];
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return { lambdas, error: `metadata JSON nested deeper than ${maxDepth}` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], depth + 1]);
      continue;
    }
    const o = v as Record<string, unknown>;
    if (o['class_name'] === 'Lambda') lambdas.push(lambdaOf(o));
    const keys = Object.keys(o);
    for (let i = keys.length - 1; i >= 0; i--) stack.push([o[keys[i] as string], depth + 1]);
  }
  return { lambdas, error: undefined };
}
