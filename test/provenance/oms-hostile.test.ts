/**
 * Hostile signature files: seeded mutations of a real bundle (and of a re-signed statement) never crash
 * or hang `verifyModel`, and never verify unless the signed content is untouched.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildBundle,
  loadPrivateKey,
  PAYLOAD_TYPE,
  pae,
  readBundle,
  signModel,
  verifyModel,
} from '../../src/provenance/oms/index.js';
import { ecdsaSign } from '../../src/provenance/oms/keys.js';
import { mutate, prng } from '../support/hostile.js';
import { tempDir } from '../support/temp.js';

const REF = new URL('../../../shared/vectors/model-signing/reference-impl/', import.meta.url).pathname;
const CA = readFileSync(join(REF, 'keys/certificate/ca-cert.pem'));
const JSON_BYTES = [...'"{}[],:0a\\ '].map((c) => c.charCodeAt(0)).concat([0x00, 0xff, 0x80]);
const tmp = tempDir('modelguard-oms-hostile-');

describe('mutated reference bundle (certificate method)', () => {
  const original = readFileSync(join(REF, 'v1.1.0-certificate/model.sig'));
  const base = readBundle(original);
  const sigPath = join(tmp.dir, 'mutated.sig');

  it('400 seeded mutations: a result every time, verified only if the signed bytes are unchanged', async () => {
    const rnd = prng(0x5eed0004);
    let verified = 0;
    for (let i = 0; i < 400; i++) {
      const bytes = mutate(original, rnd, JSON_BYTES);
      writeFileSync(sigPath, bytes);
      const r = await verifyModel(join(REF, 'v1.1.0-certificate'), {
        signaturePath: sigPath,
        chainPems: [CA],
      });
      expect(r.problems.length === 0, `mutation ${i}`).toBe(r.verified);
      for (const p of r.problems) expect(p.message.length, `mutation ${i}`).toBeGreaterThan(10);
      if (r.verified) {
        verified++;
        const b = readBundle(bytes);
        expect(b.envelope.payload.equals(base.envelope.payload), `mutation ${i}`).toBe(true);
        expect(b.envelope.signature.equals(base.envelope.signature), `mutation ${i}`).toBe(true);
      }
    }
    // Most mutations break something; the few that verify touched only unsigned fields (keyid, media type
    // spelling) — the invariant above is what matters, this just shows both outcomes were exercised.
    expect(verified).toBeLessThan(400);
  });
});

describe('mutated statements, re-signed (the signature verifies, the statement is hostile)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const PRIVATE = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const hint = createHash('sha256').update(PUBLIC).digest('hex');

  it('300 seeded mutations of a shards statement: a result every time, verified only with the same resources', async () => {
    const dir = join(tmp.dir, 'model');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'w.bin'), Buffer.alloc(100, 1));
    writeFileSync(join(dir, 'sub', 'c.json'), '{"k": 1}');
    const { bundle, manifest } = await signModel(dir, {
      method: 'key',
      privateKeyPem: PRIVATE,
      serialization: 'shards',
      shardSize: 30,
    });
    const statement = readBundle(bundle).envelope.payload;
    const key = loadPrivateKey(PRIVATE);
    const expected = manifest.resources.map((r) => `${r.name}=${r.digest}`).sort();
    const rnd = prng(0x5eed0005);
    for (let i = 0; i < 300; i++) {
      const payload = Buffer.from(mutate(statement, rnd, JSON_BYTES));
      const sig = ecdsaSign(key, pae(PAYLOAD_TYPE, payload));
      writeFileSync(
        join(dir, 'model.sig'),
        JSON.stringify(buildBundle({ publicKeyHint: hint }, payload, PAYLOAD_TYPE, sig)),
      );
      const r = await verifyModel(dir, { publicKeyPem: PUBLIC });
      expect(r.problems.length === 0, `mutation ${i}`).toBe(r.verified);
      if (r.verified) {
        const st = JSON.parse(payload.toString('utf8'));
        const got = (st.predicate.resources as Array<{ name: string; digest: string }>)
          .map((x) => `${x.name}=${x.digest}`)
          .sort();
        expect(got, `mutation ${i}`).toEqual(expected);
      }
    }
  });
});
