// The queries the Alerts sub-views share (one cache entry each, invalidated after a change).

import { useQuery } from '@tanstack/react-query';
import { apiGet, type AlertRule, type Silence } from '../../api.ts';

export const rulesKey = (token: string) => ['alert-rules', token] as const;
export const silencesKey = (token: string) => ['alert-silences', token] as const;
export const alertsKey = (token: string) => ['alerts', token] as const;

export function useRules(token: string) {
  return useQuery({
    queryKey: rulesKey(token),
    queryFn: () => apiGet<{ items: AlertRule[] }>('/api/analytics/alerts/rules', token),
    refetchInterval: 30_000,
  });
}

export function useSilences(token: string) {
  return useQuery({
    queryKey: silencesKey(token),
    queryFn: () => apiGet<{ items: Silence[] }>('/api/analytics/alerts/silences', token),
    refetchInterval: 30_000,
  });
}
