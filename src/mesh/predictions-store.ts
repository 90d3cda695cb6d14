// Signed predictions (table mesh_predictions). A prediction is its JWS: the row's columns are
// there to find it, and are checked against the signed payload before it is used. Nothing in
// the mesh routes on a prediction that has not passed `verifyPrediction` just before: a signature
// that does not verify or a row that differs from what was signed is prediction_signature_invalid,
// a kid that is not an unretired key prediction_key_unknown, one past its expiry prediction_stale.

import { randomBytes } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { Queryable } from '../state-store/state-store.ts';
import type { HealthSegment, MeshRegion, Prediction } from './model.ts';
import { SIGNING_ALG, type KeyRing } from './signing-keys.ts';

/** The JWS header's typ: what the token is (a prediction, not an access token). */
export const PREDICTION_TYP = 'mesh-prediction+jwt';
const ISSUER = 'molam-analytics/mesh';

/** What a prediction says before it is signed. */
export interface PredictionDraft extends HealthSegment {
  score: number;
  confidence: number;
  features: Record<string, number | string | null>;
  windowFrom: number;
  windowTo: number;
}

export type RefusalCode = 'prediction_signature_invalid' | 'prediction_key_unknown' | 'prediction_stale';

export type Verified = { ok: true; prediction: Prediction } | { ok: false; id: string; code: RefusalCode; message: string };

interface Claims {
  pid: string;
  provider: string;
  region: MeshRegion;
  currency: string;
  method: string;
  score: number;
  confidence: number;
  features: Record<string, number | string | null>;
  wf: number;
  wt: number;
}

/** Signs the draft with the ring's current key and stores it; valid for `ttlMs` from `now`. */
export async function savePrediction(q: Queryable, ring: KeyRing, d: PredictionDraft, now: number, ttlMs: number): Promise<Prediction> {
  const { kid, key } = await ring.signingKey(q, now);
  const id = `pred_${randomBytes(10).toString('hex')}`;
  const generatedAt = Math.floor(now / 1000) * 1000;
  const expiresAt = generatedAt + Math.ceil(ttlMs / 1000) * 1000;
  const claims: Claims = {
    pid: id, provider: d.provider, region: d.region, currency: d.currency, method: d.method,
    score: d.score, confidence: d.confidence, features: d.features, wf: d.windowFrom, wt: d.windowTo,
  };
  const jws = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: PREDICTION_TYP })
    .setIssuer(ISSUER).setSubject(`${d.provider}/${d.region}/${d.currency}/${d.method}`)
    .setIssuedAt(generatedAt / 1000).setExpirationTime(expiresAt / 1000)
    .sign(key);
  await q.query(
    `INSERT INTO mesh_predictions (id, provider, region, currency, method, score, confidence, generated_at, expires_at, kid, jws)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [id, d.provider, d.region, d.currency, d.method, d.score, d.confidence, new Date(generatedAt), new Date(expiresAt), kid, jws]);
  return { ...d, id, generatedAt, expiresAt, kid, jws };
}

/** A stored row, as read: what the verification compares with the signed payload. */
export interface PredictionRow {
  id: string;
  provider: string;
  region: string;
  currency: string;
  method: string;
  score: number;
  confidence: number;
  kid: string;
  jws: string;
}

const COLUMNS = 'id, provider, region, currency, method, score, confidence, kid, jws';

/**
 * Verifies one prediction at `now`: its signature with the key its kid names, its expiry, and
 * that the row says what was signed. The prediction returned is the signed payload's.
 */
export async function verifyPrediction(q: Queryable, ring: KeyRing, row: PredictionRow, now: number): Promise<Verified> {
  const refuse = (code: RefusalCode, message: string): Verified => ({ ok: false, id: row.id, code, message });
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(row.jws);
    kid = header.kid;
    if (header.alg !== SIGNING_ALG || header.typ !== PREDICTION_TYP) return refuse('prediction_signature_invalid', `not a mesh prediction (alg ${String(header.alg)}, typ ${String(header.typ)})`);
  } catch {
    return refuse('prediction_signature_invalid', 'not a JWS');
  }
  if (!kid || kid !== row.kid) return refuse('prediction_signature_invalid', 'the key id differs from the one stored with it');
  const key = await ring.verifyingKey(q, kid);
  if (!key) return refuse('prediction_key_unknown', `key ${kid} is not one of the mesh's signing keys (or was retired)`);
  let claims: Claims & { iat?: number; exp?: number };
  try {
    const r = await jwtVerify(row.jws, key, {
      algorithms: [SIGNING_ALG], issuer: ISSUER, typ: PREDICTION_TYP, currentDate: new Date(now), requiredClaims: ['exp', 'iat'],
    });
    claims = r.payload as unknown as Claims & { iat: number; exp: number };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return refuse('prediction_stale', `expired at ${new Date(Number((err.payload as { exp?: number }).exp) * 1000).toISOString()}`);
    return refuse('prediction_signature_invalid', `the signature does not verify (${(err as Error).message})`);
  }
  const same = claims.pid === row.id && claims.provider === row.provider && claims.region === row.region
    && claims.currency === row.currency && claims.method === row.method
    && claims.score === Number(row.score) && claims.confidence === Number(row.confidence);
  if (!same) return refuse('prediction_signature_invalid', 'the stored prediction differs from what was signed');
  return {
    ok: true,
    prediction: {
      id: claims.pid, provider: claims.provider, region: claims.region, currency: claims.currency, method: claims.method,
      score: claims.score, confidence: claims.confidence, features: claims.features, windowFrom: claims.wf, windowTo: claims.wt,
      generatedAt: claims.iat! * 1000, expiresAt: claims.exp! * 1000, kid, jws: row.jws,
    },
  };
}

export interface PredictionFilter {
  region?: MeshRegion;
  currency?: string;
  method?: string;
  provider?: string;
}

/** The newest prediction of each segment matching the filter, unverified (verify before use). */
export async function latestPredictionRows(q: Queryable, f: PredictionFilter): Promise<PredictionRow[]> {
  return q.query<PredictionRow>(
    `SELECT DISTINCT ON (region, currency, method, provider) ${COLUMNS} FROM mesh_predictions
     WHERE ($1::text IS NULL OR region = $1) AND ($2::text IS NULL OR currency = $2)
       AND ($3::text IS NULL OR method = $3) AND ($4::text IS NULL OR provider = $4)
     ORDER BY region, currency, method, provider, generated_at DESC, id DESC`,
    [f.region ?? null, f.currency ?? null, f.method ?? null, f.provider ?? null]);
}

/** One prediction by id, unverified; null if there is none. */
export async function predictionRow(q: Queryable, id: string): Promise<PredictionRow | null> {
  return (await q.query<PredictionRow>(`SELECT ${COLUMNS} FROM mesh_predictions WHERE id = $1`, [id]))[0] ?? null;
}

/**
 * The newest verified prediction of each segment matching the filter, and the ones refused (with
 * their codes): what proposals and the decision API use.
 */
export async function verifiedLatest(q: Queryable, ring: KeyRing, f: PredictionFilter, now: number): Promise<{ valid: Prediction[]; refused: Array<Extract<Verified, { ok: false }>> }> {
  const valid: Prediction[] = [];
  const refused: Array<Extract<Verified, { ok: false }>> = [];
  for (const row of await latestPredictionRows(q, f)) {
    const v = await verifyPrediction(q, ring, row, now);
    if (v.ok) valid.push(v.prediction);
    else refused.push(v);
  }
  return { valid, refused };
}
