// The generator's engine: turns a payment started at a given time into its whole story (outcome,
// refund, dispute, and the merchant payouts its money feeds), schedules each event with the
// deliberate delivery faults of real producers (late, out of order, duplicated) and hands events
// back in arrival order. Both the batch and the live generator drive it.

import { localActivity, localMinute } from './diurnal.ts';
import { EventQueue } from './event-queue.ts';
import { EventWriter, type GeneratedEvent, type Txn } from './event-writer.ts';
import { IdMint, seedTag } from './ids.ts';
import { sampleAmountMinor } from './amounts.ts';
import { createMerchantPool, type Merchant, type MerchantPool } from './merchants.ts';
import { CdfSampler, createPrng, pickCumulative, type Prng, type Seed } from './prng.ts';
import {
  DISPUTE_REASONS, METHOD_BEHAVIOUR, SHAPES, SHAPE_WEIGHTS, duplicateDelayMs, failureReason, hourSuccessAdjust,
  logNormalMs, logUniform, outcomeDelayMs, type Timing,
} from './behaviour.ts';

export type { GeneratedEvent } from './event-writer.ts';

export interface EngineOptions {
  seed: Seed;
  merchants: number;
  /** The merchants' seed when it differs from the events' (the demo's live stream shares its history's merchants, not its ids). */
  poolSeed?: Seed;
  /** occurred_at of every event lies in [start, end). */
  start: number;
  end: number;
  duplicateRate: number;
  lateRate: number;
  outOfOrderRate: number;
  timing: Timing;
}

/** A merchant's payout falling due at `at`; its amount is the balance then. */
class PayoutDue {
  constructor(readonly merchant: Merchant, readonly at: number) {}
}

const MINUTE = 60_000;
const CHANNELS = ['web', 'app', 'pos', 'ussd', 'api'] as const;
const CAMPAIGNS = ['tabaski', 'ramadan', 'back_to_school', 'black_friday', 'year_end'] as const;
const shapeSampler = new CdfSampler(SHAPE_WEIGHTS);

export class Engine {
  /** Events scheduled so far that will be handed out (due payouts count as one). */
  produced = 0;
  readonly pool: MerchantPool;
  private readonly rng: Prng;
  private readonly queue = new EventQueue<GeneratedEvent | PayoutDue>();
  private readonly ids: Record<'txn' | 'inv' | 're' | 'dp' | 'po' | 'ord', IdMint>;
  private readonly writer: EventWriter;

  constructor(private readonly o: EngineOptions) {
    this.rng = createPrng(o.seed, 0x5eed);
    this.pool = createMerchantPool(o.poolSeed ?? o.seed, o.merchants);
    const tag = seedTag(o.seed);
    const mint = (prefix: string) => new IdMint(prefix, tag, o.seed);
    this.writer = new EventWriter(o.seed, tag, o.start);
    this.ids = { txn: mint('txn_'), inv: mint('inv_'), re: mint('re_'), dp: mint('dp_'), po: mint('po_'), ord: mint('ord_') };
  }

  nextArrival(): number {
    return this.queue.peekArrival();
  }

  /** The next event arriving at or before `until`, settling due payouts on the way; else null. */
  take(until: number): GeneratedEvent | null {
    while (this.queue.peekArrival() <= until) {
      const value = this.queue.pop() as GeneratedEvent | PayoutDue;
      if (!(value instanceof PayoutDue)) return value;
      this.payOut(value.merchant, value.at);
    }
    return null;
  }

  /** Starts one payment at `t` (epoch ms) and schedules its events. */
  startPayment(t: number): void {
    const { rng, o } = this;
    const m = this.pickMerchant(t);
    const shape = SHAPES[shapeSampler.sample(rng)];
    const txn = this.newTxn(m, shape === 'invoice');
    const hour = Math.floor(localMinute(t, m.zone.standardOffset) / 60);
    const success = txn.route.provider.success + m.successAdjust + hourSuccessAdjust(hour);
    const succeeded = shape === 'invoice' || (shape !== 'stuck' && rng.chance(success));
    const reason = succeeded || shape === 'stuck' ? null : failureReason(rng, txn.route.method);
    const sentReason = reason !== null && rng.chance(0.9) ? reason : null; // some producers omit it
    if (shape === 'lifecycle') {
      const created = this.writer.payment('wallet_txn_created', txn, t, 'pending', null);
      const doneAt = t + outcomeDelayMs(rng, txn.route.method, reason);
      if (doneAt >= o.end) {
        this.schedule(created, t, t); // resolves after the window: pending as far as it shows
        return;
      }
      const final = this.writer.payment(succeeded ? 'wallet_txn_succeeded' : 'wallet_txn_failed', txn, doneAt, null, sentReason);
      const swapped = rng.chance(o.outOfOrderRate);
      this.schedule(created, t, swapped ? doneAt + rng.int(200, 5000) : t);
      this.schedule(final, doneAt, doneAt);
      if (succeeded) this.afterSuccess(txn, doneAt);
    } else if (shape === 'stuck') {
      this.schedule(this.writer.payment('wallet_txn_created', txn, t, 'pending', null), t, t);
    } else {
      const type = shape === 'invoice' ? 'invoice.paid' : 'wallet_txn_created';
      const status = shape === 'invoice' ? null : succeeded ? 'succeeded' : 'failed';
      this.schedule(this.writer.payment(type, txn, t, status, sentReason), t, t);
      if (succeeded) this.afterSuccess(txn, t);
    }
  }

