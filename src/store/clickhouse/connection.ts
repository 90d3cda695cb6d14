// One HTTP client to the store's database, with what every call needs: the result-changing
// settings (query-settings.ts), query ids, TabSeparated in and out, Native blocks in and out. The
// database is created when missing (through a second, short-lived client: a request naming a
// missing database fails).

import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { createClient, ClickHouseLogLevel, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { chIdentifier } from './clickhouse-literal.ts';
import { settingsForServer } from './query-settings.ts';
import { parseTypedTsv, type TypedAnswer } from './tsv.ts';
import { parseNative } from './native-answer.ts';

export interface ConnectOptions {
  url: string;
  database: string;
  user?: string;
  password?: string;
}

export interface ChConnection {
  readonly database: string;
  /** What `version()` answered at open, e.g. `18.16.1`. */
  readonly version: string;
  /** The result-changing settings this server knows, sent with every call. */
  readonly settings: ClickHouseSettings;
  /** A statement without an answer (DDL, ALTER, INSERT … SELECT). */
  command(sql: string, queryId?: string): Promise<void>;
  /** A SELECT, decoded by column type (`withTotals`: it groups WITH TOTALS). */
  select(sql: string, withTotals?: boolean): Promise<TypedAnswer>;
  /** The same in Native format (native-answer.ts): cheaper to decode, no WITH TOTALS row, fewer types. */
  selectNative(sql: string): Promise<TypedAnswer>;
  /** Rows in TabSeparated text, in one INSERT (one block below max_insert_block_size rows). */
  insertTsv(table: string, columns: readonly string[], body: string, queryId: string): Promise<void>;
  /** A Native block (native-block.ts) in one INSERT: its columns are named inside it. */
  insertNative(table: string, block: Buffer, queryId: string): Promise<void>;
  /** Streams a SELECT's TabSeparated lines (never the whole answer in memory); the line count. */
  streamLines(sql: string, visit: (line: string) => void): Promise<number>;
  close(): Promise<void>;
}

// The server closes idle keep-alive connections after keep_alive_timeout: 3 s in Debian's
// config, 10 s built in. The client must drop them first, or a request meets a closed socket.
// TRICKY: the client's clock starts when it reads the answer, the server's when it sent it: an
// event loop busy preparing the next batch (a second or more on a loaded machine) can read an
// answer late and then write the next insert into a socket the server has closed (EPIPE or
// ECONNRESET, seen in the 10M-event bench). Stale sockets are also checked by age before each
// request, and a commit that still meets one is retried (commit-retry.ts).
const IDLE_SOCKET_TTL_MS = 2_000;

function client(opts: ConnectOptions, database?: string): ClickHouseClient {
  return createClient({
    url: opts.url,
    database,
    username: opts.user,
    password: opts.password,
    // Failures are errors the store reports; the client would also print each one.
    log: { level: ClickHouseLogLevel.OFF },
    keep_alive: { enabled: true, idle_socket_ttl: IDLE_SOCKET_TTL_MS, eagerly_destroy_stale_sockets: true },
    request_timeout: 120_000,
  });
}

/**
 * The server's error code of a failed call: the client's `code` where it parsed one, else the
 * `Code: N` that 18.16 puts at the start of its message (the client does not parse 18.16's
 * errors); undefined for a failure that is not the server's answer (a reset socket, a timeout).
 */
export function serverErrorCode(err: unknown): number | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && /^\d+$/.test(code)) return Number(code);
  const m = /^Code: (\d+)/.exec(err.message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Whether a call failed on a socket the server reset or closed before answering (no answer, no
 * server error code): the keep-alive race above, met by a read as well as by a commit.
 */
export function isResetSocket(err: unknown): boolean {
  if (!(err instanceof Error) || serverErrorCode(err) !== undefined) return false;
  const code = (err as { code?: unknown }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/.test(err.message);
}

/**
 * A read met by a reset socket is sent once more, on a new connection: a SELECT changes nothing,
 * and at start-up (a busy event loop) a process otherwise died of it (seen in the cluster test).
 */
async function readAgainOnReset<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (err) {
    if (!isResetSocket(err)) throw err;
    return read();
  }
}

/**
 * What the logs need of a failed call, on the error: the statement's beginning, the query id,
 * and the server's error code (`chCode`).
 */
function withStatement(sql: string, queryId?: string) {
  return (err: unknown): never => {
    if (err instanceof Error) {
      Object.assign(err, { statement: sql.replace(/\s+/g, ' ').slice(0, 300), chCode: serverErrorCode(err), queryId });
    }
    throw err;
  };
}

/** Reads an answer to its end (an INSERT answers nothing, but the socket is free only after). */
async function drain(stream: NodeJS.ReadableStream): Promise<void> {
  for await (const _ of stream) { /* nothing */ }
}

/** A query id naming this process's write, so that recovery can see it in system.processes. */
export function newQueryId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

export async function connect(opts: ConnectOptions): Promise<ChConnection> {
  const database = chIdentifier(opts.database);
  const admin = client(opts);
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  } finally {
    await admin.close();
  }
  const ch = client(opts, database);
  try {
    const version = (await (await ch.query({ query: 'SELECT version()', format: 'TabSeparated' })).text()).trim();
    const names = (await (await ch.query({ query: 'SELECT name FROM system.settings', format: 'TabSeparated' })).text()).split('\n');
    const settings = settingsForServer(new Set(names));
    return {
      database, version, settings,
      async command(sql, queryId) {
        await ch.command({ query: sql, clickhouse_settings: settings, query_id: queryId }).catch(withStatement(sql, queryId));
      },
      select: (sql, withTotals) => readAgainOnReset(async () => {
        const rs = await ch.query({ query: sql, format: 'TabSeparatedWithNamesAndTypes', clickhouse_settings: settings })
          .catch(withStatement(sql));
        return parseTypedTsv(await rs.text(), withTotals);
      }),
      selectNative: (sql) => readAgainOnReset(async () => {
        // exec: the client's query() takes no binary format.
        const r = await ch.exec({ query: `${sql}\nFORMAT Native`, clickhouse_settings: settings }).catch(withStatement(sql));
        const chunks: Buffer[] = [];
        try {
          for await (const chunk of r.stream) chunks.push(chunk as Buffer);
        } catch (err) {
          withStatement(sql)(err);
        }
        return parseNative(Buffer.concat(chunks));
      }),
      async insertTsv(table, columns, body, queryId) {
        await ch.insert({
          table, columns: columns as [string, ...string[]], format: 'TabSeparated',
          values: Readable.from([Buffer.from(body)], { objectMode: false }), clickhouse_settings: settings, query_id: queryId,
        }).catch(withStatement(`INSERT INTO ${table} (${columns.join(', ')}) FORMAT TabSeparated`, queryId));
      },
      async insertNative(table, block, queryId) {
        const query = `INSERT INTO ${table} FORMAT Native`;
        // exec: the client's insert() takes no binary format.
        const r = await ch.exec({
          query, values: Readable.from([block], { objectMode: false }), clickhouse_settings: settings, query_id: queryId,
        }).catch(withStatement(query, queryId));
        await drain(r.stream).catch(withStatement(query, queryId));
      },
      async streamLines(sql, visit) {
        const rs = await ch.query({ query: sql, format: 'TabSeparated', clickhouse_settings: settings });
        let n = 0;
        for await (const rows of rs.stream()) {
          for (const row of rows) {
            visit(row.text);
            n++;
          }
        }
        return n;
      },
      close: () => ch.close(),
    };
  } catch (err) {
    await ch.close();
    throw err;
  }
}
