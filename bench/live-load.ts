// The live bench's traffic: 20 countries in 5 regions, 2 cities each, 1,000 merchants, and the
// open-loop HTTP ingest (fixed-size NDJSON batches on a fixed schedule, occurred_at = now, every
// event a new payment with a unique id). Records, per batch, the cumulative number of events
// sent with it and when its 2xx arrived. bench/kafka-latency.ts produces the same payments to Kafka.

export const PLACES: ReadonlyArray<{ country: string; region: string; currency: string; cities: [string, string] }> = [
  { country: 'SN', region: 'ECOWAS', currency: 'XOF', cities: ['Dakar', 'Thies'] },
  { country: 'CI', region: 'ECOWAS', currency: 'XOF', cities: ['Abidjan', 'Bouake'] },
  { country: 'NG', region: 'ECOWAS', currency: 'NGN', cities: ['Lagos', 'Abuja'] },
  { country: 'GH', region: 'ECOWAS', currency: 'GHS', cities: ['Accra', 'Kumasi'] },
  { country: 'ML', region: 'ECOWAS', currency: 'XOF', cities: ['Bamako', 'Sikasso'] },
  { country: 'CM', region: 'CEMAC', currency: 'XAF', cities: ['Douala', 'Yaounde'] },
  { country: 'GA', region: 'CEMAC', currency: 'XAF', cities: ['Libreville', 'Franceville'] },
  { country: 'CG', region: 'CEMAC', currency: 'XAF', cities: ['Brazzaville', 'Dolisie'] },
  { country: 'KE', region: 'EAC', currency: 'KES', cities: ['Nairobi', 'Mombasa'] },
  { country: 'UG', region: 'EAC', currency: 'UGX', cities: ['Kampala', 'Gulu'] },
  { country: 'TZ', region: 'EAC', currency: 'TZS', cities: ['Dodoma', 'Arusha'] },
  { country: 'RW', region: 'EAC', currency: 'RWF', cities: ['Kigali', 'Huye'] },
  { country: 'ZA', region: 'SADC', currency: 'ZAR', cities: ['Johannesburg', 'Durban'] },
  { country: 'ZM', region: 'SADC', currency: 'ZMW', cities: ['Lusaka', 'Ndola'] },
  { country: 'MZ', region: 'SADC', currency: 'MZN', cities: ['Maputo', 'Beira'] },
  { country: 'BW', region: 'SADC', currency: 'BWP', cities: ['Gaborone', 'Francistown'] },
  { country: 'MA', region: 'NORTH_AFRICA', currency: 'MAD', cities: ['Casablanca', 'Rabat'] },
  { country: 'EG', region: 'NORTH_AFRICA', currency: 'EGP', cities: ['Cairo', 'Alexandria'] },
  { country: 'TN', region: 'NORTH_AFRICA', currency: 'TND', cities: ['Tunis', 'Sfax'] },
  { country: 'DZ', region: 'NORTH_AFRICA', currency: 'DZD', cities: ['Algiers', 'Oran'] },
];
export const MERCHANTS = Array.from({ length: 1000 }, (_, i) => `lm_${String(i).padStart(4, '0')}`);
const METHODS = ['wallet', 'card', 'ussd', 'qr'];
const PROVIDERS = ['orange_money', 'mtn_momo', 'wave', 'visa'];

/** The rooms of `n` clients: 10% global, 10% regions, 30% countries, 20% cities, 30% merchants. */
export function roomsFor(n: number): string[] {
  const regions = [...new Set(PLACES.map((p) => p.region))];
  const cities = PLACES.flatMap((p) => p.cities.map((c) => `city:${p.country}:${c}`));
  const share = (f: number) => Math.round(n * f);
  const out: string[] = [];
  for (let i = 0; i < share(0.1); i++) out.push('global');
  for (let i = 0; i < share(0.1); i++) out.push(`region:${regions[i % regions.length]}`);
  for (let i = 0; i < share(0.3); i++) out.push(`country:${PLACES[i % PLACES.length].country}`);
  for (let i = 0; i < share(0.2); i++) out.push(cities[i % cities.length]);
  while (out.length < n) out.push(`merchant:${MERCHANTS[out.length % MERCHANTS.length]}`);
  return out;
}

const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)];

/** `size` new payments (wallet_txn_created, unique ids `<run>_<batch>_<j>`) at "now", as NDJSON lines. */
export function paymentLines(run: string, batch: number, size: number): string[] {
  const at = new Date().toISOString();
  const lines: string[] = [];
  for (let j = 0; j < size; j++) {
    const p = pick(PLACES);
    const id = `${run}_${batch}_${j}`;
    const r = Math.random();
    const status = r < 0.85 ? 'succeeded' : r < 0.95 ? 'failed' : 'pending';
    lines.push(`{"event_id":"${id}","type":"wallet_txn_created","status":"${status}","txn_id":"${id}","merchant_id":"${pick(MERCHANTS)}",`
      + `"amount":"${100 + Math.floor(Math.random() * 50_000)}","currency":"${p.currency}","country":"${p.country}","city":"${pick(p.cities)}",`
      + `"payment_method":"${pick(METHODS)}","provider":"${pick(PROVIDERS)}","customer_id":"c_${Math.floor(Math.random() * 100_000)}","occurred_at":"${at}"}`);
  }
  return lines;
}

export interface BatchRecord { n: number; sentAt: number; ackAt: number; target: number }
export interface LoadResult { batches: BatchRecord[]; sent: number; accepted: number; seconds: number; maxBehindMs: number; maxInFlight: number }

export async function ingestLoad(o: {
  targets: string[]; token: string; rate: number; batch: number; seconds: number; maxInFlight: number; run: string;
}): Promise<LoadResult> {
  const interval = (1000 * o.batch) / o.rate;
  const total = Math.round((o.seconds * o.rate) / o.batch);
  const batches: BatchRecord[] = [];
  const inflight = new Set<Promise<void>>();
  let accepted = 0, maxBehindMs = 0, maxInFlight = 0, failure: Error | null = null;
  const start = performance.now();
  for (let i = 0; i < total && !failure; i++) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    while (inflight.size >= o.maxInFlight) await Promise.race(inflight);
    maxBehindMs = Math.max(maxBehindMs, performance.now() - due);
    const target = i % o.targets.length;
    const rec: BatchRecord = { n: (i + 1) * o.batch, sentAt: Date.now(), ackAt: NaN, target };
    batches.push(rec);
    const p = fetch(`${o.targets[target]}/api/v1/events`, {
      method: 'POST', headers: { 'content-type': 'application/x-ndjson', authorization: `Bearer ${o.token}` }, body: paymentLines(o.run, i, o.batch).join('\n'),
    }).then(async (res) => {
      const text = await res.text();
      rec.ackAt = Date.now();
      if (res.status !== 200) throw new Error(`POST → ${res.status}: ${text.slice(0, 300)}`);
      accepted += (JSON.parse(text) as { accepted: number }).accepted;
    }).catch((err: Error) => { failure ??= err; }).finally(() => inflight.delete(p));
    inflight.add(p);
    maxInFlight = Math.max(maxInFlight, inflight.size);
  }
  await Promise.all(inflight);
  if (failure) throw failure;
  const seconds = (Math.max(...batches.map((b) => b.ackAt)) - batches[0].sentAt) / 1000;
  return { batches, sent: batches.length * o.batch, accepted, seconds, maxBehindMs: Math.round(maxBehindMs), maxInFlight };
}
