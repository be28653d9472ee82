import type { ScanLimits } from '../../core/limits.js';
import { type RenderOptions, renderCall } from './render.js';
import type {
  AnomalyKind,
  Callee,
  CallOpcode,
  GlobalOpcode,
  PersistentIdRecord,
  PickleAnomaly,
  PickleCall,
  PickleGlobal,
} from './types.js';
import type { PickleValue } from './values.js';

/**
 * A call whose readable trace is rendered on first read (most calls are never shown). It is also
 * the symbolic value of the call's result (`{ t: 'call', call }`), saving an object per call.
 */
export class CallRecord implements PickleCall {
  readonly t = 'call' as const;
  private rendered: string | undefined;
  private callee_: Callee | undefined;
  constructor(
    readonly index: number,
    readonly opcode: CallOpcode,
    readonly offset: number,
    readonly target: PickleValue,
    readonly argument: PickleValue,
    private readonly render: RenderOptions,
  ) {}
  get call(): PickleCall {
    return this;
  }
  get callee(): Callee {
    if (this.callee_ === undefined) this.callee_ = calleeOf(this.target);
    return this.callee_;
  }
  get trace(): string {
    if (this.rendered === undefined) this.rendered = renderCall(this, this.render);
    return this.rendered;
  }
  toJSON(): object {
    return {
      index: this.index,
      opcode: this.opcode,
      offset: this.offset,
      callee: this.callee,
      trace: this.trace,
    };
  }
}

export function calleeOf(v: PickleValue): Callee {
  switch (v.t) {
    case 'global':
      return { kind: 'global', global: v.global };
    case 'call':
      return {
        kind: 'call-result',
        callOffset: v.call.offset,
        description: `result of call at ${v.call.offset}`,
      };
    case 'ext':
      return { kind: 'ext', code: v.code, description: `copyreg extension ${v.code} (EXT at ${v.offset})` };
    case 'persid':
      return { kind: 'other', description: `persistent object (at ${v.offset})` };
    case 'unknown':
      return { kind: 'other', description: `unknown value (${v.why})` };
    case 'opaque':
      return { kind: 'other', description: v.text };
    default:
      return { kind: 'other', description: `${v.t} value` };
  }
}

/** Calls kept per stream; after that only the first call of each distinct global callee. */
export const CALLS_KEEP = 250_000;
/** Occurrences of globals kept per stream; after that only globals not seen before. */
export const GLOBALS_KEEP = 50_000;
/** Persistent ids kept per stream (torch: one per storage). */
export const PERSISTENT_IDS_KEEP = 100_000;
/** Anomalies kept per stream; the first ones say enough. */
export const ANOMALIES_KEEP = 1_000;

/**
 * Collects what one stream records, with memory bounded by the *_KEEP caps. An alternative
 * interpretation records nothing until it diverges from the primary reading (`on` false), so its
 * events are only the ones the primary did not see.
 */
export class StreamRecorder {
  readonly globals: PickleGlobal[] = [];
  readonly calls: CallRecord[] = [];
  readonly anomalies: PickleAnomaly[] = [];
  readonly persistentIds: PersistentIdRecord[] = [];
  private readonly seenAnomaly = new Set<string>();
  private readonly seenGlobal = new Set<string>();
  private readonly seenCallee = new Set<PickleGlobal>();
  on: boolean;

  constructor(
    readonly render: RenderOptions,
    on = true,
  ) {
    this.on = on;
  }

  global(
    module: string,
    name: string,
    opcode: GlobalOpcode,
    offset: number,
    written?: PickleGlobal['written'],
  ): PickleGlobal {
    const g: PickleGlobal = {
      index: this.globals.length,
      module,
      name,
      opcode,
      offset,
      ...(written ? { written } : {}),
    };
    if (!this.on) return g;
    const key = `${module}\n${name}`;
    if (this.globals.length < GLOBALS_KEEP || !this.seenGlobal.has(key)) this.globals.push(g);
    this.seenGlobal.add(key);
    return g;
  }

  call(opcode: CallOpcode, offset: number, target: PickleValue, argument: PickleValue): CallRecord {
    const c = new CallRecord(this.calls.length, opcode, offset, target, argument, this.render);
    if (!this.on) return c;
    if (this.calls.length < CALLS_KEEP) this.calls.push(c);
    else if (target.t === 'global' && !this.seenCallee.has(target.global)) {
      this.seenCallee.add(target.global);
      this.calls.push(c);
    }
    return c;
  }

  /** Records `persistent_load(id)` and returns its value (the record is the value: one object). */
  persistentId(opcode: PersistentIdRecord['opcode'], offset: number, id: PickleValue): PickleValue {
    const v = { t: 'persid', id, offset, opcode } as const;
    if (this.on && this.persistentIds.length < PERSISTENT_IDS_KEEP) this.persistentIds.push(v);
    return v;
  }

  /** Records an anomaly; the same kind at the same offset is recorded once. */
  anomaly(kind: AnomalyKind, offset: number, message: string, limit?: keyof ScanLimits): void {
    if (!this.on) return;
    if (this.anomalies.length >= ANOMALIES_KEEP && kind !== 'limit' && kind !== 'truncated') return;
    const key = `${kind}@${offset}`;
    if (this.seenAnomaly.has(key)) return;
    this.seenAnomaly.add(key);
    this.anomalies.push({ kind, offset, message, ...(limit ? { limit } : {}) });
  }
}
