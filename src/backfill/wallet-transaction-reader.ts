// Reads rows of a wallet transactions table whose creation time is in [from, to), a page at a
// time, each page with the position after it: from a PostgreSQL table (keyset pages ordered by
// creation time, then id; the position is that pair) or from a file exported from it (CSV with a
// header of column names, or NDJSON of row objects; the position is the rows read so far).
// A reader started at a position continues right after it.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import pg from 'pg';
import { rowTime, type WalletRow } from './wallet-transaction-mapping.ts';

export interface RowPage {
  rows: WalletRow[];
  /** Where the reader stands after this page (opaque; give it back to resume). */
  position: string;
}

export interface RowReader {
  /** Rows in range in the whole source (for the progress bar). */
  count(): Promise<number>;
  pages(after: string | null): AsyncGenerator<RowPage>;
  close(): Promise<void>;
  /** What the position names, for the source's name: `postgres:host/db/table` or `file:/path`. */
  readonly name: string;
}

export interface ReadRange { fromMs: number; toMs: number; pageSize: number }

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

/**
 * `postgres://user@host:port/db?table=schema.wallet_transactions&time=occurred_at`: the table
 * (default wallet_transactions) and its creation-time column (default occurred_at; created_at
 * for a table that names it so).
 */
export function postgresReader(url: string, r: ReadRange): RowReader {
  const u = new URL(url);
  const table = u.searchParams.get('table') ?? 'wallet_transactions';
  const t = u.searchParams.get('time') ?? 'occurred_at';
  if (!IDENT.test(table)) throw new Error(`table=${JSON.stringify(table)}: a table name ([schema.]name: letters, digits, _)`);
  if (!IDENT.test(t) || t.includes('.')) throw new Error(`time=${JSON.stringify(t)}: a column name`);
  u.searchParams.delete('table');
  u.searchParams.delete('time');
  const client = new pg.Client({ connectionString: u.toString() });
  const connected = client.connect();
  const range = [new Date(r.fromMs), new Date(r.toMs)];
  return {
    name: `postgres:${u.host}${u.pathname}/${table}`,
    async count() {
      await connected;
      const res = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${t} >= $1 AND ${t} < $2`, range);
      return res.rows[0].n as number;
    },
    async *pages(after) {
      await connected;
      let cursor = after ? (JSON.parse(after) as { at: string; id: string }) : null;
      for (;;) {
        // The time as text keeps its microseconds (a Date would drop them and repeat rows).
        const res = await client.query(
          `SELECT *, ${t}::text AS backfill_at_, id::text AS backfill_id_ FROM ${table}
            WHERE ${t} >= $1 AND ${t} < $2 AND ($3::timestamptz IS NULL OR (${t}, id::text) > ($3::timestamptz, $4::text))
            ORDER BY ${t}, id::text LIMIT ${r.pageSize}`,
          [...range, cursor ? cursor.at : null, cursor ? cursor.id : null]);
        if (res.rows.length === 0) return;
        const last = res.rows[res.rows.length - 1];
        cursor = { at: String(last.backfill_at_), id: String(last.backfill_id_) };
        yield {
          rows: res.rows.map(({ backfill_at_: _a, backfill_id_: _i, ...row }) => (t === 'occurred_at' ? row : { ...row, occurred_at: row[t] })),
          position: JSON.stringify(cursor),
        };
        if (res.rows.length < r.pageSize) return;
      }
    },
    close: () => client.end(),
  };
}

/** A CSV (header of column names) or NDJSON (one row object a line) export of the table. */
export function fileReader(path: string, r: ReadRange): RowReader {
  const csv = path.endsWith('.csv');
  async function* rows(): AsyncGenerator<WalletRow> {
    if (csv) {
      const parser = createReadStream(path).pipe(parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }));
      for await (const rec of parser as AsyncIterable<WalletRow>) yield rec;
      return;
    }
    for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
      if (line.trim() !== '') yield JSON.parse(line) as WalletRow;
    }
  }
  const inRange = (row: WalletRow) => {
    const t = rowTime(row);
    return t === null || (t >= r.fromMs && t < r.toMs); // a row without a time is mapped, and skipped with its reason
  };
  return {
    name: `file:${path}`,
    async count() {
      let n = 0;
      for await (const row of rows()) if (inRange(row)) n++;
      return n;
    },
    async *pages(after) {
      const skip = after === null ? 0 : Number(after);
      let seen = 0;
      let page: WalletRow[] = [];
      for await (const row of rows()) {
        if (!inRange(row)) continue;
        if (seen++ < skip) continue;
        page.push(row);
        if (page.length >= r.pageSize) {
          yield { rows: page, position: String(seen) };
          page = [];
        }
      }
      if (page.length > 0) yield { rows: page, position: String(seen) };
    },
    close: async () => {},
  };
}
