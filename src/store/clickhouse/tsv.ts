// TabSeparated in both directions: the store writes its small inserts as TabSeparated (exact for
// 64-bit integers, no JSON number in between; a batch's raw events and rollups go as Native
// blocks, native-block.ts) and reads answers as TabSeparatedWithNamesAndTypes, so
// each value is converted by its column's ClickHouse type. Decimals come out exact: 18.16
// prints them unquoted in JSON, where JSON.parse would round them to a double.
//
// Conventions of a decoded value (the same as DuckDB's node client, so the query modules need
// no branch): integers up to 32 bits → number; Int64/UInt64 and wider, and Decimal(P, 0) →
// bigint; Decimal(P, S > 0) → number (cast in SQL if it must stay exact); Float → number (nan,
// inf, -inf included); NULL → null; everything else (String, Date, DateTime, UUID, Enum, and
// Array or Tuple as their text) → string.

// ── writing ─────────────────────────────────────────────────────────────────

/** A string as one TabSeparated field: `\`, tab, newline and CR escaped. */
export function tsvString(s: string): string {
  if (!/[\\\t\n\r]/.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r'));
}

/** A Nullable(String) field: `\N` for null. */
export function tsvNullable(s: string | null): string {
  return s === null ? '\\N' : tsvString(s);
}

// ── reading ─────────────────────────────────────────────────────────────────

const ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v' };

/** The text of an escaped TabSeparated field. */
export function tsvUnescape(field: string): string {
  if (!field.includes('\\')) return field;
  let out = '';
  for (let i = 0; i < field.length; i++) {
    const c = field[i];
    if (c !== '\\' || i + 1 === field.length) {
      out += c;
      continue;
    }
    const next = field[++i];
    out += ESCAPES[next] ?? next;
  }
  return out;
}

export type Decoder = (field: string) => unknown;

const NARROW_INT = /^U?Int(8|16|32)$/;
const WIDE_INT = /^U?Int(64|128|256)$/;
const DECIMAL = /^Decimal(?:\((\d+),\s*(\d+)\)|(?:32|64|128|256)\((\d+)\))$/;

function float(f: string): number {
  if (f === 'nan' || f === '-nan') return NaN;
  if (f === 'inf' || f === '+inf') return Infinity;
  if (f === '-inf') return -Infinity;
  return Number(f);
}

/** The decoder of one column type as 18.16 and later releases name it. */
export function decoderOf(type: string): Decoder {
  const wrapped = /^(LowCardinality|Nullable)\((.*)\)$/.exec(type);
  if (wrapped) {
    const inner = decoderOf(wrapped[2]);
    return wrapped[1] === 'Nullable' ? (f) => (f === '\\N' ? null : inner(f)) : inner;
  }
  if (NARROW_INT.test(type)) return Number;
  if (WIDE_INT.test(type)) return BigInt;
  const decimal = DECIMAL.exec(type);
  if (decimal) return Number(decimal[2] ?? decimal[3]) === 0 ? BigInt : Number;
  if (type === 'Float32' || type === 'Float64') return float;
  if (type === 'Nothing') return () => null;
  if (type === 'Bool') return (f) => f === 'true';
  return tsvUnescape;
}

export interface TypedAnswer {
  names: string[];
  types: string[];
  /** Decoded values, column by column. */
  columns: unknown[][];
  rowCount: number;
  /** The WITH TOTALS row, when asked for and present. */
  totals?: unknown[];
}

/**
 * Parses a TabSeparatedWithNamesAndTypes answer. A line with the wrong number of fields is an
 * error: 18.16 reports a failure met after the first rows were sent as plain text in the body.
 * `withTotals`: the statement groups WITH TOTALS, whose row follows the others after an empty
 * line (asked for by the caller: an empty line is also a row of one empty string).
 */
export function parseTypedTsv(text: string, withTotals = false): TypedAnswer {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length < 2) throw new Error(`ClickHouse answer without its header lines: ${text.slice(0, 500)}`);
  const names = lines[0].split('\t').map(tsvUnescape);
  const types = lines[1].split('\t').map(tsvUnescape);
  const decoders = types.map(decoderOf);
  let totals: unknown[] | undefined;
  if (withTotals && lines.length >= 4 && lines[lines.length - 2] === '') {
    const fields = lines.pop()!.split('\t');
    lines.pop();
    if (fields.length !== names.length) throw new Error(`ClickHouse totals row broken: ${fields.join('\t').slice(0, 500)}`);
    totals = fields.map((f, c) => decoders[c](f));
  }
  const columns: unknown[][] = names.map(() => new Array(lines.length - 2));
  for (let r = 2; r < lines.length; r++) {
    const fields = lines[r].split('\t');
    if (fields.length !== names.length) throw new Error(`ClickHouse answer broken at row ${r - 2}: ${lines.slice(r).join('\n').slice(0, 500)}`);
    for (let c = 0; c < fields.length; c++) columns[c][r - 2] = decoders[c](fields[c]);
  }
  return { names, types, columns, rowCount: lines.length - 2, ...(totals ? { totals } : {}) };
}

/** The same answer as row objects. */
export function rowsOf(answer: TypedAnswer): Array<Record<string, unknown>> {
  const rows = new Array<Record<string, unknown>>(answer.rowCount);
  for (let r = 0; r < answer.rowCount; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < answer.names.length; c++) row[answer.names[c]] = answer.columns[c][r];
    rows[r] = row;
  }
  return rows;
}
