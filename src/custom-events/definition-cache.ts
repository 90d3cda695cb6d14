// The latest definition of each event type, as the track ingest needs it per event: cached for
// a few seconds (absent types too), dropped at once when this process defines a new version.
// Another process's new version is seen within the TTL; events validated meanwhile use the
// version before, which they record (definition_version), so nothing is mixed.

import type { Queryable } from '../state-store/state-store.ts';
import { latestDefinitions } from './custom-event-definitions.ts';
import type { TrackDefinition } from './validate-tracked-event.ts';

export interface DefinitionCache {
  /** The latest definition of each name (null: none). */
  latest(names: Iterable<string>): Promise<Map<string, TrackDefinition | null>>;
  invalidate(name: string): void;
}

export function createDefinitionCache(state: Queryable, o: { ttlMs: number; now: () => number; maxEntries?: number }): DefinitionCache {
  const cache = new Map<string, { def: TrackDefinition | null; at: number }>();
  const max = o.maxEntries ?? 10_000;
  return {
    async latest(names) {
      const out = new Map<string, TrackDefinition | null>();
      const missing: string[] = [];
      const t = o.now();
      for (const name of new Set(names)) {
        const hit = cache.get(name);
        if (hit && t - hit.at < o.ttlMs) out.set(name, hit.def);
        else missing.push(name);
      }
      if (missing.length) {
        const found = new Map((await latestDefinitions(state, missing)).map((d) => [d.name, d]));
        for (const name of missing) {
          const d = found.get(name);
          const def = d ? { name: d.name, version: d.version, properties: d.properties } : null;
          if (cache.size >= max) cache.delete(cache.keys().next().value!);
          cache.set(name, { def, at: t });
          out.set(name, def);
        }
      }
      return out;
    },
    invalidate(name) {
      cache.delete(name);
    },
  };
}
