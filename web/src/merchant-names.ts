// Merchant names (GET /api/v1/merchants, imported by ops): the dashboard shows "Boutique Awa
// (m_sn)" wherever it shows a merchant id, and the id alone where no name was imported.

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api.ts';

interface MerchantItem { merchant_id: string; name: string }

/** The API answers at most 100 ids a request. */
const MAX_IDS = 100;

/** `label(id)`: "Name (id)", or the id when the name is unknown (or still loading). */
export function useMerchantNames(token: string, ids: ReadonlyArray<string | null | undefined>): { label(id: string): string; name(id: string): string | undefined } {
  const wanted = useMemo(() => [...new Set(ids.filter((x): x is string => !!x))].sort().slice(0, MAX_IDS), [ids]);
  const q = useQuery({
    queryKey: ['merchant-names', token, wanted],
    queryFn: () => apiGet<{ items: MerchantItem[] }>('/api/v1/merchants', token, { merchant_id: wanted.join(','), limit: String(MAX_IDS) }),
    enabled: wanted.length > 0,
    staleTime: 5 * 60_000,
    retry: false,
  });
  return useMemo(() => {
    const names = new Map((q.data?.items ?? []).map((m) => [m.merchant_id, m.name]));
    return { label: (id) => merchantLabel(id, names.get(id)), name: (id) => names.get(id) };
  }, [q.data]);
}

export function merchantLabel(id: string, name: string | undefined): string {
  return name ? `${name} (${id})` : id;
}
