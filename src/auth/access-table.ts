// The one table of who may do what. A token's `roles` and `permissions` claims are both looked
// up here; a name not in the table grants nothing (deny by default). Routes declare the one
// permission they need (route config `permission`); the auth hook compares the two.

export const PERMISSIONS = [
  'analytics:view', 'analytics:ops', 'events:read', 'events:write', 'alerts:view', 'alerts:manage',
  // Custom event definitions (docs/custom-events.md): creating a type or a new version of one (reading them is analytics:view).
  'events:define',
  // Tracking custom events (POST /api/v1/track, docs/custom-events.md): platform-wide, no merchant.
  'events:track',
  // The merchant portal (/api/merchant/*, docs/merchant.md): a merchant's own business.
  'merchant:read_kpis', 'merchant:transactions', 'merchant:audit', 'merchant:settings',
  // Refunds: reading them, requesting one, approving or rejecting one (docs/merchant.md#refunds).
  'merchant:refunds_read', 'merchant:refunds', 'merchant:refunds_approve',
  // Disputes: reading them, their evidence (upload, download, delete) and the submission (docs/merchant.md#disputes).
  'merchant:disputes',
  // The merchant's own webhook endpoints and alerts (docs/merchant.md#webhooks, #alerts).
  'merchant:webhooks', 'merchant:alerts',
  // Payouts: reading them, the upcoming one and the schedule; changing the schedule (step-up, docs/merchant.md#payouts).
  'merchant:payouts', 'merchant:payout_schedule',
  // Exports of transactions, refunds and disputes (CSV, XLSX, PDF statement) and their background jobs (docs/merchant.md#exports).
  'merchant:exports',
  // The routing failover mesh (/api/mesh/*, docs/mesh.md): reading it; operating it (predictions,
  // proposals, routing tables, canaries, kill switches, policies, member requests); approving
  // what needs an ops approval (proposals, members); a member's compliance approval; and asking
  // it where to route a payment (the payment services).
  'mesh:view', 'mesh:manage', 'mesh:approve', 'mesh:compliance', 'mesh:route',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** The merchant portal as ops holds it (naming a merchant): everything but the payout schedule change. */
const MERCHANT_PORTAL = [
  'merchant:read_kpis', 'merchant:transactions', 'merchant:audit', 'merchant:settings',
  'merchant:refunds_read', 'merchant:refunds', 'merchant:refunds_approve', 'merchant:disputes', 'merchant:webhooks', 'merchant:alerts', 'merchant:payouts',
  'merchant:exports',
] as const satisfies readonly Permission[];
/**
 * Where a merchant's money goes when is the merchant's own decision, taken by its administrator
 * after a fresh sign-in (step-up): ops does not hold it, even naming the merchant.
 */
const MERCHANT_ADMIN_ONLY = ['merchant:payout_schedule'] as const satisfies readonly Permission[];

/**
 * `merchant`: whether the grant applies to a token with a `merchant_id` claim ('required': only
 * then; 'never': only without one; 'any': both, scoped to the merchant when there is one).
 */
interface Grant {
  permissions: readonly Permission[];
  merchant: 'required' | 'never' | 'any';
  doc: string;
}

export const GRANTS: Readonly<Record<string, Grant>> = {
  // Seed 69's permissions, usable as roles too.
  'analytics:view': { permissions: ['analytics:view', 'alerts:view'], merchant: 'any', doc: 'KPIs, series, breakdowns, live figures and alerts (own merchant only when the token names one).' },
  'analytics:ops': {
    permissions: ['analytics:view', 'analytics:ops', 'events:read', 'events:define', 'events:track', 'alerts:view', 'alerts:manage', 'mesh:view', ...MERCHANT_PORTAL],
    merchant: 'never',
    doc: 'Network-wide operations: rankings of merchants, raw events, dead letters, FX rates, custom event definitions and tracking (platform-wide), every alert rule, silence and webhook; the routing mesh, read only; the merchant portal on behalf of the merchant it names in X-Merchant-Id (each call audited).',
  },
  'events:read': { permissions: ['events:read'], merchant: 'any', doc: 'Raw event lookups (own merchant only when the token names one).' },
  'events:write': { permissions: ['events:write'], merchant: 'never', doc: 'Event ingestion, for the services that feed the platform.' },
  'events:define': {
    permissions: ['events:define'], merchant: 'never',
    doc: 'Defining custom event types and their new versions (platform-wide), for the teams or pipelines that own the events; reading them is analytics:view.',
  },
  'events:track': {
    permissions: ['events:track'], merchant: 'never',
    doc: 'Tracking custom events (POST /api/v1/track), for the products that send them; platform-wide, so never with a merchant_id. Reading their statistics is analytics:view.',
  },
  // Seed 138ter's mesh roles: ops run it and approve its changes; compliance approves members;
  // the payment services ask it for routes. The four eyes on a proposal or a member are the
  // server's rule (a different person approves), not the roles'.
  mesh_ops: {
    permissions: ['mesh:view', 'mesh:manage', 'mesh:approve', 'analytics:view', 'alerts:view'],
    merchant: 'never',
    doc: 'The routing mesh\'s operators: provider health and predictions, proposals (generate, simulate, approve, reject, roll back, canary), routing tables, kill switches, policies, members (requesting one, and its ops approval), reconciliations and the action log; the network\'s analytics and alerts.',
  },
  mesh_compliance: {
    permissions: ['mesh:view', 'mesh:compliance'],
    merchant: 'never',
    doc: 'Compliance for the routing mesh: reads it, and gives a new member its compliance approval (a member needs both compliance\'s and ops\'s).',
  },
  'mesh:route': { permissions: ['mesh:route'], merchant: 'never', doc: 'The routing decision API (POST /api/mesh/route), for the payment services that route payments.' },
  // Seed 137's merchant roles.
  merchant_admin: {
    permissions: ['analytics:view', 'events:read', 'alerts:view', 'alerts:manage', ...MERCHANT_PORTAL, ...MERCHANT_ADMIN_ONLY],
    merchant: 'required',
    doc: 'A merchant\'s administrator: its analytics, raw events, its own alert rules, silences and webhooks, and all of the merchant portal (KPIs, transactions, refunds — requesting and approving them —, disputes and their evidence, payouts and their schedule — changing it after a fresh sign-in —, exports, audit, settings, its webhook endpoints and alerts).',
  },
  merchant_accountant: {
    permissions: ['analytics:view', 'events:read', 'alerts:view', 'merchant:read_kpis', 'merchant:transactions', 'merchant:refunds_read', 'merchant:payouts', 'merchant:exports'],
    merchant: 'required',
    doc: 'A merchant\'s finance staff: its analytics, raw events and alerts; in the portal its KPIs, transactions, refunds (reading them: requesting one is the administrator\'s) and payouts (history, upcoming, schedule; changing the schedule is the administrator\'s), and exports.',
  },
  merchant_support: {
    permissions: ['events:read', 'alerts:view', 'merchant:transactions', 'merchant:refunds_read', 'merchant:disputes'],
    merchant: 'required',
    doc: 'A merchant\'s support staff: looking up its payments and alerts, no aggregates; in the portal its transactions and their refunds (to answer a customer; requesting one is the administrator\'s), and its disputes: reading them, uploading and deleting evidence, submitting the response.',
  },
};

/** What a token with a merchant_id can ever hold, whatever its claims say. */
const MERCHANT_CEILING: ReadonlySet<Permission> = new Set(['analytics:view', 'events:read', 'alerts:view', 'alerts:manage', ...MERCHANT_PORTAL, ...MERCHANT_ADMIN_ONLY]);

export function permissionsFor(names: readonly string[], merchantId: string | null): Set<Permission> {
  const out = new Set<Permission>();
  for (const name of names) {
    const grant = Object.hasOwn(GRANTS, name) ? GRANTS[name] : undefined;
    if (!grant) continue;
    if (grant.merchant === 'required' && merchantId === null) continue;
    if (grant.merchant === 'never' && merchantId !== null) continue;
    for (const p of grant.permissions) {
      if (merchantId === null || MERCHANT_CEILING.has(p)) out.add(p);
    }
  }
  return out;
}
