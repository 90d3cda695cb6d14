// A standard SQL string literal, for the few of our own values that are text (source names,
// validated codes). User input never goes through here: filters become integer keys.

export function sqlString(s: string): string {
  return "'" + s.replaceAll("'", "''") + "'";
}
