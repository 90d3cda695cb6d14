// The metrics as the server's registry defines them (GET /api/v1/metrics/registry): their names
// on screen in each language, units, which way is good news, and which are the KPIs. Read once
// per token; the dashboard repeats nothing of it.

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet } from './api.ts';
import type { Unit } from './format.ts';
import type { Lang } from './i18n.ts';

interface SignedMetric { metric: string; sign: 1 | -1 }

export interface RegistryMetric {
  name: string;
  label: Record<Lang, string>;
  description: string;
  unit: Unit;
  kind: 'additive' | 'ratio' | 'opaque';
  parts: { num: SignedMetric[]; den: SignedMetric[] } | null;
  volume: string;
  better: 'higher' | 'lower' | null;
  local_available: boolean;
}

export interface MetricRegistry {
  metrics: RegistryMetric[];
  kpis: string[];
  dimensions: string[];
  granularities: string[];
}

export interface Metrics {
  /** The registry has arrived (until then labels are the metric names and there are no KPIs). */
  ready: boolean;
  error: Error | null;
  all: RegistryMetric[];
  kpis: string[];
  label(name: string, lang: Lang): string;
  unit(name: string): Unit;
  higherIsBetter(name: string): boolean;
  /** The API also answers it in the one selected currency (`local`): every money metric. */
  hasLocal(name: string): boolean;
}

export function useMetrics(token: string): Metrics {
  const q = useQuery({
    queryKey: ['metrics-registry', token],
    queryFn: () => apiGet<MetricRegistry>('/api/v1/metrics/registry', token),
    staleTime: Infinity,
    retry: false,
  });
  const data = q.data;
  const error = q.error;
  return useMemo(() => {
    const byName = new Map((data?.metrics ?? []).map((m) => [m.name, m]));
    return {
      ready: data !== undefined,
      error,
      all: data?.metrics ?? [],
      kpis: data?.kpis ?? [],
      label: (name, lang) => byName.get(name)?.label[lang] ?? name,
      unit: (name) => byName.get(name)?.unit ?? 'count',
      higherIsBetter: (name) => byName.get(name)?.better !== 'lower',
      hasLocal: (name) => byName.get(name)?.local_available === true,
    };
  }, [data, error]);
}
