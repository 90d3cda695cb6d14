// Literals for ClickHouse SQL, which 18.16 needs instead of query parameters. In a ClickHouse
// string literal the backslash escapes, so the standard SQL quoting of ../sql-literal.ts
// (doubled quotes) is NOT safe here: `a\b` would read as a backspace and `\'` would end the
// literal early. Escaping `\` and `'` with a backslash round-trips every string, NUL included
// (docs/clickhouse.md, "Literals instead of parameters").

/** A ClickHouse string literal holding exactly `s`. */
export function chString(s: string): string {
  return "'" + s.replaceAll('\\', '\\\\').replaceAll("'", "\\'") + "'";
}

/** A plain identifier (database, table, column); anything needing quotes is refused. */
export function chIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a plain ClickHouse identifier: ${JSON.stringify(name)}`);
  return name;
}
