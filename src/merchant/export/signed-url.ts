// Download links of background exports: /downloads/exports/{id}?expires=…&signature=…, where
// signature = HMAC-SHA256(EXPORT_URL_SECRET, "<id>.<expires>") in hex and expires is a Unix time
// in seconds. The link is the credential (a browser opens it without a bearer token), so it
// expires after EXPORT_URL_TTL_SECONDS; the status route hands out a fresh one each time it is
// asked. Compared in constant time; a changed id, expiry or signature is refused.

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../errors.ts';

export const DOWNLOAD_PATH = '/downloads/exports';

export interface UrlSigner {
  sign(id: string): { url: string; expiresAt: number };
  verify(id: string, expires: string, signature: string): void;
}

export function createUrlSigner(o: { secret: string; ttlSeconds: number; now: () => number }): UrlSigner {
  // Without a configured secret, one per process: links then die with it and are not valid on
  // another replica (docs/merchant.md#exports says to set EXPORT_URL_SECRET in a cluster).
  const key = o.secret === '' ? randomBytes(32) : Buffer.from(o.secret, 'utf8');
  const mac = (id: string, expires: string) => createHmac('sha256', key).update(`${id}.${expires}`).digest();
  return {
    sign(id) {
      const expires = String(Math.floor(o.now() / 1000) + o.ttlSeconds);
      const signature = mac(id, expires).toString('hex');
      return { url: `${DOWNLOAD_PATH}/${encodeURIComponent(id)}?expires=${expires}&signature=${signature}`, expiresAt: Number(expires) * 1000 };
    },
    verify(id, expires, signature) {
      const given = /^[0-9a-f]{64}$/.test(signature) && /^[0-9]{1,12}$/.test(expires) ? Buffer.from(signature, 'hex') : null;
      if (!given || !timingSafeEqual(given, mac(id, expires))) throw new AppError('download_link_invalid', 'this download link is not one this server signed');
      if (Number(expires) * 1000 <= o.now()) throw new AppError('download_link_expired', 'this download link has expired: ask GET /api/merchant/exports/{id} for a fresh one');
    },
  };
}
