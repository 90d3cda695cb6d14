// The keys the mesh signs its predictions with (table mesh_signing_keys): Ed25519 key pairs, each
// with a key id (kid). The newest unretired key signs; every unretired key verifies, so a
// rotation never invalidates the predictions signed just before it. Retiring a key makes what it
// signed unusable (prediction_key_unknown). Public keys are published as a JWK set
// (GET /api/mesh/keys) for the services that read mesh.predictions from Kafka.

import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import type { Queryable } from '../state-store/state-store.ts';

export const SIGNING_ALG = 'EdDSA';

type VerifyKey = Awaited<ReturnType<typeof importJWK>>;

interface KeyRow {
  kid: string;
  private_jwk: JWK;
  public_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export interface SigningKey {
  kid: string;
  key: VerifyKey;
}

export interface PublicKeyInfo {
  kid: string;
  alg: string;
  createdAt: number;
  retiredAt: number | null;
  jwk: JWK;
}

async function newKeyRow(q: Queryable, now: number): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const kid = `mk_${randomBytes(8).toString('hex')}`;
  const pub = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const priv = { ...(await exportJWK(privateKey)), kid, alg: SIGNING_ALG };
  // The newest key signs: a key made in the same millisecond as the newest one (a rotation right
  // after the first key, a test clock) is dated a millisecond after it, never tied with it.
  await q.query(
    `INSERT INTO mesh_signing_keys (kid, alg, private_jwk, public_jwk, created_at)
     SELECT $1, $2, $3, $4, greatest($5::timestamptz, (SELECT max(created_at) + interval '1 millisecond' FROM mesh_signing_keys))`,
    [kid, SIGNING_ALG, priv, pub, new Date(now)]);
  return kid;
}

/** Adds a key that signs from now on; the previous ones keep verifying until retired. */
export async function rotateSigningKey(q: Queryable, now: number): Promise<string> {
  return newKeyRow(q, now);
}

/** Retires a key: what it signed no longer verifies. False if there is no such unretired key. */
export async function retireSigningKey(q: Queryable, kid: string, now: number): Promise<boolean> {
  const rows = await q.query('UPDATE mesh_signing_keys SET retired_at = $2 WHERE kid = $1 AND retired_at IS NULL RETURNING kid', [kid, new Date(now)]);
  return rows.length === 1;
}

/** Every key, newest first, public parts only. */
export async function listSigningKeys(q: Queryable): Promise<PublicKeyInfo[]> {
  const rows = await q.query<KeyRow>('SELECT kid, public_jwk, created_at, retired_at FROM mesh_signing_keys ORDER BY created_at DESC, kid');
  return rows.map((r) => ({
    kid: r.kid, alg: SIGNING_ALG, createdAt: r.created_at.getTime(), retiredAt: r.retired_at?.getTime() ?? null, jwk: r.public_jwk,
  }));
}

/**
 * The keys of one process: the signing key and the verifying keys, read from the state store and
 * kept; an unknown kid is looked up once more (another replica may have rotated), then refused.
 */
export interface KeyRing {
  /** The key to sign with: the newest unretired one (made on first use when there is none). */
  signingKey(q: Queryable, now: number): Promise<SigningKey>;
  /** The key that verifies `kid`, or null when it is unknown or retired. */
  verifyingKey(q: Queryable, kid: string): Promise<VerifyKey | null>;
  /** Forgets what it read (after a rotation or a retirement made here). */
  forget(): void;
}

/** How long a process keeps what it read before reading the keys again (another replica may rotate or retire one). */
const KEEP_MS = 60_000;

export function createKeyRing(): KeyRing {
  let signing: { key: SigningKey; at: number } | null = null;
  let verifying: { keys: Map<string, VerifyKey>; at: number } | null = null;
  const fresh = (read: { at: number } | null) => read !== null && Date.now() - read.at < KEEP_MS;

  async function load(q: Queryable): Promise<Map<string, VerifyKey>> {
    const rows = await q.query<KeyRow>('SELECT kid, public_jwk FROM mesh_signing_keys WHERE retired_at IS NULL');
    const out = new Map<string, VerifyKey>();
    for (const r of rows) out.set(r.kid, await importJWK(r.public_jwk, SIGNING_ALG));
    return out;
  }

  return {
    async signingKey(q, now) {
      if (signing && fresh(signing)) return signing.key;
      const newest = async () => (await q.query<KeyRow>(
        'SELECT kid, private_jwk FROM mesh_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC LIMIT 1'))[0];
      let row = await newest();
      if (!row) {
        await newKeyRow(q, now);
        row = await newest();
      }
      signing = { key: { kid: row.kid, key: await importJWK(row.private_jwk, SIGNING_ALG) }, at: Date.now() };
      return signing.key;
    },
    async verifyingKey(q, kid) {
      if (!verifying || !fresh(verifying) || !verifying.keys.has(kid)) verifying = { keys: await load(q), at: Date.now() };
      return verifying.keys.get(kid) ?? null;
    },
    forget() {
      signing = null;
      verifying = null;
    },
  };
}
