// An independent reference for the numbers: from the events in arrival order it recomputes,
// with plain loops and no engine code, what every rollup row must hold. Only the documented
// last tie-breaker (hash96(event_id).h1) is shared with the engine.

import { hash96 } from '../../src/ingest/hash.ts';

const EXPONENT: Record<string, number> = { XOF: 0, NGN: 2, KES: 2, USD: 2, KWD: 3 };
const KIND: Record<string, number> = { refund_created: 4, dispute_created: 5, payout_created: 6, 'payout.settled': 7 };
const PAYMENT_STATUS: Record<string, number> = { wallet_txn_succeeded: 2, wallet_txn_failed: 3, 'invoice.paid': 2 };

export interface Contribution {
  minute: number;
  merchant: string;
  country: string;
  city: string;
  currency: string;
  method: string;
  provider: string;
  kind: number;
  cnt: number;
  amount: bigint;
  fee: bigint;
}

function minor(v: unknown, currency: string): bigint {
  const exp = EXPONENT[currency];
  const [int, frac = ''] = String(v).split('.');
  return BigInt(int + frac.padEnd(exp, '0'));
}

/** First copy of each event_id, in arrival order. */
export function acceptedEvents(events: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const seen = new Set<string>();
  const out: Array<Record<string, unknown>> = [];
  for (const e of events) {
    const id = e.event_id as string;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(e);
  }
  return out;
}

/** One contribution per transaction and per other event. */
export function contributions(events: Array<Record<string, unknown>>): Contribution[] {
  const out: Contribution[] = [];
  const txns = new Map<string, Array<Record<string, unknown>>>();
  for (const e of acceptedEvents(events)) {
    const type = e.type as string;
    if (KIND[type]) {
      out.push(make(e, Math.floor(Date.parse(e.occurred_at as string) / 60000), KIND[type], e));
    } else {
      const list = txns.get(e.txn_id as string) ?? [];
      list.push(e);
      txns.set(e.txn_id as string, list);
    }
  }
  for (const list of txns.values()) {
    const { first, win } = foldTxn(list);
    out.push(make(win.e, Math.floor(first.at / 60000), win.status, first.e));
  }
  return out;
}

interface Fact { e: Record<string, unknown>; at: number; status: number; tie: number }

/** A transaction's creation event (earliest) and latest event, by the documented order. */
function foldTxn(list: Array<Record<string, unknown>>): { first: Fact; win: Fact } {
  const facts = list.map((e) => ({
    e,
    at: Date.parse(e.occurred_at as string),
    status: e.type === 'wallet_txn_created' ? ({ pending: 1, succeeded: 2, failed: 3 } as Record<string, number>)[e.status as string] : PAYMENT_STATUS[e.type as string],
    tie: hash96(e.event_id as string).h1,
  }));
  const first = [...facts].sort((a, b) => a.at - b.at || a.tie - b.tie)[0];
  const rank = (s: number) => (s === 1 ? 0 : 1);
  const win = [...facts].sort((a, b) => b.at - a.at || rank(b.status) - rank(a.status) || b.tie - a.tie)[0];
  return { first, win };
}

/** Each transaction's state as the merchant listing shows it: "merchant|created|updated|status|amount|fee|currency|country|city|method|provider" by txn_id. */
export function transactionStates(events: Array<Record<string, unknown>>): Map<string, string> {
  const txns = new Map<string, Array<Record<string, unknown>>>();
  for (const e of acceptedEvents(events)) {
    if (KIND[e.type as string]) continue;
    const list = txns.get(e.txn_id as string) ?? [];
    list.push(e);
    txns.set(e.txn_id as string, list);
  }
  const out = new Map<string, string>();
  for (const [id, list] of txns) {
    const { first, win } = foldTxn(list);
    const c = make(win.e, 0, win.status, first.e);
    out.set(id, [c.merchant, first.at, win.at, win.status, c.amount, c.fee, c.currency, c.country, c.city, c.method, c.provider].join('|'));
  }
  return out;
}

function make(e: Record<string, unknown>, minute: number, kind: number, fallback: Record<string, unknown>): Contribution {
  const currency = e.currency as string;
  const opt = (k: string) => ((e[k] as string | undefined) ?? (fallback[k] as string | undefined) ?? '');
  return {
    minute, kind, cnt: 1,
    merchant: e.merchant_id as string, country: e.country as string, currency,
    city: opt('city'), method: opt('payment_method'), provider: opt('provider'),
    amount: minor(e.amount, currency),
    fee: e.fee === undefined ? 0n : minor(e.fee, currency),
  };
}

/** Rows keyed "bucket|merchant|country|city|currency|method|provider|kind" → "cnt/amount/fee". */
export function rollupOf(cs: Contribution[], periodMinutes: number): Map<string, string> {
  const acc = new Map<string, { cnt: number; amount: bigint; fee: bigint }>();
  for (const c of cs) {
    const bucket = c.minute - (c.minute % periodMinutes);
    const key = [bucket, c.merchant, c.country, c.city, c.currency, c.method, c.provider, c.kind].join('|');
    const a = acc.get(key) ?? { cnt: 0, amount: 0n, fee: 0n };
    a.cnt += c.cnt;
    a.amount += c.amount;
    a.fee += c.fee;
    acc.set(key, a);
  }
  return new Map([...acc].map(([k, v]) => [k, `${v.cnt}/${v.amount}/${v.fee}`]));
}
