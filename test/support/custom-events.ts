// Test helper: what the custom-event store tests start from — a private ClickHouse server, a
// temp directory, a state store there holding one custom event definition — and the track use
// case's dependencies over an engine at a fixed clock.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from './clickhouse-server.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';
import { defineCustomEvent } from '../../src/custom-events/custom-event-definitions.ts';
import { createDefinitionCache } from '../../src/custom-events/definition-cache.ts';
import type { DefinitionInput } from '../../src/custom-events/definition.ts';
import type { TrackDeps } from '../../src/custom-events/track-events.ts';
import type { Engine } from '../../src/ingest/engine.ts';

export interface CustomEventsFixture {
  server: ClickHouseServer;
  dir: string;
  state: StateStore;
  /** Closes the state store, stops the server, removes the directory (close engines and stores first). */
  close(): Promise<void>;
}

export async function openCustomEventsFixture(name: string, now: number, definition: DefinitionInput): Promise<CustomEventsFixture> {
  const server = await startClickHouse();
  const dir = mkdtempSync(join(tmpdir(), `molam-${name}-`));
  const state = await openStateStore({ databaseUrl: '', dataDir: dir });
  await defineCustomEvent({ state, now: () => now }, definition, 'test');
  return {
    server, dir, state,
    async close() {
      await state.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function trackDeps(state: StateStore, engine: Engine, now: number): TrackDeps {
  return {
    definitions: createDefinitionCache(state, { ttlMs: 60_000, now: () => now }), submit: engine.submitTracked,
    now: () => now, maxFutureMs: 300_000, rawRetentionDays: 90,
  };
}
