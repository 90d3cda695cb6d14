// A synthetic stream of the seed's trading events (reference/trading-events.json), for the demo
// and the track benchmark: each event's properties are drawn from its definition — dimension
// values from small vocabularies by property name, measures by unit (latencies log-normal,
// prices per symbol, P&L signed integer minor units) — so every event passes its definition.
// Seeded: the same seed gives the same events.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPrng, type Prng } from '../generator/prng.ts';
import { parseDefinitionsFile } from './definitions-file.ts';
import type { DefinitionInput, PropertyInput } from './definition.ts';

export const TRADING_EVENTS_FILE = fileURLToPath(new URL('../../reference/trading-events.json', import.meta.url));

const VOCABULARY: Record<string, readonly string[]> = {
  symbol: ['BTC-USD', 'ETH-USD', 'SOL-USD', 'XOF-EUR', 'AAPL', 'MSFT'],
  side: ['buy', 'sell'],
  exchange: ['binance', 'coinbase', 'brvm', 'nasdaq'],
  strategy_id: ['mm-1', 'mm-2', 'arb-1', 'trend-1', 'meanrev-1'],
  strategy_type: ['market_making', 'arbitrage', 'trend', 'mean_reversion'],
  order_type: ['limit', 'market', 'stop'],
  time_in_force: ['gtc', 'ioc', 'fok'],
  reason: ['user', 'timeout', 'risk_limit', 'insufficient_balance'],
  rejected_by: ['exchange', 'risk'],
  mode: ['live', 'paper'],
  signal_type: ['entry', 'exit', 'rebalance'],
  currency: ['USD', 'EUR', 'XOF'],
  account_type: ['spot', 'margin'],
  feed: ['l1', 'l2', 'trades'],
};
const PRICE: Record<string, number> = { 'BTC-USD': 64_000, 'ETH-USD': 3_100, 'SOL-USD': 145, 'XOF-EUR': 0.0015, AAPL: 190, MSFT: 410 };
// Weights of the types: market data dominates, strategies start and stop rarely.
const WEIGHT: Record<string, number> = {
  'market.data.update': 40, 'signal.generated': 12, 'order.placed': 15, 'order.filled': 10, 'order.canceled': 4,
  'order.rejected': 1, 'position.opened': 3, 'position.closed': 3, 'balance.updated': 5, 'strategy.started': 0.2, 'strategy.stopped': 0.2,
};

function measure(rng: Prng, p: PropertyInput, dims: Record<string, string | boolean>): number {
  const lognormal = (mu: number, sigma: number) => Math.exp(mu + sigma * rng.normal());
  if (p.unit?.startsWith('minor_units')) {
    const magnitude = Math.round(lognormal(11, 1.5)); // around 600 units of a 2-decimal currency
    return p.name === 'balance' || p.name === 'available' ? magnitude * 10 : rng.chance(0.45) ? -magnitude : magnitude;
  }
  switch (p.unit) {
    case 'ms': return Math.round(lognormal(p.name.includes('age') ? 8 : 2.5, 0.9) * 100) / 100;
    case 's': return Math.round(lognormal(7, 1.2));
    case 'bps': return Math.round(Math.abs(rng.normal()) * 800) / 100;
    case 'ratio': return Math.round(rng.float() * 1000) / 1000;
    case 'price': {
      const base = PRICE[String(dims.symbol)] ?? 100;
      return p.name === 'fee' ? Math.round(base * 0.0004 * 1e6) / 1e6 : Math.round(base * (1 + 0.002 * rng.normal()) * 1e6) / 1e6;
    }
    default: return Math.round(lognormal(0.5, 1.2) * 1000) / 1000;
  }
}

export interface TradingStream {
  /** One tracked event at `at` (epoch ms), as a producer would send it. */
  next(at: number): Record<string, unknown>;
}

export function tradingStream(seed: number | string, definitions: readonly DefinitionInput[] = parseDefinitionsFile(readFileSync(TRADING_EVENTS_FILE, 'utf8'))): TradingStream {
  const rng = createPrng(seed);
  const types = definitions.filter((d) => WEIGHT[d.name] !== undefined);
  const weights = types.map((d) => WEIGHT[d.name]);
  let n = 0;
  return {
    next(at) {
      const def = types[rng.weighted(weights)];
      const dims: Record<string, string | boolean> = {};
      for (const p of def.properties) {
        if (p.role !== 'dimension') continue;
        dims[p.name] = p.type === 'boolean' ? rng.chance(0.5) : rng.pick(VOCABULARY[p.name] ?? ['a', 'b', 'c']);
      }
      const properties: Record<string, unknown> = { ...dims };
      for (const p of def.properties) if (p.role === 'measure') properties[p.name] = measure(rng, p, dims);
      return {
        event_type: def.name, event_id: `t${seed}-${n++}`, user_id: `trader-${rng.int(1, 250)}`,
        session_id: `s-${rng.int(1, 2000)}`, timestamp: new Date(at).toISOString(), properties,
      };
    },
  };
}
