/**
 * Seeded structural mutations of real keyless bundles: every mutant either verifies to the very same payload
 * and signer (an edit the signatures do not cover, e.g. base64 padding bits or an ignored field) or is
 * rejected with a SigstoreVerifyError — never another exception, never a different payload.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SigstoreVerifyError, verifySigstoreBundle } from '../../src/provenance/oms/sigstore.js';
import { prng } from '../support/hostile.js';

const REF = new URL('../../../shared/vectors/model-signing/reference-impl/', import.meta.url).pathname;
const POLICY = { identity: 'stefanb@us.ibm.com', issuer: 'https://sigstore.verify.ibm.com/oauth2' };
const MUTATIONS = 250;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';
const ODD_VALUES: Json[] = [null, 0, -1, '', 'A', '0', true, [], {}, '18446744073709551616', 1e308];

function paths(x: Json, at: Path = []): Path[] {
  const own = at.length > 0 ? [at] : [];
  if (Array.isArray(x)) return [...own, ...x.flatMap((v, i) => paths(v, [...at, i]))];
  if (x !== null && typeof x === 'object')
    return [...own, ...Object.entries(x).flatMap(([k, v]) => paths(v, [...at, k]))];
  return own;
}

function parentOf(root: Json, path: Path): { parent: Json[] | Record<string, Json>; key: string | number } {
  let p = root as Json[] | Record<string, Json>;
  for (const k of path.slice(0, -1))
    p = (p as Record<string | number, Json>)[k] as Json[] | Record<string, Json>;
  return { parent: p, key: path[path.length - 1] as string | number };
}

function mutateOnce(root: Json, rnd: () => number): string {
  const all = paths(root);
  const path = all[Math.floor(rnd() * all.length)] as Path;
  const { parent, key } = parentOf(root, path);
  const slot = parent as Record<string | number, Json>;
  const value = slot[key] as Json;
  const op = rnd();
  if (typeof value === 'string' && value.length > 0 && op < 0.5) {
    const at = Math.floor(rnd() * value.length);
    const c = /^\d+$/.test(value)
      ? String(Math.floor(rnd() * 10))
      : (B64[Math.floor(rnd() * B64.length)] as string);
    slot[key] = value.slice(0, at) + c + value.slice(at + 1);
    return `edit ${path.join('.')}@${at}`;
  }
  if (typeof value === 'string' && op < 0.6) {
    slot[key] = value.slice(0, Math.floor(rnd() * value.length));
    return `truncate ${path.join('.')}`;
  }
  if (op < 0.75) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete slot[key];
    return `delete ${path.join('.')}`;
  }
  if (op < 0.85 && Array.isArray(parent)) {
    parent.push(structuredClone(value));
    return `duplicate ${path.join('.')}`;
  }
  slot[key] = structuredClone(ODD_VALUES[Math.floor(rnd() * ODD_VALUES.length)] as Json);
  return `replace ${path.join('.')}`;
}

describe('hostile keyless bundles', () => {
  for (const [v, seed] of [
    ['v1.0.0', 0x51657],
    ['v1.1.0', 0x7a11],
  ] as const) {
    it(`${MUTATIONS} seeded mutations of ${v}-sigstore verify to the same payload or fail typed`, async () => {
      const base = JSON.parse(readFileSync(`${REF}${v}-sigstore/model.sig`, 'utf8')) as Json;
      const original = await verifySigstoreBundle(base, POLICY);
      const rnd = prng(seed);
      let rejected = 0;
      for (let i = 0; i < MUTATIONS; i++) {
        const mutant = structuredClone(base);
        const ops = Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => mutateOnce(mutant, rnd));
        const label = `mutation ${i}: ${ops.join('; ')}`;
        try {
          const r = await verifySigstoreBundle(mutant, POLICY);
          expect(r.payload.equals(original.payload), label).toBe(true);
          expect(r.payloadType, label).toBe(original.payloadType);
          expect(r.signer, label).toBe(original.signer);
        } catch (e) {
          if (!(e instanceof SigstoreVerifyError)) throw new Error(`${label}: threw ${String(e)}`);
          rejected++;
        }
      }
      // Most edits land on signed or checked material; a suite where nothing is rejected checks nothing.
      expect(rejected).toBeGreaterThan(MUTATIONS / 2);
    });
  }
});
