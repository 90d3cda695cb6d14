// The state store's schema, in order. Append only: a new version is a new entry. Applied in one
// transaction each, recorded in state_migrations; the same SQL runs on PGlite and PostgreSQL.

import { createHash } from 'node:crypto';
import type { StateStore } from './state-store.ts';

export const STATE_MIGRATIONS: ReadonlyArray<{ version: number; sql: string[] }> = [
  {
    version: 1,
    sql: [
      `CREATE TABLE webhook_endpoints (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         merchant_id text,
         url text NOT NULL,
         secrets text[] NOT NULL,
         enabled boolean NOT NULL DEFAULT true,
         disabled_reason text,
         created_by text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE alert_rules (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         merchant_id text,
         name text NOT NULL,
         definition jsonb NOT NULL,
         enabled boolean NOT NULL DEFAULT true,
         version integer NOT NULL DEFAULT 1,
         created_by text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         deleted_at timestamptz
       )`,
      `CREATE TABLE alerts (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         rule_id integer NOT NULL REFERENCES alert_rules (id),
         fingerprint text NOT NULL,
         group_labels jsonb NOT NULL,
         merchant_id text,
         state text NOT NULL CHECK (state IN ('pending', 'firing', 'resolved', 'nodata', 'error')),
         severity text NOT NULL CHECK (severity IN ('info', 'warn', 'critical')),
         observed double precision,
         baseline double precision,
         z double precision,
         detail text,
         started_at timestamptz NOT NULL,
         firing_since timestamptz,
         resolved_at timestamptz,
         last_evaluated_at timestamptz NOT NULL,
         last_notified_at timestamptz,
         acknowledged_by text,
         acknowledged_at timestamptz,
         assignee text
       )`,
      // One open alert per (rule, group): an ongoing breach can never open a second one.
      `CREATE UNIQUE INDEX alerts_one_open ON alerts (fingerprint) WHERE state <> 'resolved'`,
      'CREATE INDEX alerts_by_rule ON alerts (rule_id, started_at)',
      `CREATE TABLE alert_comments (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         alert_id integer NOT NULL REFERENCES alerts (id),
         author text NOT NULL,
         body text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE TABLE silences (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         merchant_id text,
         matchers jsonb NOT NULL,
         starts_at timestamptz NOT NULL,
         ends_at timestamptz NOT NULL,
         comment text,
         created_by text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      // The durable outbox: every notification, anomaly and action event, delivered by a worker.
      // dedupe_key makes "at most once per alert state change / per action" a constraint.
      `CREATE TABLE outbox (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         msg_id text NOT NULL UNIQUE,
         dedupe_key text UNIQUE,
         endpoint_id integer REFERENCES webhook_endpoints (id),
         event_type text NOT NULL,
         payload jsonb NOT NULL,
         status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'dead', 'suppressed')),
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now(),
         first_attempt_at timestamptz,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE status = 'pending'`,
      `CREATE TABLE delivery_log (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         outbox_id integer NOT NULL REFERENCES outbox (id),
         attempt integer NOT NULL,
         at timestamptz NOT NULL DEFAULT now(),
         outcome text NOT NULL,
         status_code integer,
         duration_ms integer NOT NULL
       )`,
      `CREATE TABLE audit_log (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         at timestamptz NOT NULL DEFAULT now(),
         actor text NOT NULL,
         action text NOT NULL,
         object_type text NOT NULL,
         object_id text,
         merchant_id text,
         detail jsonb
       )`,
    ],
  },
  {
    version: 2,
    sql: [
      // What the evaluator last saw of each rule, so a rule that cannot be evaluated says why.
      'ALTER TABLE alert_rules ADD COLUMN last_evaluated_at timestamptz',
      'ALTER TABLE alert_rules ADD COLUMN last_error text',
      // A manual resolve while the condition still holds: no new alert until it clears once.
      'ALTER TABLE alerts ADD COLUMN resolved_by text',
      'ALTER TABLE alerts ADD COLUMN suppressed_until_clear boolean NOT NULL DEFAULT false',
    ],
  },
  {
    version: 3,
    sql: [
      // Alert, anomaly and action events for Kafka topics (src/alerts/topics), queued with their
      // cause like the webhook outbox, one row per (cause, topic). A row is claimed ('sending')
      // before its send and never sent again after: at most once ('unconfirmed' = claimed, its
      // send failed or the process stopped; it may or may not be in the topic).
      `CREATE TABLE kafka_outbox (
         id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         msg_id text NOT NULL UNIQUE,
         dedupe_key text NOT NULL,
         topic text NOT NULL,
         message_key text NOT NULL,
         event_type text NOT NULL,
         payload jsonb NOT NULL,
         occurred_at timestamptz NOT NULL,
         status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'unconfirmed', 'dead')),
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL,
         first_attempt_at timestamptz,
         claimed_at timestamptz,
         delivered_at timestamptz,
         kafka_partition integer,
         kafka_offset bigint,
         last_error text,
         created_at timestamptz NOT NULL DEFAULT now(),
         UNIQUE (dedupe_key, topic)
       )`,
      `CREATE INDEX kafka_outbox_pending ON kafka_outbox (id) WHERE status = 'pending'`,
      `CREATE INDEX kafka_outbox_sending ON kafka_outbox (claimed_at) WHERE status = 'sending'`,
    ],
  },
  {
    version: 4,
    sql: [
      // The merchant portal (src/merchant): who did what for which merchant, when and from where —
      // every ops call made on a merchant's behalf and every change a merchant makes. Read newest
      // first per merchant.
      `CREATE TABLE merchant_audit (
         id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         at timestamptz NOT NULL,
         merchant_id text NOT NULL,
         actor text NOT NULL,
         actor_kind text NOT NULL CHECK (actor_kind IN ('merchant', 'ops')),
         action text NOT NULL,
         object_type text,
         object_id text,
         ip text,
         user_agent text,
         request_id text,
         detail jsonb NOT NULL DEFAULT '{}'
       )`,
      'CREATE INDEX merchant_audit_by_merchant ON merchant_audit (merchant_id, id DESC)',
      // A merchant's own settings; a merchant without a row has the defaults (src/merchant/merchant-settings.ts).
      `CREATE TABLE merchant_settings (
         merchant_id text PRIMARY KEY,
         time_zone text NOT NULL,
         updated_at timestamptz NOT NULL,
         updated_by text NOT NULL
       )`,
    ],
  },
  {
    version: 5,
    sql: [
      // Merchant refunds (src/merchant/refunds.ts). `id` is public (random: ids of other merchants
      // tell nothing); `seq` orders a merchant's list. `txn` keeps what the refund_created event
      // needs of the transaction (country, city, method, provider, customer), read at the request.
      `CREATE TABLE merchant_refunds (
         seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         id text NOT NULL UNIQUE,
         merchant_id text NOT NULL,
         txn_id text NOT NULL,
         amount_minor bigint NOT NULL CHECK (amount_minor > 0),
         currency text NOT NULL,
         reason text,
         status text NOT NULL CHECK (status IN ('pending_approval', 'approved', 'rejected')),
         requested_by text NOT NULL,
         requested_at timestamptz NOT NULL,
         decided_by text,
         decided_at timestamptz,
         decision_reason text,
         txn jsonb NOT NULL
       )`,
      'CREATE INDEX merchant_refunds_by_merchant ON merchant_refunds (merchant_id, seq DESC)',
      'CREATE INDEX merchant_refunds_by_transaction ON merchant_refunds (merchant_id, txn_id, seq DESC)',
      // At most one refund of a transaction awaits approval (the use case refuses a second; this is the backstop).
      `CREATE UNIQUE INDEX merchant_refunds_one_pending ON merchant_refunds (merchant_id, txn_id) WHERE status = 'pending_approval'`,
      // One row per refunded transaction: locked (FOR UPDATE) by every refund request of it, so the
      // check "refunds not rejected + this one <= captured" and the insert are one serial step.
      `CREATE TABLE merchant_refund_balances (
         merchant_id text NOT NULL,
         txn_id text NOT NULL,
         currency text NOT NULL,
         captured_minor bigint NOT NULL,
         reserved_minor bigint NOT NULL DEFAULT 0 CHECK (reserved_minor >= 0),
         updated_at timestamptz NOT NULL,
         PRIMARY KEY (merchant_id, txn_id),
         -- The refunds not rejected never exceed the capture (a backstop: the check under the lock refuses first).
         CHECK (reserved_minor <= captured_minor)
       )`,
      // Idempotency-Key answers, per merchant, kept at least 24 h (expires_at), then purged. A row
      // without a stored answer is a request in flight: `owner` is its attempt, `locked_until`
      // when another attempt may take it over (its process died).
      `CREATE TABLE merchant_idempotency_keys (
         merchant_id text NOT NULL,
         key text NOT NULL,
         fingerprint text NOT NULL,
         owner text,
         locked_until timestamptz,
         response_status integer,
         response_body jsonb,
         created_at timestamptz NOT NULL,
         expires_at timestamptz NOT NULL,
         PRIMARY KEY (merchant_id, key)
       )`,
      'CREATE INDEX merchant_idempotency_keys_expiry ON merchant_idempotency_keys (expires_at)',
      // The stream outbox: the refund_created event of each approved refund, written with the
      // approval, delivered by the relay (src/merchant/refund-relay.ts) until the engine or Kafka
      // has it. Its event_id is fixed, so a second delivery is a duplicate, never a second refund.
      `CREATE TABLE merchant_refund_events (
         refund_id text PRIMARY KEY REFERENCES merchant_refunds (id),
         merchant_id text NOT NULL,
         event jsonb NOT NULL,
         status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'delivered', 'rejected')),
         attempts integer NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL,
         claimed_at timestamptz,
         delivered_at timestamptz,
         delivered_via text,
         last_error text,
         created_at timestamptz NOT NULL
       )`,
      `CREATE INDEX merchant_refund_events_due ON merchant_refund_events (next_attempt_at) WHERE status = 'pending'`,
      `CREATE INDEX merchant_refund_events_sending ON merchant_refund_events (claimed_at) WHERE status = 'sending'`,
    ],
  },
  {
    version: 6,
    sql: [
      // Disputes come from the analytics stream (dispute_created events); the portal keeps the
      // merchant's response here (src/merchant/disputes*.ts): one row per dispute the merchant has
      // touched, locked while its evidence changes so that the per-dispute total and the
      // submission are decided one request at a time.
      `CREATE TABLE dispute_responses (
         merchant_id text NOT NULL,
         dispute_id text NOT NULL,
         submitted_at timestamptz,
         submitted_by text,
         PRIMARY KEY (merchant_id, dispute_id)
       )`,
      // Each evidence file: stored in the file store under a server key, described here. A draft
      // until its dispute is submitted, then never changed.
      `CREATE TABLE dispute_evidence (
         id text PRIMARY KEY,
         seq bigint GENERATED ALWAYS AS IDENTITY,
         merchant_id text NOT NULL,
         dispute_id text NOT NULL,
         file_key text NOT NULL,
         display_name text NOT NULL,
         content_type text NOT NULL,
         size bigint NOT NULL,
         sha256 text NOT NULL,
         description text,
         uploaded_at timestamptz NOT NULL,
         uploaded_by text NOT NULL,
         FOREIGN KEY (merchant_id, dispute_id) REFERENCES dispute_responses (merchant_id, dispute_id)
       )`,
      'CREATE INDEX dispute_evidence_by_dispute ON dispute_evidence (merchant_id, dispute_id, seq)',
    ],
  },
  {
    version: 7,
    sql: [
      // A merchant's payout schedule (src/merchant/payout-schedule.ts): one row per merchant that
      // changed the defaults. Minimum amounts are per currency, in its minor units (a JSON object
      // {"XOF": 500000}): balances are per currency, and comparing them would need an FX rate.
      `CREATE TABLE merchant_payout_schedules (
         merchant_id text PRIMARY KEY,
         payout_interval text NOT NULL CHECK (payout_interval IN ('manual', 'daily', 'weekly', 'monthly')),
         weekly_anchor text NOT NULL,
         monthly_anchor smallint NOT NULL CHECK (monthly_anchor BETWEEN 1 AND 31),
         delay_days smallint NOT NULL CHECK (delay_days >= 0),
         minimum_amounts jsonb NOT NULL,
         updated_at timestamptz NOT NULL,
         updated_by text NOT NULL
       )`,
    ],
  },
  {
    version: 8,
    sql: [
      // The merchant portal's webhooks (src/merchant/merchant-webhooks.ts): an endpoint may take
      // only some event types; null, as every endpoint made before, takes every event.
      'ALTER TABLE webhook_endpoints ADD COLUMN event_types text[]',
      // Alerts that no rule raises: the portal's own (a dispute due soon, kind
      // 'dispute_due_soon'); the evaluator's alerts are kind 'rule' and always have a rule.
      "ALTER TABLE alerts ADD COLUMN kind text NOT NULL DEFAULT 'rule'",
      'ALTER TABLE alerts ALTER COLUMN rule_id DROP NOT NULL',
      "ALTER TABLE alerts ADD CONSTRAINT alerts_rule_of_kind CHECK ((kind = 'rule') = (rule_id IS NOT NULL))",
      'CREATE INDEX alerts_by_merchant ON alerts (merchant_id, id)',
      // One row per dispute reminded of its deadline (src/merchant/dispute-deadlines.ts): the
      // claim that makes the reminder once per dispute, whatever the schedulers and restarts.
      `CREATE TABLE merchant_dispute_reminders (
         merchant_id text NOT NULL,
         dispute_id text NOT NULL,
         due_by timestamptz NOT NULL,
         sent_at timestamptz NOT NULL,
         alert_id integer REFERENCES alerts (id),
         PRIMARY KEY (merchant_id, dispute_id)
       )`,
    ],
  },
  {
    // Background exports (src/merchant/export/export-jobs.ts). The file is in the file store
    // under file_key; updated_at is the running process's heartbeat.
    version: 9,
    sql: [
      `CREATE TABLE merchant_exports (
         id text PRIMARY KEY,
         merchant_id text NOT NULL,
         kind text NOT NULL,
         format text NOT NULL CHECK (format IN ('csv', 'xlsx', 'pdf')),
         lang text NOT NULL CHECK (lang IN ('en', 'fr')),
         range_from timestamptz NOT NULL,
         range_to timestamptz NOT NULL,
         status text NOT NULL CHECK (status IN ('queued', 'running', 'ready', 'failed')),
         rows bigint,
         bytes bigint,
         file_key text,
         error text,
         requested_by text NOT NULL,
         requested_at timestamptz NOT NULL,
         updated_at timestamptz NOT NULL,
         finished_at timestamptz
       )`,
      'CREATE INDEX merchant_exports_active ON merchant_exports (merchant_id, status, updated_at)',
    ],
  },
  {
    // The routing failover mesh (src/mesh, docs/mesh.md; types in src/mesh/model.ts).
    version: 10,
    sql: [
      // Members: the banks, PSPs and rails routes may name (by their events' provider value). A
      // member is active once both compliance and ops approved it (mesh_member_approvals).
      `CREATE TABLE mesh_members (
         id text PRIMARY KEY,
         provider text NOT NULL,
         name text NOT NULL,
         kind text NOT NULL CHECK (kind IN ('bank', 'psp', 'rail')),
         region text NOT NULL,
         currency_codes text[] NOT NULL,
         status text NOT NULL CHECK (status IN ('pending_approval', 'active', 'suspended')),
         requested_by text NOT NULL,
         created_at timestamptz NOT NULL,
         UNIQUE (provider, region)
       )`,
      `CREATE TABLE mesh_member_approvals (
         member_id text NOT NULL REFERENCES mesh_members (id),
         approver_role text NOT NULL CHECK (approver_role IN ('compliance', 'ops')),
         approved_by text NOT NULL,
         approved_at timestamptz NOT NULL,
         PRIMARY KEY (member_id, approver_role)
       )`,
      // Liquidity each member holds in a region and currency, moved by reconciled transfers.
      `CREATE TABLE mesh_liquidity_pools (
         id text PRIMARY KEY,
         region text NOT NULL,
         currency text NOT NULL,
         provider text NOT NULL,
         balance_minor bigint NOT NULL,
         updated_at timestamptz NOT NULL,
         UNIQUE (region, currency, provider)
       )`,
      // Policies: how proposals for a region (and currency; null = every currency) are applied.
      `CREATE TABLE mesh_policies (
         id text PRIMARY KEY,
         region text NOT NULL,
         currency text,
         mode text NOT NULL CHECK (mode IN ('auto', 'approval_required')),
         auto_confidence_threshold double precision NOT NULL CHECK (auto_confidence_threshold BETWEEN 0 AND 1),
         limits jsonb NOT NULL,
         created_by text NOT NULL,
         created_at timestamptz NOT NULL,
         active boolean NOT NULL
       )`,
      'CREATE UNIQUE INDEX mesh_policies_one_active ON mesh_policies (region, coalesce(currency, \'\')) WHERE active',
      // Routing tables: every version of each (region, currency), whole (routes as JSON).
      `CREATE TABLE mesh_routing_versions (
         region text NOT NULL,
         currency text NOT NULL,
         version integer NOT NULL,
         kind text NOT NULL CHECK (kind IN ('static', 'proposal', 'rollback')),
         routes jsonb NOT NULL,
         proposal_id text,
         restored_version integer,
         created_at timestamptz NOT NULL,
         created_by text NOT NULL,
         PRIMARY KEY (region, currency, version)
       )`,
      // Signed predictions of provider health per segment (the JWS is the prediction; the
      // columns are for lookups and are checked against it before use).
      `CREATE TABLE mesh_predictions (
         id text PRIMARY KEY,
         provider text NOT NULL,
         region text NOT NULL,
         currency text NOT NULL,
         method text NOT NULL,
         score double precision NOT NULL,
         confidence double precision NOT NULL,
         generated_at timestamptz NOT NULL,
         expires_at timestamptz NOT NULL,
         kid text NOT NULL,
         jws text NOT NULL
       )`,
      'CREATE INDEX mesh_predictions_latest ON mesh_predictions (region, currency, method, provider, generated_at DESC)',
      // The keys predictions are signed with; the newest unretired one signs, any unretired one verifies.
      `CREATE TABLE mesh_signing_keys (
         kid text PRIMARY KEY,
         alg text NOT NULL,
         private_jwk jsonb NOT NULL,
         public_jwk jsonb NOT NULL,
         created_at timestamptz NOT NULL,
         retired_at timestamptz
       )`,
      `CREATE TABLE mesh_proposals (
         id text PRIMARY KEY,
         region text NOT NULL,
         currency text NOT NULL,
         base_version integer NOT NULL,
         routes jsonb NOT NULL,
         rationale jsonb NOT NULL,
         confidence double precision NOT NULL,
         status text NOT NULL CHECK (status IN ('pending_approval', 'canary', 'applied', 'rejected', 'rolled_back', 'superseded')),
         simulation jsonb,
         canary_percent smallint CHECK (canary_percent BETWEEN 1 AND 99),
         canary_alert_rule_id integer,
         canary_started_at timestamptz,
         applied_version integer,
         created_at timestamptz NOT NULL,
         created_by text NOT NULL,
         decided_at timestamptz,
         decided_by text
       )`,
      'CREATE INDEX mesh_proposals_by_table ON mesh_proposals (region, currency, created_at DESC)',
      // At most one canary per table at a time.
      "CREATE UNIQUE INDEX mesh_proposals_one_canary ON mesh_proposals (region, currency) WHERE status = 'canary'",
      // A table whose kill switch is engaged routes by its last static version until reset.
      `CREATE TABLE mesh_kill_switches (
         region text NOT NULL,
         currency text NOT NULL,
         engaged_at timestamptz NOT NULL,
         engaged_by text NOT NULL,
         reason text NOT NULL,
         PRIMARY KEY (region, currency)
       )`,
      // Every mesh action, with the Idempotency-Key that made it (its answer is replayed for the same key).
      `CREATE TABLE mesh_actions (
         id bigserial PRIMARY KEY,
         at timestamptz NOT NULL,
         actor text NOT NULL,
         action text NOT NULL,
         target text NOT NULL,
         idempotency_key text UNIQUE,
         request_hash text,
         result jsonb NOT NULL
       )`,
      // Money a routing change moves between providers and regions: expected when it is applied,
      // matched against what the analytics store then observes.
      `CREATE TABLE mesh_reconciliations (
         id text PRIMARY KEY,
         proposal_id text NOT NULL,
         region text NOT NULL,
         currency text NOT NULL,
         from_provider text NOT NULL,
         to_provider text NOT NULL,
         from_region text NOT NULL,
         to_region text NOT NULL,
         expected_minor bigint NOT NULL,
         observed_minor bigint,
         status text NOT NULL CHECK (status IN ('pending', 'matched', 'unmatched')),
         created_at timestamptz NOT NULL,
         checked_at timestamptz
       )`,
    ],
  },
  {
    // Export retention (src/merchant/export/export-retention.ts): a ready export whose
    // EXPORT_RETENTION_HOURS have passed is `expired`, its file deleted (file_key null once it is
    // gone). Downloads by signed link are audited: the link names no user, so the audit log
    // gains the actor kind `link`. The constraints are the ones migrations 4 and 9 declared on
    // their columns (PostgreSQL names those <table>_<column>_check).
    version: 11,
    sql: [
      'ALTER TABLE merchant_exports DROP CONSTRAINT merchant_exports_status_check',
      `ALTER TABLE merchant_exports ADD CONSTRAINT merchant_exports_status_check CHECK (status IN ('queued', 'running', 'ready', 'failed', 'expired'))`,
      // What the retention sweep reads: ready exports by age, and expired ones whose file is still to delete.
      `CREATE INDEX merchant_exports_ready ON merchant_exports (finished_at) WHERE status = 'ready'`,
      `CREATE INDEX merchant_exports_unpurged ON merchant_exports (id) WHERE status = 'expired' AND file_key IS NOT NULL`,
      'ALTER TABLE merchant_audit DROP CONSTRAINT merchant_audit_actor_kind_check',
      `ALTER TABLE merchant_audit ADD CONSTRAINT merchant_audit_actor_kind_check CHECK (actor_kind IN ('merchant', 'ops', 'link'))`,
    ],
  },
  {
    // Custom event definitions (src/custom-events, docs/custom-events.md): one row per version of
    // an event type; a new version never changes the ones before it. `properties` is the
    // canonical list (sorted by name): {name, type, role, description, cardinality_cap | unit}.
    version: 12,
    sql: [
      `CREATE TABLE custom_event_definitions (
         name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
         version integer NOT NULL CHECK (version >= 1),
         description text NOT NULL,
         properties jsonb NOT NULL,
         created_at timestamptz NOT NULL,
         created_by text NOT NULL,
         PRIMARY KEY (name, version)
       )`,
    ],
  },
  {
    // Reconciliation of routing changes (src/mesh/reconciliation.ts): an item per (version, from,
    // to) with the cells of traffic it moves and the windows it is measured on (a static version
    // has no proposal); each version is reconciled once, claimed by its row in
    // mesh_reconciled_versions. mesh_reconciliations has had no writer before this version.
    version: 13,
    sql: [
      'ALTER TABLE mesh_reconciliations ALTER COLUMN proposal_id DROP NOT NULL',
      'ALTER TABLE mesh_reconciliations ADD COLUMN version integer NOT NULL',
      'ALTER TABLE mesh_reconciliations ADD COLUMN cells jsonb NOT NULL',
      'ALTER TABLE mesh_reconciliations ADD COLUMN window_from timestamptz NOT NULL',
      'ALTER TABLE mesh_reconciliations ADD COLUMN window_to timestamptz NOT NULL',
      'ALTER TABLE mesh_reconciliations ADD COLUMN expected_window_minor bigint',
      'CREATE UNIQUE INDEX mesh_reconciliations_one_move ON mesh_reconciliations (region, currency, version, from_provider, to_provider)',
      'CREATE INDEX mesh_reconciliations_newest ON mesh_reconciliations (created_at DESC, id DESC)',
      `CREATE TABLE mesh_reconciled_versions (
         region text NOT NULL,
         currency text NOT NULL,
         version integer NOT NULL,
         reconciled_at timestamptz NOT NULL,
         PRIMARY KEY (region, currency, version)
       )`,
    ],
  },
  {
    // Merchant names (src/merchants/merchant-names.ts): reference data an import fills, so the
    // dashboard shows a name wherever it shows a merchant id. The lower-cased name is searched.
    version: 14,
    sql: [
      `CREATE TABLE merchant_names (
         merchant_id text PRIMARY KEY,
         name text NOT NULL,
         updated_at timestamptz NOT NULL,
         source text NOT NULL
       )`,
      'CREATE INDEX merchant_names_by_name ON merchant_names (lower(name))',
    ],
  },
  {
    // State retention (src/state-store/state-retention.ts) finds what is old enough by these,
    // rather than reading whole tables once they have grown.
    version: 15,
    sql: [
      `CREATE INDEX alerts_resolved_at ON alerts (resolved_at) WHERE state = 'resolved'`,
      'CREATE INDEX audit_log_at ON audit_log (at)',
      'CREATE INDEX merchant_audit_at ON merchant_audit (at)',
      `CREATE INDEX outbox_finished ON outbox (created_at) WHERE status IN ('delivered', 'dead', 'suppressed')`,
      'CREATE INDEX delivery_log_outbox ON delivery_log (outbox_id)',
      `CREATE INDEX kafka_outbox_finished ON kafka_outbox (created_at) WHERE status IN ('delivered', 'dead')`,
      'CREATE INDEX alert_comments_alert ON alert_comments (alert_id)',
    ],
  },
];

export const LATEST_STATE_VERSION = Math.max(...STATE_MIGRATIONS.map((m) => m.version));

/**
 * Names the schema these migrations make: new embedded stores are copies of a template keyed by
 * it. The SQL's hash is in it, not only the version, so that branches adding migrations side by
 * side (or one changed before it is merged) never reuse each other's template.
 */
export const STATE_SCHEMA_KEY = `schema-${LATEST_STATE_VERSION}-${createHash('sha256').update(JSON.stringify(STATE_MIGRATIONS)).digest('hex').slice(0, 12)}`;

/** Applies the migrations not applied yet. Safe to run concurrently from several replicas. */
export async function migrateState(store: StateStore): Promise<number> {
  await store.query(`CREATE TABLE IF NOT EXISTS state_migrations (
    version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  let applied = 0;
  for (const m of STATE_MIGRATIONS) {
    applied += await store.transaction(async (q) => {
      // Serialises replicas migrating at once; released at commit.
      await q.query('SELECT pg_advisory_xact_lock(7231001)');
      const done = await q.query('SELECT 1 FROM state_migrations WHERE version = $1', [m.version]);
      if (done.length) return 0;
      for (const sql of m.sql) await q.query(sql);
      await q.query('INSERT INTO state_migrations (version) VALUES ($1)', [m.version]);
      return 1;
    });
  }
  return applied;
}