  /** Currency, amount, fee, route, customer and metadata of a new payment by `m`. */
  private newTxn(m: Merchant, invoice: boolean): Txn {
    const { rng } = this;
    const money = m.foreign !== null && rng.chance(m.foreign.share) ? m.foreign : m.home;
    const route = m.routes[pickCumulative(rng, m.routeCdf)];
    const amountMinor = sampleAmountMinor(rng, money.profile, money.median, m.category.sigma);
    return {
      id: invoice ? this.ids.inv.next() : this.ids.txn.next(), merchant: m, money, amountMinor,
      feeMinor: Math.round(amountMinor * METHOD_BEHAVIOUR[route.method].feeRate * m.feeFactor), route,
      customer: rng.chance(m.customerRate) ? this.customer(m) : null,
      metadata: rng.chance(m.metadataRate) ? this.metadata() : null,
    };
  }

  /** Zipf by volume, thinned by each merchant's local time of day. */
  private pickMerchant(t: number): Merchant {
    let m = this.pool.at(this.pool.zipf.sample(this.rng));
    for (let tries = 0; tries < 50; tries++) {
      if (this.rng.float() < localActivity(t, m.zone.standardOffset)) break;
      m = this.pool.at(this.pool.zipf.sample(this.rng));
    }
    return m;
  }

  private customer(m: Merchant): string {
    const u = this.rng.float();
    return `cus_${m.id.slice(4)}${Math.floor(m.customers * u * u).toString(36)}`;
  }

  private metadata(): Record<string, unknown> {
    const { rng } = this;
    const channel = CHANNELS[rng.weighted([40, 30, 15, 10, 5])];
    const md: Record<string, unknown> = { order_id: this.ids.ord.next(), channel };
    if (channel === 'pos') md.terminal_id = `T${rng.int(10_000, 99_999)}`;
    if (channel === 'app') md.app_version = rng.pick(['3.2.1', '3.3.0', '3.4.2']);
    if (rng.chance(0.2)) md.campaign = rng.pick(CAMPAIGNS);
    return md;
  }

  private afterSuccess(txn: Txn, at: number): void {
    const { rng, o } = this;
    const m = txn.merchant;
    const home = txn.money === m.home;
    if (home) {
      m.balanceMinor += txn.amountMinor - txn.feeMinor;
      this.maybePayout(m, at);
    }
    if (rng.chance(m.refundRate)) {
      const refundAt = at + MINUTE + logNormalMs(rng, o.timing.refundMedianMs, o.timing.refundSigma, o.timing.refundMaxMs);
      const amount = rng.chance(0.75) ? txn.amountMinor : partial(txn.amountMinor, rng.float(), txn.money.profile.exponent);
      if (refundAt < o.end) {
        if (home) m.balanceMinor -= amount;
        this.schedule(this.writer.refund(this.ids.re.next(), txn, amount, refundAt), refundAt, refundAt);
      }
    }
    if (rng.chance(METHOD_BEHAVIOUR[txn.route.method].disputeRate * m.category.disputeFactor)) {
      const disputeAt = at + logNormalMs(rng, o.timing.disputeMedianMs, o.timing.disputeSigma, o.timing.disputeMaxMs);
      const reason = rng.chance(0.85) ? rng.pick(DISPUTE_REASONS) : null;
      if (disputeAt < o.end) {
        this.schedule(this.writer.dispute(this.ids.dp.next(), txn, disputeAt, reason), disputeAt, disputeAt);
      }
    }
  }

  /** Books the next payout slot (local time, merchant's cadence) once the balance is worth it. */
  private maybePayout(m: Merchant, at: number): void {
    if (m.payoutPending || m.balanceMinor < m.payoutThresholdMinor) return;
    m.payoutPending = true;
    const interval = this.o.timing.payoutIntervalsMs[m.payoutCadence];
    const shift = m.payoutPhase * interval - m.zone.standardOffset * MINUTE;
    const jitter = this.rng.int(0, interval / 20);
    const slot = Math.round((Math.floor((at - shift) / interval) + 1) * interval + shift + jitter);
    if (slot >= this.o.end) return;
    this.queue.push(slot, new PayoutDue(m, slot));
    this.produced++;
  }

  private payOut(m: Merchant, at: number): void {
    m.payoutPending = false;
    this.produced--;
    const amount = m.balanceMinor;
    if (amount <= 0) return;
    m.balanceMinor = 0;
    const id = this.ids.po.next();
    const settledAt = at + logNormalMs(this.rng, this.o.timing.settleMedianMs, 0.8, 20 * this.o.timing.settleMedianMs);
    this.schedule(this.writer.payout('payout_created', id, m, amount, at), at, at);
    if (settledAt < this.o.end) this.schedule(this.writer.payout('payout.settled', id, m, amount, settledAt), settledAt, settledAt);
  }

  /** Queues an event; some arrive hours late, some twice. */
  private schedule(event: GeneratedEvent, occurredAt: number, arrival: number): void {
    const { rng, o } = this;
    if (rng.chance(o.lateRate)) arrival = Math.max(arrival, occurredAt + logUniform(rng, o.timing.lateMinMs, o.timing.lateMaxMs));
    this.queue.push(arrival, event);
    this.produced++;
    if (rng.chance(o.duplicateRate)) {
      this.queue.push(arrival + duplicateDelayMs(rng), { ...event });
      this.produced++;
    }
  }
}

/** A partial refund: 10–90% of the amount, in whole major units when that leaves something. */
function partial(amountMinor: number, u: number, exponent: 0 | 2): number {
  const unit = exponent === 0 ? 1 : 100;
  const raw = amountMinor * (0.1 + 0.8 * u);
  const whole = Math.round(raw / unit) * unit;
  return Math.min(amountMinor, Math.max(1, whole > 0 ? whole : Math.round(raw)));
}
