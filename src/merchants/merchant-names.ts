// Merchant names: reference data (state table merchant_names), like FX rates loaded by an import
// (PUT /api/v1/merchants, `cli merchants import FILE`), never carried by events — a name is the
// merchant registry's, not a payment's, and an event stream would have to repeat it forever.
// The dashboard asks for the names of the ids it shows, or searches them (ops: every merchant; a
// merchant token: itself only, by the central check scopeMerchants).

import { AppError } from '../errors.ts';
import { CLAIM_ID } from '../auth/principal.ts';
import type { SqlParam, StateStore } from '../state-store/state-store.ts';

export const MERCHANT_NAME_MAX = 200;
/** Rows one import may hold. */
export const MERCHANT_IMPORT_MAX = 100_000;

export interface MerchantName { merchant_id: string; name: string; updated_at: string }

// Control characters (C0, DEL, C1) have no place in a name shown on screen.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A name as stored: trimmed, 1–200 characters, no control characters; else an AppError. */
export function checkMerchantName(merchantId: unknown, name: unknown, where: string): { merchant_id: string; name: string } {
  if (typeof merchantId !== 'string' || !CLAIM_ID.test(merchantId)) {
    throw new AppError('invalid_merchants', `${where}: merchant_id must be 1-128 characters among A-Z a-z 0-9 . _ : @ | -`);
  }
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed || [...trimmed].length > MERCHANT_NAME_MAX || CONTROL.test(trimmed)) {
    throw new AppError('invalid_merchants', `${where}: name must be 1-${MERCHANT_NAME_MAX} characters without control characters`);
  }
  return { merchant_id: merchantId, name: trimmed };
}

/** `merchant_id,name` CSV (a header line, then one merchant a line; a name may be "quoted", "" for a quote). */
export function parseMerchantCsv(text: string): Array<{ merchant_id: string; name: string }> {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines[0]?.replace(/\s/g, '') !== 'merchant_id,name') throw new AppError('invalid_merchants', 'the first line must be the header merchant_id,name');
  return lines.slice(1).map((line, i) => {
    const comma = line.indexOf(',');
    if (comma < 0) throw new AppError('invalid_merchants', `line ${i + 2}: expected merchant_id,name`);
    let name = line.slice(comma + 1).trim();
    if (name.startsWith('"') && name.endsWith('"') && name.length >= 2) name = name.slice(1, -1).replaceAll('""', '"');
    return checkMerchantName(line.slice(0, comma).trim(), name, `line ${i + 2}`);
  });
}

/** Stores the names (the latest import wins for a merchant); returns how many were written. */
export async function importMerchantNames(state: StateStore, rows: ReadonlyArray<{ merchant_id: string; name: string }>, source: string, now: number): Promise<number> {
  if (rows.length > MERCHANT_IMPORT_MAX) throw new AppError('invalid_merchants', `at most ${MERCHANT_IMPORT_MAX} merchants an import`);
  const latest = new Map(rows.map((r) => [r.merchant_id, r.name]));
  const ids = [...latest.keys()];
  const CHUNK = 1000;
  await state.transaction(async (q) => {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      await q.query(
        `INSERT INTO merchant_names (merchant_id, name, updated_at, source)
         SELECT id, name, $3, $4 FROM unnest($1::text[], $2::text[]) AS t(id, name)
         ON CONFLICT (merchant_id) DO UPDATE SET name = EXCLUDED.name, updated_at = EXCLUDED.updated_at, source = EXCLUDED.source`,
        [part, part.map((id) => latest.get(id)!), new Date(now), source]);
    }
  });
  return ids.length;
}

interface Row { merchant_id: string; name: string; updated_at: Date }

/**
 * Merchants by name or id (case-insensitive substring of either), among `only` when given (the
 * caller's scope, or the ids asked for), sorted by name.
 */
export async function searchMerchants(state: StateStore, o: { search?: string; only?: readonly string[]; limit: number }): Promise<MerchantName[]> {
  const params: SqlParam[] = [];
  const where: string[] = [];
  if (o.only) {
    params.push([...o.only]);
    where.push(`merchant_id = ANY($${params.length}::text[])`);
  }
  if (o.search) {
    params.push(`%${o.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(lower(name) LIKE $${params.length} OR lower(merchant_id) LIKE $${params.length})`);
  }
  params.push(o.limit);
  const rows = await state.query<Row>(
    `SELECT merchant_id, name, updated_at FROM merchant_names ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY lower(name), merchant_id LIMIT $${params.length}`, params);
  return rows.map((r) => ({ merchant_id: r.merchant_id, name: r.name, updated_at: r.updated_at.toISOString() }));
}
