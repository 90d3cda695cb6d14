// The CSV form of contract v1 events: one column per contract field, an empty cell for an absent
// field, metadata as JSON text, and RFC 4180 quoting (cells with a comma, quote or line break are
// quoted, quotes doubled). Rows end with "\n", which RFC 4180 readers accept as well as CRLF.

export const CSV_COLUMNS = [
  'event_id', 'type', 'occurred_at', 'txn_id', 'refund_id', 'dispute_id', 'payout_id', 'merchant_id',
  'amount', 'fee', 'currency', 'country', 'city', 'payment_method', 'provider', 'status',
  'failure_reason', 'customer_id', 'reason', 'metadata',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];

/** The header row, without its line ending. */
export const CSV_HEADER = CSV_COLUMNS.join(',');

const NEEDS_QUOTES = /[",\r\n]/;

/** One RFC 4180 cell. */
export function csvCell(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** One event as a CSV row in CSV_COLUMNS order, without its line ending. Other fields are dropped. */
export function eventToCsvRow(event: Readonly<Record<string, unknown>>): string {
  let row = '';
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    const cell = csvCell(cellText(event[CSV_COLUMNS[i]]));
    row = i === 0 ? cell : `${row},${cell}`;
  }
  return row;
}
