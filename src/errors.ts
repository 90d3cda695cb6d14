// Expected failures carry a stable code; one table maps each code to an HTTP status, and the
// catalogue beside it says what each code means and what the client should do. The HTTP layer
// renders them as problem+json (RFC 9457) whose `type` is /docs/errors#<code>, the page served
// from this catalogue. Anything else is a logged 500 (`internal`).

export const ERROR_STATUS = {
  bad_request: 400,
  invalid_csv: 400,
  invalid_encoding: 400,
  invalid_parameter: 400,
  invalid_json: 400,
  unknown_metric: 400,
  unknown_dimension: 400,
  invalid_time_zone: 400,
  invalid_range: 400,
  range_too_large: 422,
  result_too_large: 422,
  beyond_retention: 422,
  invalid_fx_rates: 400,
  invalid_merchants: 400,
  target_not_allowed: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  file_too_large: 413,
  file_size_mismatch: 400,
  file_refused: 422,
  evidence_limit_exceeded: 413,
  dispute_submitted: 409,
  dispute_expired: 409,
  evidence_required: 422,
  invalid_file_key: 500,
  unauthorized: 401,
  invalid_token: 401,
  token_expired: 401,
  forbidden: 403,
  forbidden_merchant: 403,
  merchant_required: 400,
  idempotency_key_required: 400,
  idempotency_key_reused: 422,
  idempotency_key_in_use: 409,
  transaction_not_refundable: 422,
  currency_mismatch: 422,
  refund_exceeds_captured: 422,
  refund_pending: 409,
  refund_not_pending: 409,
  four_eyes_required: 403,
  invalid_route: 422,
  stale_version: 409,
  proposal_not_pending: 409,
  proposal_not_applied: 409,
  rollback_window_passed: 409,
  member_not_pending: 409,
  approval_exists: 409,
  approver_role_required: 403,
  step_up_required: 403,
  not_found: 404,
  too_many_exports: 429,
  download_link_invalid: 403,
  download_link_expired: 410,
  export_not_ready: 409,
  export_expired: 410,
  not_subscribed: 404,
  prediction_signature_invalid: 422,
  prediction_key_unknown: 422,
  prediction_stale: 422,
  no_route: 404,
  no_static_version: 409,
  kill_switch_engaged: 409,
  canary_not_allowed: 409,
  canary_exists: 409,
  canary_not_running: 409,
  canary_above_policy: 422,
  invalid_definition: 422,
  property_type_changed: 409,
  rate_limited: 429,
  internal: 500,
  too_many_queries: 429,
  auth_unavailable: 503,
  store_unavailable: 503,
  ingest_stopped: 503,
  read_only_replica: 503,
  migrations_pending: 503,
  state_unavailable: 503,
  ingest_failing: 503,
  ingest_recovering: 503,
  starting: 503,
  file_store_unavailable: 503,
  file_store_denied: 503,
  backup_unsupported: 409,
  backup_exists: 409,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDoc {
  /** What happened, in one sentence. */
  meaning: string;
  /** What the client should do about it. */
  action: string;
}

/**
 * What every code means and what to do: a code added to ERROR_STATUS does not compile until it
 * has its line here. Served at /docs/errors (HTML and JSON).
 */
export const ERROR_DOCS = {
  bad_request: {
    meaning: 'The request is malformed: an unreadable URL, a body of the wrong shape, or an ingest body with no events.',
    action: 'Fix the request as `detail` says; retrying it unchanged fails again.',
  },
  invalid_parameter: {
    meaning: 'A query parameter, path parameter or body field is unknown, missing or out of range (an unknown parameter is refused so a misspelt filter never widens an answer).',
    action: 'Correct the parameter named in `detail`; GET /docs/json lists every parameter of every route.',
  },
  invalid_json: {
    meaning: 'The body is declared JSON but is not valid JSON (or is empty). On ingest, the outer shape only (content after the array): one malformed event is refused on its own (`event-invalid_json`).',
    action: 'Send valid JSON with Content-Type: application/json.',
  },
  too_many_queries: {
    meaning: 'Every query place (QUERY_MAX_CONCURRENCY) and the waiting queue (QUERY_QUEUE_LENGTH) are taken: the server bounds the answers it holds at once so its memory stays bounded.',
    action: 'Retry after the `Retry-After` seconds; a dashboard should back off rather than retry at once.',
  },
  target_not_allowed: {
    meaning: 'A webhook URL, or an address its host name resolves to, is not public (loopback, private, link-local…): deliveries there are refused, so the endpoint is refused at registration too.',
    action: 'Register a public HTTPS endpoint (WEBHOOKS_ALLOW_PRIVATE_TARGETS allows private ones, for development only).',
  },
  state_unavailable: {
    meaning: 'The state store (alerts, webhooks, audit: PostgreSQL or the embedded PGlite) cannot be reached, or is still opening.',
    action: 'Retry after `Retry-After`; the server reconnects by itself when the database returns.',
  },
  ingest_failing: {
    meaning: 'From /ready: the last commit to the analytics store failed (a full disk, say); the node takes no traffic until a write succeeds again.',
    action: 'Free the resource the log names; readiness returns by itself (a probe write is tried every few seconds).',
  },
  ingest_recovering: {
    meaning: 'From /ready: the engine is rebuilding its state from the store after a failed commit.',
    action: 'Wait and probe again; it is ready once the rebuild ends.',
  },
  starting: {
    meaning: 'The server has bound its port but is still opening its stores.',
    action: 'Retry after `Retry-After`; /healthz answers already, /ready says when each part is ready.',
  },
  invalid_csv: {
    meaning: 'A text/csv ingest body cannot be read as CSV at all (its header, or its quoting as a whole).',
    action: 'Send a header row of contract field names, then one event per row (docs/events.md#csv).',
  },
  invalid_encoding: {
    meaning: 'A body that must be read as a whole (a CSV body) is not UTF-8 text. An event whose own bytes are not UTF-8 is refused on its own instead (`event-invalid_encoding`).',
    action: 'Encode the body as UTF-8.',
  },
  unknown_metric: {
    meaning: 'A metric name is not in the registry.',
    action: 'Use a name from GET /api/v1/metrics/registry.',
  },
  unknown_dimension: {
    meaning: 'A dimension (grouping or filter) name is not one the API knows.',
    action: 'Use a dimension from GET /api/v1/metrics/registry.',
  },
  invalid_time_zone: {
    meaning: '`tz` is not an IANA time zone name.',
    action: 'Send a zone such as UTC, Africa/Dakar or Europe/Paris.',
  },
  invalid_range: {
    meaning: '`from`/`to` (or another pair of instants) is not RFC 3339 with an offset, or the end is not after the start.',
    action: 'Send RFC 3339 instants with an offset, `to` after `from`.',
  },
  range_too_large: {
    meaning: 'The range would need more buckets, or more minute-rollup days, than the server allows (QUERY_MAX_BUCKETS, QUERY_MAX_MINUTE_SPAN_DAYS).',
    action: 'Ask for a shorter range or a coarser granularity.',
  },
  result_too_large: {
    meaning: 'The answer would hold more rows than QUERY_MAX_ROWS.',
    action: 'Use `limit`, fewer dimensions or a coarser granularity.',
  },
  beyond_retention: {
    meaning: 'The range reaches back past what the rollups it needs still hold (MINUTE_RETENTION_DAYS, HOUR_RETENTION_DAYS).',
    action: 'Ask for a more recent range, or a coarser granularity whose rollups are kept longer (day rollups are kept forever).',
  },
  invalid_fx_rates: {
    meaning: 'An FX rates body is neither CSV (date,currency,usd_per_unit) nor JSON {"rates": […]}, or a row of it is invalid.',
    action: 'Fix the row named in `detail` and send the whole body again (loading is atomic).',
  },
  invalid_merchants: {
    meaning: 'A merchant names body is neither CSV (merchant_id,name) nor JSON {"merchants": […]}, or a row of it is invalid (an id outside 1-128 of A-Z a-z 0-9 . _ : @ | -, a name empty, over 200 characters or with control characters).',
    action: 'Fix the row named in the message and send the whole body again (an import is atomic).',
  },
  unsupported_media_type: {
    meaning: 'The body\'s Content-Type is not one this route reads.',
    action: 'Send application/json (ingest also takes application/x-ndjson; FX rates also text/csv).',
  },
  payload_too_large: {
    meaning: 'The body is larger than INGEST_MAX_BODY_BYTES, or holds more events than INGEST_MAX_BATCH_EVENTS.',
    action: 'Split it into smaller requests.',
  },
  unauthorized: {
    meaning: 'No bearer token was sent (Authorization: Bearer <JWT>), or the server has no identity provider configured.',
    action: 'Send a token; in development get one with `npm run token -- --role …`.',
  },
  invalid_token: {
    meaning: 'The token could not be verified: bad signature, wrong algorithm, issuer or audience, unknown key, or malformed.',
    action: 'Get a new token from the identity provider this server trusts; do not retry this one.',
  },
  token_expired: {
    meaning: 'The token\'s `exp` has passed (beyond the allowed clock skew).',
    action: 'Get a fresh token and retry.',
  },
  forbidden: {
    meaning: 'The token is valid but does not grant the permission this route (or live feed) needs.',
    action: 'Use a token with the permission named in `detail` (see docs/api.md, "Who may do what").',
  },
  forbidden_merchant: {
    meaning: 'A merchant token asked for another merchant\'s data (a filter or a live room).',
    action: 'Leave out merchant_id, or ask for the token\'s own merchant.',
  },
  merchant_required: {
    meaning: 'A merchant portal route (/api/merchant/*) was called with a token that names no merchant (an ops token) and no X-Merchant-Id header: the portal always answers for one merchant.',
    action: 'Ops: name the merchant in the X-Merchant-Id header (the call is audited). Merchant users: use a token with a merchant_id claim.',
  },
  idempotency_key_required: {
    meaning: 'A request that moves money (POST /api/merchant/refunds) came without an Idempotency-Key header, so a retry could not be told from a second request.',
    action: 'Send a fresh Idempotency-Key (1-255 visible ASCII characters, a UUID say) per refund, and the same one when you retry it.',
  },
  idempotency_key_reused: {
    meaning: 'This Idempotency-Key was used by this merchant, in the last 24 hours at least, for a request with another body.',
    action: 'Use a new key for a new request; to retry the first one, send its body unchanged.',
  },
  idempotency_key_in_use: {
    meaning: 'A request with this Idempotency-Key is still being processed.',
    action: 'Wait for its answer, or retry with the same key and body in a moment: you then get the stored answer.',
  },
  transaction_not_refundable: {
    meaning: 'Only a succeeded transaction can be refunded; this one is pending or failed.',
    action: 'Refund it once it has succeeded; a failed payment has nothing to refund.',
  },
  currency_mismatch: {
    meaning: 'The refund\'s currency is not the transaction\'s.',
    action: 'Send the transaction\'s currency, with the amount in its minor units.',
  },
  refund_exceeds_captured: {
    meaning: 'With this amount the refunds of the transaction (approved or awaiting approval) would exceed its captured amount; `available` says what can still be refunded, in minor units.',
    action: 'Refund at most `available`.',
  },
  refund_pending: {
    meaning: 'A refund of this transaction awaits approval: no other refund of it can be requested meanwhile.',
    action: 'Have the pending refund approved or rejected first (POST /api/merchant/refunds/{id}/approve or /reject).',
  },
  refund_not_pending: {
    meaning: 'The refund was approved or rejected already; a decision is final.',
    action: 'Read its state with GET /api/merchant/refunds/{id}.',
  },
  four_eyes_required: {
    meaning: 'A refund above the approval threshold, a mesh member or a mesh proposal must be approved by another person than the one who requested (or drafted) it.',
    action: 'Ask another administrator of the merchant, or another mesh operator, to approve it.',
  },
  invalid_route: {
    meaning: 'A mesh route is not valid: its band is empty (min ≥ max) or overlaps another band of its method, its providers are empty or repeated, or it names a provider that is not an active member of the table\'s region or GLOBAL. `route_index` says which route, `reason` why; nothing was applied.',
    action: 'Fix that route (or have the member approved first) and send the request again.',
  },
  stale_version: {
    meaning: 'The routing table is no longer at the version the request (or the proposal) was based on: someone changed it meanwhile. A proposal refused so is marked superseded.',
    action: 'Read the table again (GET /api/mesh/routing/{region}/{currency}) and base the change on its current version.',
  },
  proposal_not_pending: {
    meaning: 'The proposal was decided already (applied, rejected, superseded or rolled back); a decision is final.',
    action: 'Read its state with GET /api/mesh/proposals/{id}; draft a new proposal for a new change.',
  },
  proposal_not_applied: {
    meaning: 'Only an applied proposal can be rolled back.',
    action: 'Read its state with GET /api/mesh/proposals/{id}.',
  },
  rollback_window_passed: {
    meaning: 'A proposal can be rolled back within 24 hours of its application only.',
    action: 'Set the table you want with PUT /api/mesh/routing/{region}/{currency}, or draft a proposal.',
  },
  member_not_pending: {
    meaning: 'The mesh member is not awaiting approval (it is active or suspended already).',
    action: 'Read it with GET /api/mesh/members.',
  },
  approval_exists: {
    meaning: 'The member has this role\'s approval (compliance or ops) already; it needs the other one.',
    action: 'Ask a holder of the other role to approve it.',
  },
  approver_role_required: {
    meaning: 'Approving a mesh member takes mesh:compliance (the compliance approval) or mesh:approve (the ops approval); the token holds neither.',
    action: 'Ask a mesh_compliance or mesh_ops user to approve it.',
  },
  step_up_required: {
    meaning: 'A sensitive operation (a payout schedule change) needs a recent sign-in: the token\'s `auth_time` must be within the last 5 minutes, and this one is older or missing.',
    action: 'Sign the user in again (at the identity provider: prompt=login or max_age=300) and retry with the new token.',
  },
  invalid_definition: {
    meaning: 'A custom event definition breaks a rule its schema cannot say: a property declared twice, a measure that is not a number or has no unit, a unit or cardinality cap on the wrong role, a bound passed (docs/custom-events.md#definitions); `property` names the property.',
    action: 'Fix the definition as `detail` says; nothing was written.',
  },
  property_type_changed: {
    meaning: 'A new version of a custom event would change the type of a property (or a measure\'s unit) that an earlier version declared: what was aggregated under that name would mean two things.',
    action: 'Keep the property\'s type, or declare the new meaning under a new property name; `property` names it.',
  },
  not_found: {
    meaning: 'No such route, or no such object visible to this token (another merchant\'s object answers the same).',
    action: 'Check the path and the id; do not retry.',
  },
  prediction_signature_invalid: {
    meaning: 'A routing-mesh prediction\'s signature does not verify, or its stored fields differ from what was signed: it was altered after it was made.',
    action: 'Do not use it. Generate a fresh prediction (POST /api/mesh/predictions/generate); find who changed the stored one.',
  },
  prediction_key_unknown: {
    meaning: 'A routing-mesh prediction names a signing key (kid) that is not one of the mesh\'s keys, or one that was retired.',
    action: 'Do not use it. Generate a fresh prediction, signed with the current key (GET /api/mesh/keys lists the keys that verify).',
  },
  prediction_stale: {
    meaning: 'A routing-mesh prediction is past its expiry: what it says of a provider\'s health is too old to route on.',
    action: 'Generate a fresh one (POST /api/mesh/predictions/generate), or wait for the scheduled run.',
  },
  no_route: {
    meaning: 'The routing mesh has no route for this payment: neither its region\'s table nor the GLOBAL table for its currency has a route of its method (or \'*\') whose amount band holds its amount. `region`, `currency`, `method`, `amount` and `looked_in` say what was looked for.',
    action: 'Do not retry as is: route the payment by your own default, and ask the mesh operators to add a route for it (PUT /api/mesh/routing/{region}/{currency}).',
  },
  no_static_version: {
    meaning: 'A kill switch returns a routing table to its last static version (set by an operator), and this table has none (or does not exist): there is nothing to fall back to.',
    action: 'Set the table\'s routes first (PUT /api/mesh/routing/{region}/{currency}), then engage the kill switch.',
  },
  kill_switch_engaged: {
    meaning: 'The table\'s kill switch is engaged already.',
    action: 'Nothing to do; GET /api/mesh/kill-switches lists the engaged ones, DELETE resets one.',
  },
  canary_not_allowed: {
    meaning: 'Only a proposal awaiting approval, based on its table\'s current version, can go live as a canary; this one is decided already (`proposal_status`) or its table moved on (`base_version`, `current_version`).',
    action: 'Read the proposal (GET /api/mesh/proposals/{id}); generate a new one for the table\'s current version.',
  },
  canary_exists: {
    meaning: 'The table has a live canary already (`proposal_id`): one at a time per table.',
    action: 'Stop it (POST /api/mesh/proposals/{id}/canary/stop), or wait for it to be approved or rolled back.',
  },
  canary_above_policy: {
    meaning: 'The canary\'s percentage is above what its table\'s policy allows (`limits.max_canary_percent`, given as `max_canary_percent`).',
    action: 'Ask for a smaller share, or have the policy changed (POST /api/mesh/policies).',
  },
  canary_not_running: {
    meaning: 'The proposal is not live as a canary (`proposal_status` says what it is): there is nothing to stop.',
    action: 'Read it with GET /api/mesh/proposals/{id}.',
  },
  too_many_exports: {
    meaning: 'The merchant already has 3 exports queued or running in the background.',
    action: 'Wait for one to finish (GET /api/merchant/exports/{id}), then ask again.',
  },
  download_link_invalid: {
    meaning: 'The export download link was not signed by this server: its id, expiry or signature was changed, or the server\'s EXPORT_URL_SECRET changed.',
    action: 'Ask GET /api/merchant/exports/{id} for a fresh link.',
  },
  download_link_expired: {
    meaning: 'The export download link is past its expiry (EXPORT_URL_TTL_SECONDS after it was issued).',
    action: 'Ask GET /api/merchant/exports/{id} for a fresh link.',
  },
  export_not_ready: {
    meaning: 'The export has no file: it is still running, or it failed.',
    action: 'Poll GET /api/merchant/exports/{id} until its status is ready.',
  },
  export_expired: {
    meaning: 'The export\'s file was deleted: exports are kept EXPORT_RETENTION_HOURS after they are ready (its status is expired).',
    action: 'Request the export again (GET /api/merchant/export).',
  },
  not_subscribed: {
    meaning: 'Live (WebSocket) only: `unsubscribe` named a room this connection had not joined.',
    action: 'Nothing to undo; keep track of the rooms you joined.',
  },
  rate_limited: {
    meaning: 'Too many requests for this token subject (RATE_LIMIT_PER_MINUTE), or too many failed authentications from this address.',
    action: 'Wait the number of seconds in Retry-After, then retry.',
  },
  internal: {
    meaning: 'An unexpected server error; the details are in the server log under the request id.',
    action: 'Retry later; if it persists, report the X-Request-Id of the answer.',
  },
  auth_unavailable: {
    meaning: 'The identity provider\'s keys (JWKS) could not be fetched, so no token can be verified.',
    action: 'Retry with backoff; the operator should check JWT_JWKS_URL.',
  },
  store_unavailable: {
    meaning: 'The analytics store did not answer or cannot take writes now (ingest backpressure, or readiness failing).',
    action: 'Retry after Retry-After (ingest) or with backoff; nothing of a refused ingest request was kept.',
  },
  ingest_stopped: {
    meaning: 'This process is not taking events: it is shutting down, or its role (ROLE) does not ingest.',
    action: 'Retry after Retry-After; behind a load balancer the retry reaches a process that ingests. Nothing of the refused request was kept.',
  },
  read_only_replica: {
    meaning: 'This process only reads the analytics store (ROLE=api or evaluator of a cluster); writes — ingest, FX rates, dead-letter replays — go to the consumer role, which holds the writer lease.',
    action: 'Send the request to the consumer (behind the deployment\'s ingress it is routed there: deploy/kubernetes/ingress.yaml). Nothing was written.',
  },
  file_too_large: {
    meaning: 'A file is larger than the limit of what it is stored for (an evidence file, say), or than the size it was declared with.',
    action: 'Send a smaller file; `detail` gives the limit. Nothing of the refused file was kept.',
  },
  file_size_mismatch: {
    meaning: 'A file ended before the size it was declared with (a cut upload): nothing of it was kept.',
    action: 'Send the whole file again.',
  },
  file_refused: {
    meaning: 'A file\'s bytes are not an accepted type (PDF, PNG or JPEG, judged from the bytes, never from the name or the declared type), or it is one with something else inside: data after its end, an embedded archive, HTML or script, PDF active content, or it is empty or cut short. `details.reason` says which (docs/files.md, "What is checked").',
    action: 'Send a plain PDF, PNG or JPEG (print or export the document again); nothing of the refused file was kept.',
  },
  evidence_limit_exceeded: {
    meaning: 'The dispute already holds as much evidence as it may (DISPUTE_EVIDENCE_MAX_TOTAL_BYTES all files together, or DISPUTE_EVIDENCE_MAX_FILES files): the file was not kept.',
    action: 'Delete a draft evidence file you no longer need, or send a smaller one; `detail` gives the limit.',
  },
  dispute_submitted: {
    meaning: 'The dispute\'s response was submitted: its evidence is locked, nothing can be added, deleted or submitted again.',
    action: 'None: the response is with the processor. Read it with GET /api/merchant/disputes/{id}.',
  },
  dispute_expired: {
    meaning: 'The dispute is past its `due_by` (its opening plus DISPUTE_RESPONSE_DAYS) without a submitted response: it takes no more evidence and no submission.',
    action: 'None through the portal: contact the processor about a late response.',
  },
  evidence_required: {
    meaning: 'A dispute\'s response was submitted without any evidence file.',
    action: 'Upload at least one PDF, PNG or JPEG with POST /api/merchant/disputes/{id}/evidence, then submit.',
  },
  invalid_file_key: {
    meaning: 'A file-store key is not of the allowed form (lowercase letters, digits, `_`, `-`, `.` not leading a segment, `/` between segments): server code named a file wrongly. Keys are never taken from clients.',
    action: 'Report it: this is a defect of the server, not of the request.',
  },
  file_store_unavailable: {
    meaning: 'The file store (local disk under DATA_DIR/files, or the S3-compatible storage of S3_BUCKET) could not be read or written: unreachable, timed out, a missing bucket, a full disk.',
    action: 'Retry after `Retry-After`; the operator should check the storage the server log names.',
  },
  backup_unsupported: {
    meaning: 'This server\'s stores are not embedded (ClickHouse, PostgreSQL): the platform does not copy them itself.',
    action: 'Back the servers up with their own tools, as docs/operations.md (backup and restore) describes.',
  },
  backup_exists: {
    meaning: 'The backup destination already exists and holds something: a backup never overwrites one.',
    action: 'Choose a new name for the backup (for example one with today\'s date and time).',
  },
  file_store_denied: {
    meaning: 'The S3-compatible storage refused this server\'s credentials (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) or their rights on S3_BUCKET.',
    action: 'Retry later; the operator should fix the credentials or the bucket policy the server log names.',
  },
  migrations_pending: {
    meaning: 'Readiness: the store\'s schema is older than this server expects.',
    action: 'Wait for the migrations to finish (the server applies them at start); keep the instance out of the load balancer.',
  },
} as const satisfies Record<ErrorCode, ErrorDoc>;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
