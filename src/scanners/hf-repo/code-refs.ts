/**
 * References from Hugging Face configs to Python classes that loading imports (T68):
 * `auto_map` (config.json, tokenizer_config.json, processor/preprocessor configs), `custom_pipelines`
 * (config.json) and sentence-transformers `modules.json` module types.
 */
export interface CodeRef {
  /** Where the reference is: `auto_map.AutoModel`, `custom_pipelines.my-task.impl`, `modules[2].type`. */
  key: string;
  /** The reference as written. */
  ref: string;
  /** `other/repo` for cross-repository references (`other/repo--module.Class`). */
  repo?: string;
  /** Module path (`modeling_x`, `models.modeling_x`). */
  module: string;
  className: string;
}

const MAX_REFS = 256;

/** Splits `[repo--]module.Class`; undefined when it names no module. */
export function parseClassRef(ref: string): Omit<CodeRef, 'key'> | undefined {
  let rest = ref.trim();
  let repo: string | undefined;
  const dash = rest.indexOf('--');
  if (dash >= 0) {
    repo = rest.slice(0, dash);
    rest = rest.slice(dash + 2);
  }
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) return undefined;
  return {
    ref,
    module: rest.slice(0, dot),
    className: rest.slice(dot + 1),
    ...(repo === undefined ? {} : { repo }),
  };
}

function record(o: unknown): Record<string, unknown> | undefined {
  return typeof o === 'object' && o !== null && !Array.isArray(o)
    ? (o as Record<string, unknown>)
    : undefined;
}

/** Config files whose `auto_map` transformers reads (config.json, tokenizer_config.json, preprocessor_config.json …). */
export function isHfConfigName(base: string): boolean {
  return base === 'config.json' || /^[\w.-]*_config\.json$/.test(base);
}

export function codeRefsOf(json: unknown, base: string): CodeRef[] {
  const out: CodeRef[] = [];
  const push = (key: string, value: unknown): void => {
    if (typeof value !== 'string' || out.length >= MAX_REFS) return;
    const r = parseClassRef(value);
    if (r !== undefined) out.push({ key, ...r });
  };
  if (base === 'modules.json') {
    if (!Array.isArray(json)) return out;
    json.slice(0, MAX_REFS).forEach((m, i) => {
      const type = record(m)?.type;
      if (typeof type === 'string' && !type.startsWith('sentence_transformers.'))
        push(`modules[${i}].type`, type);
    });
    return out;
  }
  const top = record(json);
  if (top === undefined) return out;
  const autoMap = record(top.auto_map);
  if (autoMap !== undefined) {
    for (const [k, v] of Object.entries(autoMap)) {
      if (Array.isArray(v)) {
        v.forEach((x, i) => {
          push(`auto_map.${k}[${i}]`, x);
        });
      } else push(`auto_map.${k}`, v);
    }
  }
  const pipelines = record(top.custom_pipelines);
  if (pipelines !== undefined) {
    for (const [task, spec] of Object.entries(pipelines))
      push(`custom_pipelines.${task}.impl`, record(spec)?.impl);
  }
  return out;
}

const MAX_TEMPLATES = 64;

/** `chat_template` of tokenizer_config.json / processor configs / chat_template.json: a string or `[{name, template}]`. */
export function chatTemplatesOf(json: unknown): { key: string; template: string }[] {
  const value = record(json)?.chat_template;
  if (typeof value === 'string') return [{ key: 'chat_template', template: value }];
  if (!Array.isArray(value)) return [];
  const out: { key: string; template: string }[] = [];
  for (const item of value.slice(0, MAX_TEMPLATES)) {
    const r = record(item);
    if (typeof r?.template === 'string')
      out.push({
        key: `chat_template[${typeof r.name === 'string' ? r.name : out.length}]`,
        template: r.template,
      });
  }
  return out;
}
