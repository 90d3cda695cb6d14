// A small dataset with known truth: transactions across five merchants over two UTC days, the
// events that describe them (some in two steps, with refunds and disputes), and the KPIs computed
// directly from the transactions — what API answers are checked against.

import { mulberry32 } from './random-stream.ts';

export const NOW = Date.parse('2026-11-20T12:00:00Z');
export const START = Date.parse('2026-11-18T00:00:00Z');
export const MERCHANTS = {
  m_sn: { country: 'SN', region: 'ECOWAS', currency: 'XOF', exp: 0 },
  m_ng: { country: 'NG', region: 'ECOWAS', currency: 'NGN', exp: 2 },
  m_ke: { country: 'KE', region: 'EAC', currency: 'KES', exp: 2 },
  m_cm: { country: 'CM', region: 'CEMAC', currency: 'XAF', exp: 0 },
  m_gh: { country: 'GH', region: 'ECOWAS', currency: 'GHS', exp: 2 }, // never succeeds
} as const;
export type Merchant = keyof typeof MERCHANTS;

export interface Txn { id: string; merchant: Merchant; at: number; status: 'pending' | 'succeeded' | 'failed'; minor: bigint; refunds: number; disputes: number }

export const text = (minor: bigint, exp: number) => (exp === 0 ? String(minor) : `${minor / 100n}.${String(minor % 100n).padStart(2, '0')}`);

/** Transactions (the truth the test checks against) and the events that describe them. */
export function dataset(): { txns: Txn[]; events: Array<Record<string, unknown>> } {
  const rnd = mulberry32(20261120);
  const names = Object.keys(MERCHANTS) as Merchant[];
  const txns: Txn[] = [];
  const events: Array<Record<string, unknown>> = [];
  // Two transactions either side of midnight in Asia/Kolkata, then random ones over two UTC days.
  const times = [Date.parse('2026-11-18T18:20:00Z'), Date.parse('2026-11-18T18:40:00Z')];
  for (let i = 0; i < 80; i++) times.push(START + Math.floor(rnd() * 48 * 60) * 60_000);
  times.forEach((at, i) => {
    const merchant = names[Math.floor(rnd() * names.length)];
    const m = MERCHANTS[merchant];
    const r = rnd();
    const status = merchant === 'm_gh' ? (r < 0.7 ? 'failed' : 'pending') : r < 0.6 ? 'succeeded' : r < 0.85 ? 'failed' : 'pending';
    const minor = BigInt(1 + Math.floor(rnd() * 5_000_000));
    const t: Txn = { id: `q_${i}`, merchant, at, status, minor, refunds: 0, disputes: 0 };
    const base = { txn_id: t.id, merchant_id: merchant, amount: text(minor, m.exp), currency: m.currency, country: m.country };
    const iso = (ms: number) => new Date(ms).toISOString();
    if (status !== 'pending' && rnd() < 0.5) {
      events.push({ event_id: `${t.id}_c`, type: 'wallet_txn_created', status: 'pending', occurred_at: iso(at), ...base });
      events.push({ event_id: `${t.id}_f`, type: status === 'succeeded' ? 'wallet_txn_succeeded' : 'wallet_txn_failed', occurred_at: iso(at + 120_000), ...base });
    } else {
      events.push({ event_id: `${t.id}_c`, type: 'wallet_txn_created', status, occurred_at: iso(at), ...base });
    }
    if (status === 'succeeded' && rnd() < 0.3) {
      t.refunds = 1;
      events.push({ event_id: `${t.id}_r`, type: 'refund_created', refund_id: `${t.id}_r`, occurred_at: iso(at + 60_000), ...base, amount: text(minor / 2n, m.exp) });
    }
    if (status === 'succeeded' && rnd() < 0.1) {
      t.disputes = 1;
      events.push({ event_id: `${t.id}_d`, type: 'dispute_created', dispute_id: `${t.id}_d`, occurred_at: iso(at + 60_000), ...base });
    }
    txns.push(t);
  });
  return { txns, events };
}

export function kpis(ts: Txn[]) {
  const n = (s: string) => ts.filter((x) => x.status === s).length;
  const succeeded = n('succeeded');
  const failed = n('failed');
  const disputes = ts.reduce((s, x) => s + x.disputes, 0);
  return {
    tx_count: ts.length, succeeded_count: succeeded, failed_count: failed, pending_count: n('pending'),
    success_rate: succeeded + failed === 0 ? null : succeeded / (succeeded + failed),
    refund_count: ts.reduce((s, x) => s + x.refunds, 0), dispute_count: disputes,
    chargeback_rate: succeeded === 0 ? null : disputes / succeeded,
  };
}
