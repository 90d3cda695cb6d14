// The mapping from a row of a wallet transactions table (the seeds' `wallet_transactions`, one
// row per transaction with its current status) to payment events of our contract
// (docs/events.md). The one place it is defined; docs/operations.md#backfill shows it as a table.
//
// Columns read (others are ignored):
//   id              required  the transaction id → txn_id, and the root of every event id
//   merchant_id     required
//   amount          required  decimal text in major units, as the contract's `amount`
//   currency        required  ISO 4217
//   country         required  ISO 3166-1 alpha-2
//   status          required  pending|created|processing → pending; succeeded|success|completed →
//                             succeeded; failed|declined|error|cancelled → failed (case ignored)
//   occurred_at     required  when the transaction was created (created_at is read if absent)
//   updated_at      optional  when it reached its status (default: occurred_at)
//   fee, city, payment_method, provider, failure_reason, customer_id   optional, as in the contract
//
// A row gives `wallet_txn_created` (status pending, at occurred_at) and, when it is no longer
// pending, `wallet_txn_succeeded` or `wallet_txn_failed` at updated_at. Event ids are derived
// from the row id (`wtx:<id>:created`, `wtx:<id>:succeeded`, `wtx:<id>:failed`): sending a row
// again is a duplicate, never a second transaction; a row whose status changed since adds only
// its new final event (the transaction then counts with its latest status, as ingest decides).

export type WalletRow = Record<string, unknown>;

export type Mapped = { events: Array<Record<string, unknown>> } | { skip: string };

const STATUS: Record<string, 'pending' | 'succeeded' | 'failed'> = {
  pending: 'pending', created: 'pending', processing: 'pending',
  succeeded: 'succeeded', success: 'succeeded', completed: 'succeeded',
  failed: 'failed', declined: 'failed', error: 'failed', cancelled: 'failed', canceled: 'failed',
};

const OPTIONAL = ['fee', 'city', 'payment_method', 'provider', 'customer_id'] as const;

/** A value as the contract's text, or undefined when absent (null, empty). */
function text(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (v instanceof Date) return v.toISOString();
  const s = typeof v === 'string' ? v : String(v);
  return s === '' ? undefined : s;
}

/** An instant as RFC 3339 with an offset: a Date, or text a PostgreSQL/CSV export gives. */
function instant(v: unknown): string | undefined {
  const s = text(v);
  if (s === undefined) return undefined;
  // PostgreSQL's text form: `2026-11-01 10:00:00.123+00` (a space, an offset of hours only).
  const iso = s.replace(/^(\d{4}-\d\d-\d\d) /, '$1T').replace(/([+-]\d\d)$/, '$1:00');
  const ms = v instanceof Date ? v.getTime() : Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** The instant a row is ordered and filtered by (--from/--to): its creation. */
export function rowTime(row: WalletRow): number | null {
  const at = instant(row.occurred_at ?? row.created_at);
  return at === undefined ? null : Date.parse(at);
}

export function mapWalletTransaction(row: WalletRow): Mapped {
  const id = text(row.id);
  if (id === undefined) return { skip: 'missing_id' };
  const createdAt = instant(row.occurred_at ?? row.created_at);
  if (createdAt === undefined) return { skip: 'invalid_occurred_at' };
  const status = STATUS[(text(row.status) ?? '').toLowerCase()];
  if (status === undefined) return { skip: 'unknown_status' };
  const base: Record<string, unknown> = {
    txn_id: id, merchant_id: text(row.merchant_id), amount: text(row.amount), currency: text(row.currency), country: text(row.country),
  };
  for (const k of OPTIONAL) {
    const v = text(row[k]);
    if (v !== undefined) base[k] = v;
  }
  const events: Array<Record<string, unknown>> = [
    { event_id: `wtx:${id}:created`, type: 'wallet_txn_created', status: 'pending', occurred_at: createdAt, ...base },
  ];
  if (status !== 'pending') {
    const at = instant(row.updated_at) ?? createdAt;
    const reason = status === 'failed' ? text(row.failure_reason) : undefined;
    events.push({
      event_id: `wtx:${id}:${status}`, type: `wallet_txn_${status}`, status, occurred_at: at, ...base,
      ...(reason === undefined ? {} : { failure_reason: reason }),
    });
  }
  return { events };
}
