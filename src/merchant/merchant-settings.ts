// A merchant's own settings (state table merchant_settings). Today one: the time zone its
// periods (today, week, month…) are computed in. A merchant without a row has the default,
// Africa/Dakar: the platform's home market, UTC all year (no DST), so the default never moves a
// period boundary for a merchant who has not chosen.

import { AppError } from '../errors.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { isValidTimeZone } from '../query/time-buckets.ts';
import { writeAudit } from './merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';

export const DEFAULT_TIME_ZONE = 'Africa/Dakar';

export interface MerchantSettings {
  merchant_id: string;
  time_zone: string;
  /** Null while the merchant has the defaults. */
  updated_at: string | null;
  updated_by: string | null;
}

interface SettingsRow { time_zone: string; updated_at: Date; updated_by: string }

export async function getMerchantSettings(state: StateStore, merchantId: string): Promise<MerchantSettings> {
  const [row] = await state.query<SettingsRow>('SELECT time_zone, updated_at, updated_by FROM merchant_settings WHERE merchant_id = $1', [merchantId]);
  return row
    ? { merchant_id: merchantId, time_zone: row.time_zone, updated_at: row.updated_at.toISOString(), updated_by: row.updated_by }
    : { merchant_id: merchantId, time_zone: DEFAULT_TIME_ZONE, updated_at: null, updated_by: null };
}

/** Sets the time zone; the change and its previous value are audited in the same transaction. */
export async function setMerchantTimeZone(
  state: StateStore, scope: MerchantScope, origin: RequestOrigin, timeZone: string, now: number,
): Promise<MerchantSettings> {
  if (!isValidTimeZone(timeZone)) throw new AppError('invalid_time_zone', `unknown time zone ${JSON.stringify(timeZone.slice(0, 64))}`);
  return state.transaction(async (q) => {
    const [before] = await q.query<{ time_zone: string }>('SELECT time_zone FROM merchant_settings WHERE merchant_id = $1 FOR UPDATE', [scope.merchantId]);
    const [row] = await q.query<SettingsRow>(
      `INSERT INTO merchant_settings (merchant_id, time_zone, updated_at, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (merchant_id) DO UPDATE SET time_zone = EXCLUDED.time_zone, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING time_zone, updated_at, updated_by`,
      [scope.merchantId, timeZone, new Date(now), scope.actor]);
    await writeAudit(q, scope, origin, {
      action: 'settings.time_zone_changed', objectType: 'merchant_settings', objectId: scope.merchantId,
      detail: { from: before?.time_zone ?? DEFAULT_TIME_ZONE, to: timeZone },
    }, now);
    return { merchant_id: scope.merchantId, time_zone: row.time_zone, updated_at: row.updated_at.toISOString(), updated_by: row.updated_by };
  });
}
