// Token verification against a real JWKS served on loopback: the accepted tokens, and every
// classic attack refused with 401 problem+json (alg none, HS256 signed with the RS public key,
// expired, not yet valid, wrong aud/iss, missing exp, unknown kid, forged signature).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer } from '../support/tokens.ts';

const ISS = 'https://id.molam.test/';
const AUD = 'molam-analytics';
let jwks: Server;
let t: TempApp;
let rsa: { privateKey: CryptoKey; publicKey: CryptoKey };
let ec: { privateKey: CryptoKey; publicKey: CryptoKey };
let other: { privateKey: CryptoKey; publicKey: CryptoKey };

before(async () => {
  rsa = await generateKeyPair('RS256', { extractable: true });
  ec = await generateKeyPair('ES256', { extractable: true });
  other = await generateKeyPair('RS256', { extractable: true });
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  jwks = createServer((_req, res) => res.setHeader('content-type', 'application/json').end(JSON.stringify({ keys })));
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  // Production shape: JWKS only, no shared secret.
  t = await openTempApp({ env: { JWT_SECRET: '', JWT_JWKS_URL: url, JWT_ISSUER: ISS, JWT_AUDIENCE: AUD } });
});
after(async () => {
  await t.close();
  jwks.close();
});

const nowS = () => Math.floor(Date.now() / 1000);

function claims(over: { exp?: number | null; nbf?: number; iss?: string; aud?: string } = {}) {
  const jwt = new SignJWT({ roles: ['analytics:ops'] }).setSubject('ops-1').setIssuedAt();
  jwt.setIssuer(over.iss ?? ISS).setAudience(over.aud ?? AUD);
  if (over.exp !== null) jwt.setExpirationTime(over.exp ?? nowS() + 600);
  if (over.nbf !== undefined) jwt.setNotBefore(over.nbf);
  return jwt;
}

async function call(token: string) {
  const res = await t.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: bearer(token) });
  return { status: res.statusCode, body: res.json(), type: String(res.headers['content-type']), www: res.headers['www-authenticate'] };
}

async function refused(token: string, code = 'invalid_token') {
  const r = await call(token);
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.equal(r.body.code, code);
  assert.match(r.type, /application\/problem\+json/);
  assert.match(String(r.www), /^Bearer /);
  assert.ok(!JSON.stringify(r.body).includes('at '), 'no stack trace');
}

test('RS256 and ES256 tokens from the JWKS are accepted', async () => {
  const rs = await claims().setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  assert.equal((await call(rs)).status, 200);
  const es = await claims().setProtectedHeader({ alg: 'ES256', kid: 'ec-1' }).sign(ec.privateKey);
  assert.equal((await call(es)).status, 200);
});

test('alg none is refused', async () => {
  const none = new UnsecuredJWT({ roles: ['analytics:ops'] }).setSubject('x').setIssuer(ISS).setAudience(AUD)
    .setExpirationTime(nowS() + 600).encode();
  await refused(none);
});

test('HS256 signed with the RS public key is refused', async () => {
  const pem = await exportSPKI(rsa.publicKey);
  const forged = await claims().setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).sign(new TextEncoder().encode(pem));
  await refused(forged);
});

test('expired beyond the 30 s tolerance is refused; within it, accepted', async () => {
  await refused(await claims({ exp: nowS() - 90 }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey), 'token_expired');
  const recent = await claims({ exp: nowS() - 5 }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  assert.equal((await call(recent)).status, 200);
});

test('not yet valid (nbf in the future) is refused', async () => {
  await refused(await claims({ nbf: nowS() + 300 }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey));
});

test('wrong audience or issuer is refused', async () => {
  await refused(await claims({ aud: 'someone-else' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey));
  await refused(await claims({ iss: 'https://evil.test/' }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey));
});

test('a token without exp is refused', async () => {
  await refused(await claims({ exp: null }).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey));
});

test('unknown kid, and a known kid with a foreign key, are refused', async () => {
  await refused(await claims().setProtectedHeader({ alg: 'RS256', kid: 'nope' }).sign(rsa.privateKey));
  await refused(await claims().setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(other.privateKey));
});

test('malformed tokens, other schemes and tokens outside the Authorization header are refused', async () => {
  await refused('not.a.token');
  const good = await claims().setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(rsa.privateKey);
  const tampered = good.split('.');
  tampered[1] = Buffer.from(JSON.stringify({ sub: 'ops-1', roles: ['analytics:ops'], iss: ISS, aud: AUD, exp: nowS() + 9999 })).toString('base64url');
  await refused(tampered.join('.'));
  const basic = await t.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: { authorization: `Basic ${good}` } });
  assert.equal(basic.statusCode, 401);
  const query = await t.app.inject({ method: 'GET', url: `/api/analytics/kpis?access_token=${good}` });
  assert.equal(query.statusCode, 401);
  const none = await t.app.inject({ method: 'GET', url: '/api/analytics/kpis' });
  assert.equal(none.statusCode, 401);
  assert.equal(none.json().code, 'unauthorized');
});
