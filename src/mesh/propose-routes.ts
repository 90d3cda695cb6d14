// New routes for one routing table from verified predictions (docs/mesh.md "Proposals from
// predictions"): pure. For each route — the table's current ones, and one route (any amount) for
// each predicted method that has no route of its own — the providers are ordered by their
// predicted score (primary → secondary → tertiary); those scoring under the elimination threshold
// are dropped unless nothing else is left; providers of the current route without a prediction
// (health unknown) follow the predicted ones. A '*' route (any method) orders providers by their
// confidence-weighted mean score over the methods. The proposal's confidence is the lowest of its
// changed routes' (a route's: its primary's prediction's, 0 when the primary has none).

import { ANY_METHOD, type Prediction, type Proposal, type Route, type TableKey } from './model.ts';

export const ELIMINATION_THRESHOLD = 40;
export const MAX_PROVIDERS = 3;

export interface ProposeOptions {
  /** Providers scoring under this are dropped (unless none is left). */
  eliminateBelow?: number;
  maxProviders?: number;
  /** Only this amount band: one route per predicted method over it, replacing the routes of that band. */
  band?: { minAmount: number; maxAmount: number | null };
}

export interface ProposedRoutes {
  /** The routes that change (new, or a different order). */
  routes: Route[];
  /** Those whose order stays as it is. */
  unchanged: Route[];
  rationale: Proposal['rationale'];
  confidence: number;
}

interface Candidate {
  provider: string;
  score: number;
  confidence: number;
  ids: string[];
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const fmt = (c: Candidate) => `${c.provider} ${c.score.toFixed(1)} (confidence ${c.confidence.toFixed(2)})`;

/** The predictions of one method as candidates, or of every method (confidence-weighted) for '*'. */
function candidatesFor(method: string, predictions: readonly Prediction[]): Candidate[] {
  if (method !== ANY_METHOD) {
    return predictions.filter((p) => p.method === method).map((p) => ({ provider: p.provider, score: p.score, confidence: p.confidence, ids: [p.id] }));
  }
  const byProvider = new Map<string, Prediction[]>();
  for (const p of predictions) byProvider.set(p.provider, [...(byProvider.get(p.provider) ?? []), p]);
  return [...byProvider.entries()].map(([provider, ps]) => {
    const weight = ps.reduce((w, p) => w + p.confidence, 0);
    const score = weight > 0 ? ps.reduce((s, p) => s + p.score * p.confidence, 0) / weight : ps.reduce((s, p) => s + p.score, 0) / ps.length;
    return { provider, score: Math.round(score * 10) / 10, confidence: weight / ps.length, ids: ps.map((p) => p.id) };
  });
}

function order(target: Route, predictions: readonly Prediction[], o: Required<Omit<ProposeOptions, 'band'>>) {
  const ranked = candidatesFor(target.method, predictions)
    .sort((a, b) => b.score - a.score || b.confidence - a.confidence || (a.provider < b.provider ? -1 : 1));
  const kept = ranked.filter((c) => c.score >= o.eliminateBelow);
  const eliminated = ranked.filter((c) => c.score < o.eliminateBelow);
  const notes: string[] = [];
  const used = kept.length > 0 ? kept : ranked;
  if (kept.length === 0 && ranked.length > 0) notes.push(`every provider scores under ${o.eliminateBelow}: kept in order of score`);
  else if (eliminated.length) notes.push(`eliminated under ${o.eliminateBelow}: ${eliminated.map(fmt).join(', ')}`);
  const predicted = new Set(ranked.map((c) => c.provider));
  const unknown = target.providers.filter((p) => !predicted.has(p));
  if (unknown.length) notes.push(`without a prediction, kept after the predicted: ${unknown.join(', ')}`);
  const providers = [...used.map((c) => c.provider), ...unknown].slice(0, o.maxProviders);
  const primary = used[0]?.provider === providers[0] ? used[0] : null;
  return {
    route: { ...target, providers },
    confidence: primary?.confidence ?? 0,
    predictionIds: ranked.flatMap((c) => c.ids),
    note: [used.length ? `by score: ${used.map(fmt).join(' > ')}` : 'no prediction', ...notes].join('; '),
  };
}

/** The routes to propose for `table`, from its verified predictions and its current routes. */
export function proposeRoutes(table: TableKey, predictions: readonly Prediction[], current: readonly Route[], opts: ProposeOptions = {}): ProposedRoutes {
  const o = { eliminateBelow: opts.eliminateBelow ?? ELIMINATION_THRESHOLD, maxProviders: opts.maxProviders ?? MAX_PROVIDERS };
  const mine = predictions.filter((p) => p.region === table.region && p.currency === table.currency);
  const methods = [...new Set(mine.map((p) => p.method))].sort();
  const targets: Route[] = [];
  if (opts.band) {
    for (const method of methods) {
      const existing = current.find((r) => r.method === method && r.minAmount === opts.band!.minAmount && r.maxAmount === opts.band!.maxAmount);
      targets.push({ method, minAmount: opts.band.minAmount, maxAmount: opts.band.maxAmount, providers: existing?.providers ?? [] });
    }
  } else {
    targets.push(...current);
    for (const method of methods) if (!current.some((r) => r.method === method)) targets.push({ method, minAmount: 0, maxAmount: null, providers: [] });
  }
  const out: ProposedRoutes = { routes: [], unchanged: [], rationale: [], confidence: 1 };
  for (const target of targets) {
    const r = order(target, mine, o);
    if (r.route.providers.length === 0) continue;
    if (sameList(r.route.providers, target.providers)) {
      out.unchanged.push(r.route);
      continue;
    }
    out.routes.push(r.route);
    out.rationale.push({ method: target.method, minAmount: target.minAmount, maxAmount: target.maxAmount, predictionIds: r.predictionIds, note: r.note });
    out.confidence = Math.min(out.confidence, r.confidence);
  }
  if (out.routes.length === 0) out.confidence = 0;
  return out;
}
