// Synthetic merchants. Volume over ranks is Zipf-skewed (the top 1% carry about half of all
// payments); each merchant is drawn from (seed, rank) alone, so it is the same whichever order
// ranks are first sampled in: home country, city and zone, category and ticket size, providers
// and methods, integration habits (what it sends, how it writes times) and payout cadence.

import { COUNTRIES, providerById, type City, type Country, type PaymentMethod, type Provider } from './geo.ts';
import { CdfSampler, createPrng, createZipf, cumulative, type Prng, type Seed } from './prng.ts';
import { currencyProfile, type CurrencyProfile } from './amounts.ts';
import { entityId, seedTag } from './ids.ts';
import { zone, type Zone } from './time.ts';

export interface Category {
  id: string;
  weight: number;
  /** Median ticket as a multiple of the currency's median. */
  ticket: number;
  /** Log-normal spread of tickets around the merchant's median. */
  sigma: number;
  refundRate: number;
  /** Multiplier on the payment method's dispute rate. */
  disputeFactor: number;
}

const CATEGORIES: readonly Category[] = [
  { id: 'airtime_bills', weight: 15, ticket: 0.3, sigma: 0.7, refundRate: 0.005, disputeFactor: 0.5 },
  { id: 'food', weight: 12, ticket: 0.6, sigma: 0.6, refundRate: 0.02, disputeFactor: 0.8 },
  { id: 'transport', weight: 10, ticket: 0.5, sigma: 0.6, refundRate: 0.01, disputeFactor: 0.7 },
  { id: 'retail', weight: 25, ticket: 1, sigma: 0.9, refundRate: 0.015, disputeFactor: 1 },
  { id: 'ecommerce', weight: 18, ticket: 2, sigma: 1.0, refundRate: 0.035, disputeFactor: 2 },
  { id: 'utilities_education', weight: 10, ticket: 3, sigma: 0.7, refundRate: 0.01, disputeFactor: 0.5 },
  { id: 'travel', weight: 5, ticket: 10, sigma: 0.9, refundRate: 0.04, disputeFactor: 2 },
  { id: 'b2b', weight: 5, ticket: 20, sigma: 1.1, refundRate: 0.01, disputeFactor: 0.7 },
];

/** Zipf exponent of merchant volume: with 10k merchants the top 1% carry ~47%. */
export const MERCHANT_ZIPF_EXPONENT = 0.95;

export interface Route {
  provider: Provider;
  method: PaymentMethod;
  weight: number;
}

export interface MoneyChoice {
  currency: string;
  profile: CurrencyProfile;
  /** Median ticket, major units. */
  median: number;
}

export interface Merchant {
  id: string;
  rank: number;
  country: Country;
  city: City;
  zone: Zone;
  category: Category;
  home: MoneyChoice;
  /** A second currency (USD/EUR) and the share of payments in it. */
  foreign: (MoneyChoice & { share: number }) | null;
  /** (provider, method) routes this merchant accepts, and their cumulative weights. */
  routes: readonly Route[];
  routeCdf: readonly number[];
  /** Added to the provider's success rate. */
  successAdjust: number;
  /** Multiplier on the method's fee rate. */
  feeFactor: number;
  refundRate: number;
  /** Integration habits: probability or flag of sending each optional thing. */
  sendsLocalOffset: boolean;
  sendsMillis: boolean;
  sendsNumbers: boolean;
  sendsCity: boolean;
  sendsMethod: boolean;
  sendsProvider: boolean;
  sendsFee: boolean;
  customerRate: number;
  metadataRate: number;
  customers: number;
  /** Index into the timing profile's payout intervals, and the phase within one, 0–1. */
  payoutCadence: number;
  payoutPhase: number;
  payoutThresholdMinor: number;
  /** Mutable state of one stream: unpaid home-currency balance. */
  balanceMinor: number;
  payoutPending: boolean;
}

export interface MerchantPool {
  size: number;
  /** Samples a rank by volume. */
  zipf: CdfSampler;
  at(rank: number): Merchant;
  /** Volume share per standard UTC offset (minutes), for the activity mix. */
  offsetShares(): { offset: number; share: number }[];
}

const SALT = 0x6d3c;
const countrySampler = new CdfSampler(COUNTRIES.map((c) => c.weight));
const categorySampler = new CdfSampler(CATEGORIES.map((c) => c.weight));
const METHOD_WEIGHTS = [1, 0.45, 0.25, 0.15];

