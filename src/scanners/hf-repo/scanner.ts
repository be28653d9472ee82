import { errorMessage } from '../../core/errors.js';
import { fmtInt } from '../../core/format-number.js';
import { FileSource } from '../../core/source.js';
import { analyzeChatTemplate } from '../chat-template/analyze.js';
import { CHAT_TEMPLATE_RULE_OF } from '../chat-template/rules.js';
import { analyzeCarrier, type CarrierKind, carrierKind, carrierReadBytes } from '../configs/carriers.js';
import { CONFIG_LIMITS } from '../configs/types.js';
import { flowDepth } from '../configs/yaml-config.js';
import { REMOTE_CODE_RULES } from '../remote-code/rules.js';
import type { RepoContext, RepoFile, RepoScanner } from '../types.js';
import { type CodeRef, chatTemplatesOf, codeRefsOf, isHfConfigName } from './code-refs.js';
import { EXECUTABLE_HEAD_BYTES, executableKind } from './executables.js';
import { PICKLE_FORMATS, picklesAlongsideSafetensors } from './pickles.js';
import { HF_REPO_RULES as R } from './rules.js';

function posix(rel: string): string {
  return rel.replace(/\\/g, '/');
}

function dirOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i + 1);
}

function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/** Reads at most `max` bytes from the start of a file. */
function readHead(path: string, max: number): { bytes: Uint8Array; size: number } | { error: string } {
  let src: FileSource | undefined;
  try {
    src = new FileSource(path);
    const bytes = Uint8Array.from(src.read(0, Math.min(max, src.size)));
    return { bytes, size: src.size };
  } catch (e) {
    return { error: errorMessage(e) };
  } finally {
    src?.close();
  }
}

/** Formats of files that are data the engine already understood (their head need not be read again). */
const KNOWN_DATA = new Set([
  ...PICKLE_FORMATS,
  'safetensors',
  'gguf',
  'onnx',
  'hdf5',
  'numpy',
  'npz',
  'zip',
  'tar',
  'png',
  'jpeg',
  'gif',
  'pdf',
  'json',
]);

interface Referenced {
  /** `config.json auto_map.AutoModel → modeling_x.XModel` */
  via: string[];
}

/**
 * Hugging Face snapshots and model folders, as `huggingface-cli download` leaves them: which Python files
 * `from_pretrained(..., trust_remote_code=True)` imports (auto_map, custom_pipelines, modules.json) and
 * what they do, code fetched from other repositories, config carriers (Hydra/NeMo YAML, MLmodel,
 * TorchServe manifests), executables and scripts, and pickles shipped next to safetensors (T67–T70).
 */
export class HfRepoScanner implements RepoScanner {
  readonly id = 'hf-repo';

  async scan(files: readonly RepoFile[], ctx: RepoContext): Promise<void> {
    const byRel = new Map<string, RepoFile>();
    for (const f of files) byRel.set(posix(f.rel), f);
    const referenced = new Map<string, Referenced>();
    for (const f of files) {
      const rel = posix(f.rel);
      const base = baseOf(rel);
      if (isHfConfigName(base) || base === 'modules.json' || base === 'chat_template.json')
        await this.scanConfig(f, rel, byRel, referenced, ctx);
      else if (base.endsWith('.jinja')) await this.scanJinjaFile(f, rel, ctx);
    }
    const pythonScripts = this.scanExecutables(files, ctx);
    for (const f of files) {
      const rel = posix(f.rel);
      const kind: CarrierKind | undefined = carrierKind(rel) ?? (pythonScripts.has(f) ? 'python' : undefined);
      if (kind !== undefined) await this.scanCarrier(f, rel, kind, referenced.get(rel), ctx);
    }
    for (const n of picklesAlongsideSafetensors(files)) {
      ctx.report(R['hf-repo/pickle-alongside-safetensors'], n.file.path, {
        message: n.message,
        severity: n.severity,
        evidence: `${posix(n.file.rel)}: ${n.file.format.join(', ')}`,
      });
    }
  }

  private async scanConfig(
    f: RepoFile,
    rel: string,
    byRel: ReadonlyMap<string, RepoFile>,
    referenced: Map<string, Referenced>,
    ctx: RepoContext,
  ): Promise<void> {
    const max = CONFIG_LIMITS.maxConfigBytes;
    if (f.size > max) {
      ctx.report(R['hf-repo/malformed-config'], f.path, {
        message: `${rel} is ${fmtInt(f.size)} bytes, over the ${fmtInt(max)}-byte config limit (maxConfigBytes): its auto_map was not checked`,
      });
      return;
    }
    const head = readHead(f.path, max);
    if ('error' in head) {
      ctx.report(R['hf-repo/malformed-config'], f.path, { message: `${rel} cannot be read: ${head.error}` });
      return;
    }
    const text = new TextDecoder('utf-8', { fatal: false }).decode(head.bytes);
    if (flowDepth(text, CONFIG_LIMITS.maxNesting) > CONFIG_LIMITS.maxNesting) {
      ctx.report(R['hf-repo/malformed-config'], f.path, {
        message: `${rel} nests more than ${fmtInt(CONFIG_LIMITS.maxNesting)} levels deep (maxNesting): not parsed`,
      });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      ctx.report(R['hf-repo/malformed-config'], f.path, {
        message: `${rel} is not valid JSON (${errorMessage(e)}): transformers refuses it or another loader reads it differently`,
      });
      return;
    }
    const base = baseOf(rel);
    for (const ref of codeRefsOf(json, base)) this.onCodeRef(f, rel, ref, byRel, referenced, ctx);
    for (const t of chatTemplatesOf(json)) await this.reportTemplate(f, `${rel} ${t.key}`, t.template, ctx);
  }

