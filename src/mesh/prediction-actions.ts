// The health side's operator actions, each recorded in the mesh's action log (mesh-actions.ts)
// in the transaction of its change: a signing key rotated or retired, predictions made on demand.
// The scheduled runs are not actions (nobody asked): their predictions are their own record.

import type { MeshDeps } from './mesh-actions.ts';
import { recordAction } from './mesh-actions.ts';
import { generatePredictions, type GenerateFilter, type GenerateResult, type PredictionDeps } from './generate-predictions.ts';
import { retireSigningKey, rotateSigningKey, type KeyRing } from './signing-keys.ts';

/** A new signing key (it signs from now on); recorded as key.rotated. */
export async function rotateKey(deps: MeshDeps & { ring: KeyRing }, actor: string): Promise<string> {
  const now = deps.now();
  const kid = await deps.state.transaction(async (q) => {
    const made = await rotateSigningKey(q, now);
    await recordAction(q, deps, { actor, action: 'key.rotated', target: `key:${made}`, result: { kid: made } }, now);
    return made;
  });
  deps.ring.forget();
  return kid;
}

/** Retires the key (what it signed is refused from now on); false when there is no such unretired key. Recorded as key.retired. */
export async function retireKey(deps: MeshDeps & { ring: KeyRing }, kid: string, actor: string): Promise<boolean> {
  const now = deps.now();
  const done = await deps.state.transaction(async (q) => {
    if (!(await retireSigningKey(q, kid, now))) return false;
    await recordAction(q, deps, { actor, action: 'key.retired', target: `key:${kid}`, result: { kid } }, now);
    return true;
  });
  deps.ring.forget();
  return done;
}

/** Predictions made now, on an operator's demand; recorded as predictions.generated (what was asked, what was made). */
export async function generateOnDemand(deps: MeshDeps, predictions: PredictionDeps, filter: GenerateFilter, actor: string): Promise<GenerateResult> {
  const r = await generatePredictions(predictions, filter);
  await recordAction(deps.state, deps, {
    actor, action: 'predictions.generated', target: 'predictions',
    result: { filter: { ...filter }, window_from: new Date(r.windowFrom).toISOString(), window_to: new Date(r.windowTo).toISOString(),
      prediction_ids: r.predictions.map((p) => p.id), too_few_attempts: r.tooFewAttempts },
  }, deps.now());
  return r;
}
