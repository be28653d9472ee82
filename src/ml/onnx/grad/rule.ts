import type { Emitter } from '../emit.js';
import type { GraphInfo } from '../infer.js';
import type { OnnxNode } from '../model.js';

/** What a gradient rule sees of one forward node. */
export interface RuleCtx {
  readonly node: OnnxNode;
  readonly e: Emitter;
  readonly gi: GraphInfo;
  /** Name of input `i` ('' when absent). */
  x(i: number): string;
  /** Name of output `i`. */
  y(i: number): string;
  /** Gradient reaching output `i`, if any. */
  dy(i: number): string | undefined;
  /** Gradient reaching output `i`, zeros when none does. */
  dyOrZero(i: number): string;
  /** Whether input `i` needs a gradient (it is a float tensor that depends on the model input). */
  needs(i: number): boolean;
  /** The node that computes tensor `name` (undefined for graph inputs and initializers). */
  producer(name: string): OnnxNode | undefined;
  /** Rejects a configuration of this op the rule does not handle. */
  unsupported(detail: string): never;
}

/** Emits the gradient subgraph of one node: the gradients of its inputs (undefined = none needed). */
export type GradRule = (c: RuleCtx) => readonly (string | undefined)[];
