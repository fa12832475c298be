import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from '../../logger.js';
import { AuditEvent, AuditOutcome } from './audit-event.entity.js';
import type { Principal } from './principal.js';
import { Role } from './role.js';
import type { Page } from './user.service.js';

/** Field names whose values never reach the audit log. */
const SECRET_KEY = /pass(word)?|secret|token|credential|private|api[_-]?key|^key$/i;
const MAX_STRING = 500;
/** Documents (task configs) can hold inline secrets anywhere in their text: the log keeps only their size. */
const DOCUMENT_KEY = /^content$/i;

/** A copy of `value` with secret-looking fields replaced and long strings cut. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[…]';
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        SECRET_KEY.test(k)
          ? '[redacted]'
          : DOCUMENT_KEY.test(k) && typeof v === 'string'
            ? `[document, ${v.length} characters]`
            : redact(v, depth + 1),
      ]),
    );
  }
  if (typeof value === 'string' && value.length > MAX_STRING) return `${value.slice(0, MAX_STRING)}…`;
  return value;
}

export interface AuditRecord {
  action: string;
  outcome: AuditOutcome;
  errorCode?: string;
  actorUserId?: string;
  actorTokenId?: string;
  actorLabel?: string;
  workspaceId?: string;
  targetType?: string;
  targetId?: string;
  clientAddress?: string;
  input: unknown;
}

export class AuditService {
  constructor(private readonly logger: Logger) {}

  async record(em: EntityManager, record: AuditRecord): Promise<void> {
    try {
      em.create(AuditEvent, {
        action: record.action,
        outcome: record.outcome,
        errorCode: record.errorCode ?? null,
        actorUserId: record.actorUserId ?? null,
        actorTokenId: record.actorTokenId ?? null,
        actorLabel: record.actorLabel?.slice(0, 320) ?? null,
        workspaceId: record.workspaceId ?? null,
        targetType: record.targetType ?? null,
        targetId: record.targetId ?? null,
        clientAddress: record.clientAddress ?? null,
        summary: (redact(record.input) as Record<string, unknown>) ?? {},
      });
      await em.flush();
    } catch (err) {
      // The change itself is committed; losing its record is an operational error to see in the log.
      this.logger.error({ err, action: record.action }, 'could not write an audit event');
    }
  }

  /** Admins read their workspace's events; only a superuser reads across workspaces. */
  async list(
    em: EntityManager,
    principal: Principal,
    filter: { workspaceId?: string; actorUserId?: string; action?: string; targetId?: string; from?: Date; to?: Date },
    page: Page,
  ): Promise<{ items: AuditEvent[]; total: number }> {
    if (filter.workspaceId) principal.require(filter.workspaceId, Role.ADMIN);
    else principal.requireSuperuser();
    const where: Record<string, unknown> = {};
    if (filter.workspaceId) where.workspaceId = filter.workspaceId;
    if (filter.actorUserId) where.actorUserId = filter.actorUserId;
    if (filter.action) where.action = filter.action;
    if (filter.targetId) where.targetId = filter.targetId;
    if (filter.from || filter.to) {
      where.at = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    }
    const [items, total] = await em.findAndCount(AuditEvent, where, {
      orderBy: { at: 'DESC', id: 'DESC' },
      offset: page.offset,
      limit: page.limit,
    });
    return { items, total };
  }
}
