/**
 * Every attack by name. FAB-T is not implemented yet: it is absent here, so `runAutoAttack` reports
 * exactly what it ran (`ran`) and never claims FAB-T.
 */
import { apgdCe, apgdT } from './apgd.js';
import { AttackError } from './errors.js';
import { fgsm } from './fgsm.js';
import { hsj } from './hsj.js';
import { bim, pgd } from './pgd.js';
import { square } from './square.js';
import type { Attack, AttackName } from './types.js';

export const ATTACKS = {
  fgsm,
  bim,
  pgd,
  'apgd-ce': apgdCe,
  'apgd-t': apgdT,
  square,
  hsj,
} as const satisfies Partial<Record<AttackName, Attack>>;

export type ImplementedAttack = keyof typeof ATTACKS;

export function isImplemented(name: string): name is ImplementedAttack {
  return Object.hasOwn(ATTACKS, name);
}

export function attackByName(name: string): Attack {
  if (!isImplemented(name)) {
    throw new AttackError(
      'UNKNOWN_ATTACK',
      `unknown attack ${name}; known: ${Object.keys(ATTACKS).join(', ')}`,
    );
  }
  return ATTACKS[name];
}
