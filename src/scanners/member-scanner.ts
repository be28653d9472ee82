import { ByteReader } from '../core/byte-reader.js';
import { errorMessage, ModelguardError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import type { ScanLimits } from '../core/limits.js';
import type { RuleMeta } from '../core/rule.js';
import type { ByteSource } from '../core/source.js';
import { analyzePickle, confirmsPickle } from '../formats/pickle/index.js';
import { ARCHIVE_RULES } from './archive/rules.js';
import { ENGINE_RULES } from './engine-rules.js';
import type { Policy } from './policy/policy.js';
import { HANDLERS } from './registry.js';
import { describeOther, SNIFF_BYTES, sniff } from './sniff.js';
import type { FindingInput, FormatId, ScanContext } from './types.js';

/** Imported callables kept per artifact (a report field, not an analysis limit: findings list them all). */
const MAX_IMPORTS = 256;

interface Shared {
  path: string;
  limits: ScanLimits;
  policy: Policy;
  /** Findings of the top-level file, appended in order. */
  findings: Finding[];
  /** Formats seen in the top-level file, in order, without repeats. */
  formats: string[];
  /** Callables imported anywhere in the top-level file (pickle globals), without repeats. */
  imports?: Set<string>;
  /** Bytes inflated so far from the top-level file, and whether the limit was reported. */
  inflated: { total: number; reported: boolean };
}

function lastComponent(member: string | undefined, path: string): string {
  const s = member ?? path;
  const parts = s.split(/[\\/!]/).filter((p) => p.length > 0);
  return parts[parts.length - 1] ?? s;
}

/**
 * The ScanContext of one source (a file or an archive member). Nested members get child scanners;
 * all of them write into the same findings list of the top-level file.
 */
export class MemberScanner implements ScanContext {
  readonly path: string;
  readonly limits: ScanLimits;
  readonly policy: Policy;
  readonly name: string;
  constructor(
    private readonly shared: Shared,
    readonly member: string | undefined = undefined,
    readonly depth = 0,
    private readonly sink: Finding[] = shared.findings,
  ) {
    this.path = shared.path;
    this.limits = shared.limits;
    this.policy = shared.policy;
    this.name = lastComponent(member, shared.path);
  }

  report(rule: RuleMeta, f: FindingInput): void {
    const location = {
      path: this.path,
      ...(this.member === undefined ? {} : { member: this.member }),
      ...(f.offset === undefined ? {} : { offset: f.offset }),
      ...(f.line === undefined ? {} : { line: f.line }),
    };
    this.sink.push({
      ruleId: rule.id,
      severity: f.severity ?? rule.severity,
      message: f.message,
      location,
      ...(f.evidence === undefined ? {} : { evidence: f.evidence }),
      cwe: [...rule.cwe],
      atlas: [...rule.atlas],
      owasp: [...rule.owasp],
    });
  }

  noteFormat(format: string): void {
    if (!this.shared.formats.includes(format)) this.shared.formats.push(format);
  }

  noteImports(names: Iterable<string>): void {
    const set = this.shared.imports;
    if (set === undefined) return;
    for (const n of names) {
      if (set.size >= MAX_IMPORTS) return;
      set.add(n);
    }
  }

  chargeInflated(bytes: number): boolean {
    const inf = this.shared.inflated;
    inf.total += bytes;
    if (inf.total <= this.limits.maxTotalInflatedBytes) return true;
    if (!inf.reported) {
      inf.reported = true;
      this.report(ENGINE_RULES['scan/total-inflated-limit'], {
        message: `members decompress to more than maxTotalInflatedBytes (${this.limits.maxTotalInflatedBytes} bytes); the rest was not inspected`,
      });
    }
    return false;
  }

  async scanMember(name: string, source: ByteSource, hint?: FormatId): Promise<void> {
    const member = this.member === undefined ? name : `${this.member}!/${name}`;
    if (this.depth + 1 > this.limits.maxDepth) {
      this.report(ARCHIVE_RULES['archive/too-deep'], {
        message: `member ${member} is nested ${this.depth + 1} levels deep, beyond maxDepth ${this.limits.maxDepth}; not inspected`,
      });
      return;
    }
    const child = new MemberScanner(this.shared, member, this.depth + 1, this.sink);
    await child.scanSource(source, hint);
  }

  /** Entry point for a file on disk. */
  async scanTop(source: ByteSource): Promise<void> {
    await this.scanSource(source, undefined);
  }

  private async scanSource(source: ByteSource, hint: FormatId | undefined): Promise<void> {
    const head = source.read(0, Math.min(SNIFF_BYTES, source.size));
    let format = sniff(head);
    if (format === 'maybe-pickle' || (format === 'unknown' && hint === 'pickle')) {
      if (hint === 'pickle') format = 'pickle';
      else {
        await this.tryPickle(source);
        return;
      }
    }
    if (format === 'unknown') {
      // Archive members of no known format (tensor blobs, text) say nothing about the file itself.
      if (this.depth === 0) this.noteFormat(source.size === 0 ? 'empty' : describeOther(head));
      return;
    }
    await this.runHandler(format, source);
  }

  /**
   * A stream that may be a protocol 0/1 pickle (its first byte is an opcode): scanned as a pickle only
   * if the VM confirms it (it runs to STOP or imports an importable name); otherwise it is some other
   * file (text, source code …) and is named by content.
   */
  private async tryPickle(source: ByteSource): Promise<void> {
    let confirmed: boolean;
    try {
      confirmed = confirmsPickle(analyzePickle(new ByteReader(source), this.limits, { alternates: false }));
    } catch {
      confirmed = true; // let the handler report what went wrong (fail closed)
    }
    if (confirmed) {
      await this.runHandler('pickle', source);
      return;
    }
    if (this.depth === 0) this.noteFormat(describeOther(source.read(0, Math.min(SNIFF_BYTES, source.size))));
  }

  private async runHandler(format: FormatId, source: ByteSource): Promise<void> {
    const handler = HANDLERS[format];
    this.noteFormat(format);
    if (handler === undefined) return;
    try {
      await handler.scan(source, this);
    } catch (e) {
      const code = e instanceof ModelguardError ? ` (${e.code})` : '';
      this.report(ENGINE_RULES['scan/handler-error'], {
        message: `${format} scanner stopped${code}: ${errorMessage(e)}`,
      });
    }
  }
}