  /** `chat_template.jinja` / `additional_chat_templates/*.jinja` (transformers ≥ 4.43 saves templates as files). */
  private async scanJinjaFile(f: RepoFile, rel: string, ctx: RepoContext): Promise<void> {
    const head = readHead(f.path, CONFIG_LIMITS.maxConfigBytes);
    if ('error' in head) return;
    await this.reportTemplate(f, rel, new TextDecoder('utf-8', { fatal: false }).decode(head.bytes), ctx);
  }

  /** Jinja chat templates render inside the loader (T62/T63): the chat-template analyzer's findings. */
  private async reportTemplate(
    f: RepoFile,
    where: string,
    template: string,
    ctx: RepoContext,
  ): Promise<void> {
    for (const t of await analyzeChatTemplate(template)) {
      ctx.report(CHAT_TEMPLATE_RULE_OF[t.kind], f.path, {
        message: `${where}: ${t.message}`,
        severity: t.severity,
        ...(t.evidence === '' ? {} : { evidence: t.evidence }),
      });
    }
  }

  private onCodeRef(
    f: RepoFile,
    rel: string,
    ref: CodeRef,
    byRel: ReadonlyMap<string, RepoFile>,
    referenced: Map<string, Referenced>,
    ctx: RepoContext,
  ): void {
    const where = `${rel} ${ref.key}`;
    if (ref.repo !== undefined) {
      ctx.report(R['hf-repo/cross-repo-code'], f.path, {
        message: `${where} = "${ref.ref}": from_pretrained(..., trust_remote_code=True) downloads ${ref.module.replace(/\./g, '/')}.py from the Hub repository ${ref.repo} and imports ${ref.className} from it — code outside this snapshot, never scanned`,
        evidence: `${where}: ${ref.ref}`,
      });
      return;
    }
    const file = `${ref.module.replace(/\./g, '/')}.py`;
    const candidates = [`${dirOf(rel)}${file}`, file];
    const found = candidates.find((c) => byRel.has(c));
    if (found === undefined) {
      ctx.report(R['hf-repo/missing-code'], f.path, {
        message: `${where} = "${ref.ref}" names ${file}, which is not in this folder: loading from the Hub fetches it at load time, unscanned`,
        evidence: `${where}: ${ref.ref}`,
      });
      return;
    }
    const entry = referenced.get(found) ?? { via: [] };
    entry.via.push(`${where} → ${ref.className}`);
    referenced.set(found, entry);
  }

  /** Reports executables and scripts; returns the Python scripts (by shebang) to analyse as Python. */
  private scanExecutables(files: readonly RepoFile[], ctx: RepoContext): Set<RepoFile> {
    const python = new Set<RepoFile>();
    for (const f of files) {
      const rel = posix(f.rel);
      if (
        f.format.some((x) => KNOWN_DATA.has(x)) &&
        !f.format.some((x) => x === 'elf' || x === 'pe' || x === 'mach-o')
      )
        continue;
      const head = readHead(f.path, EXECUTABLE_HEAD_BYTES);
      if ('error' in head) continue; // the engine already reported unreadable files
      const kind = executableKind(rel, f.format, head.bytes);
      if (kind === undefined) continue;
      if (kind.python === true) {
        if (rel.endsWith('.py')) continue;
        python.add(f);
      }
      ctx.report(R['hf-repo/executable'], f.path, {
        message: `${rel} is a ${kind.what}: a model repository has no use for it${kind.python === true ? ' (analysed as Python)' : ''}`,
        evidence: `${rel}: ${f.format.length > 0 ? f.format.join(', ') : 'unknown format'}, ${fmtInt(f.size)} bytes`,
      });
    }
    return python;
  }

  private async scanCarrier(
    f: RepoFile,
    rel: string,
    kind: CarrierKind,
    ref: Referenced | undefined,
    ctx: RepoContext,
  ): Promise<void> {
    const head = readHead(f.path, carrierReadBytes(kind, f.size));
    if ('error' in head) return;
    const result = await analyzeCarrier(kind, rel, head.bytes, head.size, {
      policy: ctx.policy,
      maxEvidenceChars: ctx.limits.maxEvidenceChars,
      offsets: true,
    });
    if (kind === 'python') {
      const imports = result.imports ?? [];
      const shown =
        imports.length === 0
          ? ''
          : `imports ${imports.slice(0, 12).join(', ')}${imports.length > 12 ? ', …' : ''}`;
      ctx.report(REMOTE_CODE_RULES['remote-code/trust-remote-code'], f.path, {
        message:
          ref === undefined
            ? `${rel}: Python code in the model folder — it runs if anything imports it (a trust_remote_code module importing its siblings, a custom handler or pipeline, a user script)`
            : `${rel} is imported by from_pretrained(..., trust_remote_code=True) (${ref.via.slice(0, 4).join('; ')}${ref.via.length > 4 ? '; …' : ''}): its code runs with the loading user's rights`,
        evidence: `${rel}: ${shown === '' ? 'no absolute imports' : shown}; ${result.issues.length === 0 ? 'no dangerous calls found' : `${result.issues.length} finding(s) below`}`,
      });
    }
    for (const i of result.issues) {
      ctx.report(i.rule, f.path, {
        message: i.message.startsWith('line ') ? `${rel} ${i.message}` : i.message,
        ...(i.evidence === undefined ? {} : { evidence: i.evidence }),
        ...(i.severity === undefined ? {} : { severity: i.severity }),
        ...(i.offset === undefined ? {} : { offset: i.offset }),
        ...(i.line === undefined ? {} : { line: i.line }),
      });
    }
  }
}

export const hfRepoScanner: RepoScanner = new HfRepoScanner();
