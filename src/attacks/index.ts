/** Public API of the attacks layer. */
export { APGD_DEFAULT_STEPS, apgdCe, apgdSchedule, apgdT } from './apgd.js';
export {
  type AutoAttackOptions,
  type AutoAttackResult,
  autoAttackSequence,
  runAutoAttack,
} from './autoattack.js';
export {
  CHECK_DEFAULTS,
  type CheckCode,
  type CheckOptions,
  type CheckWarning,
  checkAttackSummaries,
  checkModel,
} from './checks.js';
export { AttackError, type AttackErrorCode } from './errors.js';
export {
  type AttackChoice,
  type EpsEvaluation,
  type EvaluateOptions,
  type Evaluation,
  evaluate,
} from './evaluate.js';
export { FAB_DEFAULT_STEPS, fabT } from './fab.js';
export { projectOnHyperplane } from './fab-projection.js';
export { fgsm } from './fgsm.js';
export { hsj } from './hsj.js';
export { bim, PGD_DEFAULT_STEPS, pgd } from './pgd.js';
export { ATTACKS, attackByName, type ImplementedAttack, isImplemented } from './registry.js';
export { Rng } from './rng.js';
export { DEFAULT_BATCH_SIZE } from './run.js';
export { SQUARE_DEFAULT_QUERIES, square, squareP } from './square.js';
export type { AttackSummary } from './summary.js';
export type { Attack, AttackName, AttackOptions, AttackResult, Norm } from './types.js';
