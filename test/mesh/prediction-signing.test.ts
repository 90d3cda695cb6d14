// Signed predictions: what verifies and what is refused, with which code — a tampered row, a
// forged or foreign signature, an unknown or retired key, an expired prediction — and that a
// key rotation keeps what the previous key signed usable.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT, decodeJwt } from 'jose';
import { pgliteBackend } from '../support/state-backends.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';
import { createKeyRing, listSigningKeys, retireSigningKey, rotateSigningKey } from '../../src/mesh/signing-keys.ts';
import {
  PREDICTION_TYP, predictionRow, savePrediction, verifiedLatest, verifyPrediction, type PredictionDraft,
} from '../../src/mesh/predictions-store.ts';

const backend = pgliteBackend();
let state: StateStore;
const T0 = Date.parse('2026-11-02T10:00:00Z');
const TTL = 15 * 60_000;

const draft = (provider: string, score: number): PredictionDraft => ({
  provider, region: 'ECOWAS', currency: 'XOF', method: 'mobile_money', score, confidence: 0.9,
  features: { success_rate: score / 100, attempts: 1200 }, windowFrom: T0 - 3_600_000, windowTo: T0,
});

before(async () => { state = await backend.open(); });
after(async () => { await state.close(); await backend.cleanup(); });

test('a prediction verifies as signed, the payload (not the row) is what is returned', async () => {
  const ring = createKeyRing();
  const p = await savePrediction(state, ring, draft('orange_money', 92.5), T0, TTL);
  const v = await verifyPrediction(state, ring, (await predictionRow(state, p.id))!, T0 + 60_000);
  assert.ok(v.ok, JSON.stringify(v));
  assert.deepEqual(v.prediction, p);
  assert.equal(p.expiresAt - p.generatedAt, TTL);
  assert.equal(decodeJwt(p.jws).pid, p.id);
});

test('a row changed after signing is refused: prediction_signature_invalid', async () => {
  const ring = createKeyRing();
  const p = await savePrediction(state, ring, draft('wave', 40), T0, TTL);
  await state.query('UPDATE mesh_predictions SET score = 99 WHERE id = $1', [p.id]);
  const v = await verifyPrediction(state, ring, (await predictionRow(state, p.id))!, T0);
  assert.deepEqual(v.ok ? null : v.code, 'prediction_signature_invalid');
  // A payload changed inside the JWS, signature kept: refused the same way.
  const [h, body, sig] = p.jws.split('.');
  const forged = Buffer.from(JSON.stringify({ ...decodeJwt(p.jws), score: 99 })).toString('base64url');
  await state.query('UPDATE mesh_predictions SET score = 40, jws = $2 WHERE id = $1', [p.id, `${h}.${forged}.${sig}`]);
  const w = await verifyPrediction(state, ring, (await predictionRow(state, p.id))!, T0);
  assert.deepEqual(w.ok ? null : w.code, 'prediction_signature_invalid');
  assert.notEqual(body, forged);
});

test('signed by a key that is not the mesh\'s, or a retired one: prediction_key_unknown', async () => {
  const ring = createKeyRing();
  const p = await savePrediction(state, ring, draft('mtn_momo', 80), T0, TTL);
  // Another key pair, claiming a kid of its own.
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const foreign = await new SignJWT({ ...decodeJwt(p.jws) })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'mk_intruder', typ: PREDICTION_TYP }).sign(privateKey);
  await state.query('UPDATE mesh_predictions SET kid = $2, jws = $3 WHERE id = $1', [p.id, 'mk_intruder', foreign]);
  const v = await verifyPrediction(state, ring, (await predictionRow(state, p.id))!, T0);
  assert.deepEqual(v.ok ? null : v.code, 'prediction_key_unknown');
  // Claiming the mesh's kid, signed by the other key: the signature does not verify.
  const impostor = await new SignJWT({ ...decodeJwt(p.jws) })
    .setProtectedHeader({ alg: 'EdDSA', kid: p.kid, typ: PREDICTION_TYP }).sign(privateKey);
  await state.query('UPDATE mesh_predictions SET kid = $2, jws = $3 WHERE id = $1', [p.id, p.kid, impostor]);
  const w = await verifyPrediction(state, ring, (await predictionRow(state, p.id))!, T0);
  assert.deepEqual(w.ok ? null : w.code, 'prediction_signature_invalid');
  assert.ok(await exportJWK(privateKey));
});

test('past its expiry: prediction_stale', async () => {
  const ring = createKeyRing();
  const p = await savePrediction(state, ring, draft('free_money', 70), T0, TTL);
  const row = (await predictionRow(state, p.id))!;
  assert.ok((await verifyPrediction(state, ring, row, p.expiresAt - 1000)).ok);
  const v = await verifyPrediction(state, ring, row, p.expiresAt + 1000);
  assert.deepEqual(v.ok ? null : v.code, 'prediction_stale');
});

test('rotation: the new key signs, the old one still verifies until it is retired', async () => {
  const store = await backend.open();
  try {
    const ring = createKeyRing();
    const before = await savePrediction(store, ring, draft('ecobank', 88), T0, TTL);
    const kid2 = await rotateSigningKey(store, T0 + 1000);
    ring.forget();
    const afterRotation = await savePrediction(store, ring, draft('uba', 86), T0 + 2000, TTL);
    assert.equal(afterRotation.kid, kid2);
    assert.notEqual(before.kid, kid2);
    const { valid, refused } = await verifiedLatest(store, ring, { region: 'ECOWAS' }, T0 + 3000);
    assert.deepEqual(valid.map((p) => p.provider).sort(), ['ecobank', 'uba']);
    assert.deepEqual(refused, []);
    assert.equal(await retireSigningKey(store, before.kid, T0 + 4000), true);
    ring.forget();
    const later = await verifiedLatest(store, ring, { region: 'ECOWAS' }, T0 + 5000);
    assert.deepEqual(later.valid.map((p) => p.provider), ['uba']);
    assert.deepEqual(later.refused.map((r) => [r.id, r.code]), [[before.id, 'prediction_key_unknown']]);
    const keys = await listSigningKeys(store);
    assert.deepEqual(keys.map((k) => [k.kid, k.retiredAt !== null]), [[kid2, false], [before.kid, true]]);
    assert.equal('d' in keys[0].jwk, false, 'no private part is listed');
  } finally {
    await store.close();
  }
});

test('a rotation in the same millisecond as the newest key still makes the signing key', async () => {
  const store = await backend.open();
  try {
    const ring = createKeyRing();
    const first = await savePrediction(store, ring, draft('wave', 90), T0, TTL);
    for (let i = 0; i < 5; i++) {
      const kid = await rotateSigningKey(store, T0);
      ring.forget();
      assert.equal((await savePrediction(store, ring, draft('wave', 90), T0, TTL)).kid, kid);
    }
    assert.notEqual(first.kid, (await listSigningKeys(store))[0].kid);
  } finally {
    await store.close();
  }
});
