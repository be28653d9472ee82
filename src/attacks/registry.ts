/**
 * Every attack by name. `runAutoAttack` runs the standard sequence from here and reports exactly what ran
 * (`ran`); an attack missing from the registry would simply not be claimed.
 */
import { apgdCe, apgdT } from './apgd.js';
import { AttackError } from './errors.js';
import { fabT } from './fab.js';
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
  'fab-t': fabT,
  square,
  hsj,
} as const satisfies Record<AttackName, Attack>;

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
