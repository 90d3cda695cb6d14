// Random event streams for property tests: transactions with full, partial and contradictory
// lifecycles, refunds, disputes, payouts, several currencies and offsets, exact duplicates
// (also re-encoded: number vs string amount, another offset notation), conflicting
// re-sends, shuffling and late arrivals. Seeded, so a failure can be replayed.

export interface StreamOptions {
  seed: number;
  txns: number;
  start: number; // epoch ms
  spanMs: number;
}

export interface GeneratedStream {
  /** Events in arrival order. */
  events: Array<Record<string, unknown>>;
  /** Number of event ids sent twice with different content. */
  conflicts: number;
}

export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MERCHANTS: Array<{ id: string; country: string; currency: string; offset: string; cities: string[] }> = [
  { id: 'm_dakar', country: 'SN', currency: 'XOF', offset: '+00:00', cities: ['Dakar', 'Thiès'] },
  { id: 'm_lagos', country: 'NG', currency: 'NGN', offset: '+01:00', cities: ['Lagos', 'Abuja', 'Kano'] },
  { id: 'm_nairobi', country: 'KE', currency: 'KES', offset: '+03:00', cities: ['Nairobi', 'Mombasa'] },
  { id: 'm_usd', country: 'CI', currency: 'USD', offset: '-01:00', cities: ['Abidjan'] },
  { id: 'm_kwd', country: 'KW', currency: 'KWD', offset: '+03:00', cities: ['Kuwait City'] },
];
const EXPONENT: Record<string, number> = { XOF: 0, NGN: 2, KES: 2, USD: 2, KWD: 3 };
const METHODS = ['wallet', 'card', 'ussd', null];
const PROVIDERS = ['Wave', 'Orange Money', 'M-Pesa', null];

export function formatAt(ms: number, offset: string): string {
  const sign = offset[0] === '-' ? -1 : 1;
  const mins = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const local = new Date(ms + mins * 60000).toISOString().slice(0, 23);
  return local + (offset === '+00:00' ? 'Z' : offset);
}

function amountText(minor: number, exp: number): string {
  if (exp === 0) return String(minor);
  const s = String(minor).padStart(exp + 1, '0');
  return s.slice(0, -exp) + '.' + s.slice(-exp);
}

export function randomStream(o: StreamOptions): GeneratedStream {
  const rnd = mulberry32(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const events: Array<Record<string, unknown>> = [];
  let seq = 0;
  const id = () => `e${o.seed}_${seq++}`;
  for (let t = 0; t < o.txns; t++) {
    const m = pick(MERCHANTS);
    const exp = EXPONENT[m.currency];
    const base = { merchant_id: m.id, currency: m.currency, country: m.country };
    const txn = `t${o.seed}_${t}`;
    const at = o.start + Math.floor(rnd() * o.spanMs);
    const amount = 1 + Math.floor(rnd() * 500_000);
    const dims = () => ({
      ...(rnd() < 0.8 ? { city: pick(m.cities) } : {}),
      ...(rnd() < 0.7 ? { payment_method: pick(METHODS) ?? undefined } : {}),
      ...(rnd() < 0.7 ? { provider: pick(PROVIDERS) ?? undefined } : {}),
    });
    const pay = (type: string, when: number, extra: Record<string, unknown> = {}) => ({
      event_id: id(), type, occurred_at: formatAt(when, rnd() < 0.5 ? '+00:00' : m.offset),
      txn_id: txn, ...base, amount: amountText(amount, exp), ...dims(), ...extra,
    });
    const shape = rnd();
    const later = at + Math.floor(rnd() * 3 * 3600_000) * (rnd() < 0.2 ? 0 : 1); // sometimes a tie
    if (shape < 0.55) {
      events.push(pay('wallet_txn_created', at, { status: 'pending' }));
      events.push(pay(rnd() < 0.85 ? 'wallet_txn_succeeded' : 'wallet_txn_failed', later,
        rnd() < 0.2 ? { amount: amountText(amount + 7, exp), fee: amountText(Math.floor(amount / 50), exp) } : {}));
    } else if (shape < 0.65) {
      events.push(pay('wallet_txn_created', at, { status: pick(['succeeded', 'failed', 'pending']) }));
    } else if (shape < 0.72) {
      events.push(pay('invoice.paid', at, { fee: amountText(Math.floor(amount / 100), exp) }));
    } else if (shape < 0.8) {
      // contradictory: succeeded then failed later (or at the same instant)
      events.push(pay('wallet_txn_created', at, { status: 'pending' }));
      events.push(pay('wallet_txn_succeeded', later));
      events.push(pay('wallet_txn_failed', later + (rnd() < 0.5 ? 0 : 60_000)));
    } else if (shape < 0.88) {
      events.push(pay('wallet_txn_succeeded', later)); // created never arrives
    } else {
      events.push(pay('wallet_txn_created', at, { status: 'pending' }));
      events.push(pay('wallet_txn_succeeded', later));
      const when = later + Math.floor(rnd() * 86_400_000);
      const kind = rnd();
      if (kind < 0.5) events.push({ event_id: id(), type: 'refund_created', occurred_at: formatAt(when, m.offset), refund_id: `r${txn}`, txn_id: txn, ...base, amount: amountText(Math.max(1, Math.floor(amount / 3)), exp) });
      else if (kind < 0.8) events.push({ event_id: id(), type: 'dispute_created', occurred_at: formatAt(when, m.offset), dispute_id: `d${txn}`, txn_id: txn, ...base, amount: amountText(amount, exp), reason: 'fraud' });
      else {
        events.push({ event_id: id(), type: 'payout_created', occurred_at: formatAt(when, m.offset), payout_id: `p${txn}`, ...base, amount: amountText(amount * 3, exp) });
        events.push({ event_id: id(), type: 'payout.settled', occurred_at: formatAt(when + 3600_000, m.offset), payout_id: `p${txn}`, ...base, amount: amountText(amount * 3, exp) });
      }
    }
  }
  // Shuffle (reordering), then re-send some events: exact copies, re-encoded copies and conflicts.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  let conflicts = 0;
  const resend: Array<Record<string, unknown>> = [];
  for (const e of events) {
    const r = rnd();
    if (r < 0.08) resend.push({ ...e });
    else if (r < 0.12) resend.push({ ...e, amount: Number(e.amount) }); // same value as a JSON number
    else if (r < 0.14) {
      resend.push({ ...e, amount: amountText(Math.round(Number(e.amount) * 10 ** EXPONENT[e.currency as string]) + 1, EXPONENT[e.currency as string]) });
      conflicts++;
    }
  }
  // Late events: a few originals held back to the very end.
  const late = events.filter(() => rnd() < 0.05);
  const onTime = events.filter((e) => !late.includes(e));
  const out = [...onTime];
  for (const r of resend) out.splice(Math.floor(rnd() * (out.length + 1)), 0, r);
  // Whichever copy of a conflicting pair arrives first stands; the reference follows arrival order.
  return { events: [...out, ...late], conflicts };
}
