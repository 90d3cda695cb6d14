// The merchant audit log (state table merchant_audit): who did what for which merchant, when and
// from where. Written by the portal's scope check for every ops call made on a merchant's behalf,
// by each use case that changes something, in the change's own transaction, and by each download
// of an export by its signed link (actor kind `link`: the link names no user). Read newest first,
// a keyset page by id.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';

export interface AuditEntry {
  action: string;
  objectType: string | null;
  objectId: string | null;
  detail: Record<string, unknown>;
}

/** Who acts for which merchant: a portal request's scope, or a signed link (which names no user). */
export interface AuditActor {
  merchantId: string;
  actor: string;
  actorKind: MerchantScope['actorKind'] | 'link';
}

export interface AuditItem {
  id: string;
  at: string;
  actor: string;
  actor_kind: AuditActor['actorKind'];
  action: string;
  object_type: string | null;
  object_id: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
}

export const MAX_AUDIT_PAGE = 500;
const MAX_USER_AGENT = 256;

export async function writeAudit(q: Queryable, scope: AuditActor, origin: RequestOrigin, entry: AuditEntry, at: number): Promise<void> {
  await q.query(
    `INSERT INTO merchant_audit (at, merchant_id, actor, actor_kind, action, object_type, object_id, ip, user_agent, request_id, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [new Date(at), scope.merchantId, scope.actor, scope.actorKind, entry.action, entry.objectType, entry.objectId,
      origin.ip, origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null, origin.requestId, entry.detail]);
}

export interface AuditQuery {
  from: number;
  to: number;
  actor: string | null;
  action: string | null;
  /** next_cursor of the previous page. */
  cursor: string | undefined;
  limit: number;
}

interface AuditRow {
  id: number | bigint; at: Date; actor: string; actor_kind: AuditActor['actorKind']; action: string; object_type: string | null;
  object_id: string | null; ip: string | null; user_agent: string | null; request_id: string | null; detail: Record<string, unknown>;
}

/** The merchant's entries in [from, to), newest first. */
export async function listAudit(q: Queryable, merchantId: string, a: AuditQuery): Promise<{ items: AuditItem[]; next_cursor: string | null }> {
  const before = a.cursor === undefined ? null : decodeCursor(a.cursor);
  const rows = await q.query<AuditRow>(
    `SELECT id, at, actor, actor_kind, action, object_type, object_id, ip, user_agent, request_id, detail FROM merchant_audit
     WHERE merchant_id = $1 AND at >= $2 AND at < $3 AND ($4::text IS NULL OR actor = $4) AND ($5::text IS NULL OR action = $5)
       AND ($6::bigint IS NULL OR id < $6)
     ORDER BY id DESC LIMIT $7`,
    [merchantId, new Date(a.from), new Date(a.to), a.actor, a.action, before, a.limit + 1]);
  const page = rows.slice(0, a.limit);
  return {
    items: page.map((r) => ({
      id: String(r.id), at: r.at.toISOString(), actor: r.actor, actor_kind: r.actor_kind, action: r.action,
      object_type: r.object_type, object_id: r.object_id, ip: r.ip, user_agent: r.user_agent, request_id: r.request_id, detail: r.detail,
    })),
    next_cursor: rows.length > a.limit ? String(page[page.length - 1].id) : null,
  };
}

function decodeCursor(cursor: string): string {
  if (!/^[1-9][0-9]{0,17}$/.test(cursor)) throw new AppError('invalid_parameter', 'cursor is not one this API returned');
  return cursor;
}
