// The merchant's settings (GET, PUT /api/merchant/settings): its time zone, which sets its periods
// and every date of the merchant area. The change is audited by the server.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { mGet, mSend, type Settings } from '../../merchant-api.ts';
import { card, fieldBase, labelText, primary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, ServerRefusal, when } from './ui.tsx';

function zones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return ['UTC', 'Africa/Dakar', 'Africa/Lagos', 'Africa/Nairobi', 'Europe/Paris'];
  }
}

export function SettingsPanel() {
  const { caller, lang, t, tz, merchant } = useMerchant();
  const qc = useQueryClient();
  const settings = useQuery({ queryKey: ['m-settings', caller.token, merchant], queryFn: () => mGet<Settings>(caller, '/settings') });
  const [zone, setZone] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (time_zone: string) => mSend<Settings>(caller, 'PUT', '/settings', { time_zone }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: ['m-settings'] }); void qc.invalidateQueries({ queryKey: ['m-summary'] }); },
  });
  const s = settings.data;
  const value = zone ?? s?.time_zone ?? tz;
  const list = zones();
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(value); };
  return (
    <section aria-label={t('m_tab_settings')} className={card}>
      <ListState loading={settings.isPending} error={settings.error} empty={false} t={t} />
      {s && (
        <form onSubmit={submit} className="space-y-3">
          <label className={labelText}>{t('time_zone')}
            <select name="time_zone" value={value} onChange={(e) => setZone(e.target.value)} className={`${fieldBase} mt-1 block`}>
              {(list.includes(value) ? list : [value, ...list]).map((z) => <option key={z} value={z}>{z}</option>)}
            </select>
            <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400">{t('m_zone_hint')}</span>
          </label>
          <p className="text-sm text-slate-600 dark:text-slate-300" data-field="updated">
            {s.updated_at ? `${t('m_updated')} ${when(lang, value, s.updated_at)} · ${s.updated_by ?? ''}` : t('m_defaults')}
          </p>
          <button type="submit" className={primary} disabled={save.isPending || value === s.time_zone}>{t('m_save')}</button>
          {save.isSuccess && <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">{t('m_saved')}</p>}
          <ServerRefusal error={save.error} t={t} />
        </form>
      )}
    </section>
  );
}