function pickRoutes(rng: Prng, country: Country): Route[] {
  const wanted = 1 + Math.min(3, Math.floor(-Math.log(1 - rng.float()) * 1.3));
  const pool = country.providers.map(([id, w]) => ({ id, w }));
  const routes: Route[] = [];
  for (let k = 0; k < wanted && pool.length > 0; k++) {
    const i = rng.weighted(pool.map((p) => p.w));
    const provider = providerById(pool[i].id);
    const weight = pool[i].w * Math.exp(0.7 * rng.normal());
    pool.splice(i, 1);
    provider.methods.forEach((method, j) => routes.push({ provider, method, weight: weight * METHOD_WEIGHTS[j] }));
  }
  return routes;
}

function buildMerchant(seed: Seed, tag: string, rank: number, volumeShare: number): Merchant {
  const rng = createPrng(seed, SALT, rank);
  const country = COUNTRIES[countrySampler.sample(rng)]; // first draw: see countryOf
  const city = country.cities[rng.weighted(country.cities.map((c) => c.weight))];
  const category = CATEGORIES[categorySampler.sample(rng)];
  const scale = category.ticket * Math.exp(0.4 * rng.normal());
  const home = { currency: country.currency, profile: currencyProfile(country.currency), median: 0 };
  home.median = home.profile.median * scale;
  let foreign: Merchant['foreign'] = null;
  for (const [currency, merchantShare, paymentShare] of country.foreign) {
    if (foreign === null && rng.chance(merchantShare)) {
      const profile = currencyProfile(currency);
      const share = Math.min(0.9, Math.max(0.05, paymentShare * Math.exp(0.4 * rng.normal())));
      foreign = { currency, profile, median: profile.median * scale * 1.5, share };
    }
  }
  const routes = pickRoutes(rng, country);
  const customerRate = rng.chance(0.65) ? 0.9 : 0;
  const metadataRate = rng.chance(0.15) ? 0.05 + 0.25 * rng.float() : 0;
  const key = entityId('', tag, rank, SALT);
  return {
    id: `mer_${key}`, rank, country, city, zone: zone(city.timezone ?? country.timezone), category, home, foreign,
    routes, routeCdf: cumulative(routes.map((r) => r.weight)),
    successAdjust: Math.max(-0.04, Math.min(0.04, 0.015 * rng.normal())),
    feeFactor: 0.7 + 0.5 * rng.float(),
    refundRate: Math.min(0.08, category.refundRate * Math.exp(0.3 * rng.normal())),
    sendsLocalOffset: rng.chance(0.2), sendsMillis: rng.chance(0.7), sendsNumbers: rng.chance(0.08),
    sendsCity: rng.chance(0.85), sendsMethod: rng.chance(0.95), sendsProvider: rng.chance(0.9),
    sendsFee: rng.chance(0.7), customerRate, metadataRate,
    customers: Math.max(20, Math.round(3_000_000 * volumeShare * (0.5 + rng.float()))),
    payoutCadence: rng.weighted([1, 1, 2, 4]), payoutPhase: rng.float(),
    payoutThresholdMinor: Math.round(20 * home.median * 10 ** home.profile.exponent),
    balanceMinor: 0, payoutPending: false,
  };
}

/** Home country index of a rank, without building the merchant (same first draw). */
function countryOf(seed: Seed, rank: number): number {
  return countrySampler.sample(createPrng(seed, SALT, rank));
}

export function createMerchantPool(seed: Seed, size: number): MerchantPool {
  const zipf = createZipf(size, MERCHANT_ZIPF_EXPONENT);
  const tag = seedTag(seed);
  const built: (Merchant | undefined)[] = new Array(size);
  return {
    size,
    zipf,
    at(rank) {
      let m = built[rank];
      if (m === undefined) {
        m = buildMerchant(seed, tag, rank, zipf.probability(rank));
        built[rank] = m;
      }
      return m;
    },
    offsetShares() {
      const offsets = COUNTRIES.map((c) => zone(c.timezone).standardOffset);
      const byOffset = new Map<number, number>();
      for (let rank = 0; rank < size; rank++) {
        const offset = offsets[countryOf(seed, rank)];
        byOffset.set(offset, (byOffset.get(offset) ?? 0) + zipf.probability(rank));
      }
      return [...byOffset].map(([offset, share]) => ({ offset, share }));
    },
  };
}
