// String literals for each backend, so any string — ids typed by a client included — round-trips
// exactly and can never end the literal early.
// - DuckDB (standard SQL): quotes are doubled; NUL, which ends the SQL text for DuckDB's parser,
//   is spliced in with chr(0).
// - ClickHouse: the backslash is an escape character inside literals, so doubling quotes is not
//   safe there (`\'` would end the literal); `\` and `'` are escaped with a backslash, which
//   round-trips every code point, NUL included (docs/clickhouse.md).

import type { BackendKind } from './backend.ts';
import { chString } from './clickhouse/clickhouse-literal.ts';

export function sqlString(s: string, kind: BackendKind): string {
  if (kind === 'clickhouse') return chString(s);
  const quoted = "'" + s.replaceAll("'", "''") + "'";
  return s.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
}

/** An integer literal; anything else is a programming error, never interpolated. */
export function sqlInt(n: number | bigint): string {
  if (typeof n === 'bigint') return n.toString();
  if (!Number.isSafeInteger(n)) throw new TypeError(`not a safe integer: ${n}`);
  return String(n);
}
