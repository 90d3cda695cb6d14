// A standard SQL string literal. Quotes are doubled; NUL, which ends the SQL text for DuckDB's
// parser, is spliced in with chr(0) (the same in ClickHouse), so any string — ids typed by a
// client included — round-trips exactly and can never end the literal early.

export function sqlString(s: string): string {
  const quoted = "'" + s.replaceAll("'", "''") + "'";
  return s.includes('\0') ? `(${quoted.split('\0').join("' || chr(0) || '")})` : quoted;
}
