// Custom event definitions in the state store (table custom_event_definitions, migration 12):
// define one (version 1, or the next version of an existing name; the same content as the
// latest adds nothing), list the latest versions, read one (latest or a given version).
//
// Scope: definitions are platform-wide — an event type means the same for every producer —
// defined by ops (`events:define`) and read with `analytics:view`. They belong to no merchant,
// so a merchant-scoped token sees none: an empty list and 404, as for another merchant's objects.

import { AppError } from '../errors.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { canonicalProperty, checkCompatible, normalizeDefinition, sameContent, type DefinitionContent, type DefinitionInput, type PropertyDefinition } from './definition.ts';

export interface DefinitionView extends DefinitionContent {
  version: number;
  created_at: string;
  created_by: string;
}

export interface DefineResult {
  definition: DefinitionView;
  /** False when the content equals the latest version's: nothing was written. */
  created: boolean;
}

interface Row {
  name: string; version: number; description: string; properties: PropertyDefinition[]; created_at: Date; created_by: string;
}

const COLUMNS = 'name, version, description, properties, created_at, created_by';
/** Serialises the versions of one name (the first one has no row to lock); the number is this table's. */
const LOCK_CLASS = 7231012;

const viewOf = (r: Row): DefinitionView => ({
  name: r.name, version: r.version, description: r.description, properties: r.properties.map(canonicalProperty),
  created_at: r.created_at.toISOString(), created_by: r.created_by,
});
const contentOf = (r: Row): DefinitionContent => ({ name: r.name, description: r.description, properties: r.properties });

export interface DefinitionDeps {
  state: StateStore;
  now: () => number;
}

/** Creates version 1 of a new event type, or the next version of an existing one (type changes refused). */
export async function defineCustomEvent(deps: DefinitionDeps, input: DefinitionInput, actor: string): Promise<DefineResult> {
  const content = normalizeDefinition(input);
  return deps.state.transaction(async (q) => {
    await q.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, content.name]);
    const history = await q.query<Row>(`SELECT ${COLUMNS} FROM custom_event_definitions WHERE name = $1 ORDER BY version`, [content.name]);
    const latest = history.at(-1);
    if (latest && sameContent(contentOf(latest), content)) return { definition: viewOf(latest), created: false };
    checkCompatible(content, history.map(contentOf));
    const [row] = await q.query<Row>(
      `INSERT INTO custom_event_definitions (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [content.name, (latest?.version ?? 0) + 1, content.description, content.properties, new Date(deps.now()), actor]);
    return { definition: viewOf(row), created: true };
  });
}

/** The latest version of every event type, by name. */
export async function listCustomEvents(q: Queryable, merchantId: string | null): Promise<{ items: DefinitionView[] }> {
  if (merchantId !== null) return { items: [] };
  const rows = await q.query<Row>(`SELECT DISTINCT ON (name) ${COLUMNS} FROM custom_event_definitions ORDER BY name, version DESC`);
  return { items: rows.map(viewOf) };
}

/** One event type's definition: the latest, or `version`. 404 when absent (or for a merchant's token). */
export async function getCustomEvent(q: Queryable, name: string, version: number | null, merchantId: string | null): Promise<DefinitionView> {
  const rows = merchantId !== null ? [] : await q.query<Row>(
    `SELECT ${COLUMNS} FROM custom_event_definitions WHERE name = $1 AND ($2::integer IS NULL OR version = $2) ORDER BY version DESC LIMIT 1`,
    [name, version]);
  if (!rows.length) throw new AppError('not_found', version === null ? `no custom event ${name}` : `no version ${version} of custom event ${name}`);
  return viewOf(rows[0]);
}

/** The latest definition of each name that has one (the track ingest's lookups, cached by definition-cache.ts). */
export async function latestDefinitions(q: Queryable, names: readonly string[]): Promise<DefinitionView[]> {
  if (names.length === 0) return [];
  const rows = await q.query<Row>(
    `SELECT DISTINCT ON (name) ${COLUMNS} FROM custom_event_definitions WHERE name = ANY($1::text[]) ORDER BY name, version DESC`, [names as string[]]);
  return rows.map(viewOf);
}

/**
 * Defines every definition of a file, in order (the CLI's `custom-events load`). Idempotent: an
 * unchanged definition adds no version, so loading the same file twice changes nothing.
 */
export async function loadCustomEvents(deps: DefinitionDeps, inputs: readonly DefinitionInput[], actor: string): Promise<{ created: string[]; unchanged: string[] }> {
  // Every definition is checked before any is written: a bad file writes nothing.
  inputs.forEach(normalizeDefinition);
  const created: string[] = [];
  const unchanged: string[] = [];
  for (const input of inputs) {
    const r = await defineCustomEvent(deps, input, actor);
    (r.created ? created : unchanged).push(`${r.definition.name}@${r.definition.version}`);
  }
  return { created, unchanged };
}
