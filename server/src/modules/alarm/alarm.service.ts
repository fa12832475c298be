import type { EntityManager } from '@mikro-orm/postgresql';
import { AppError, NotFoundError } from '../../errors.js';
import type { PgPubSub } from '../../events/pg-pubsub.js';
import { Topic, type AlarmEvent } from '../../events/topics.js';
import { Role, type Principal } from '../auth/index.js';
import { Alarm, AlarmNotification, AlarmStatus } from './alarm.entity.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function publishAlarm(bus: PgPubSub, topic: 'ALARM_RAISED' | 'ALARM_UPDATED', alarm: AlarmEvent) {
  await bus.publish(Topic[topic], alarm);
}

/** Reading alarm records and acknowledging them; raising and resolving is the evaluator's. */
export class AlarmService {
  constructor(private readonly bus: PgPubSub) {}

  async list(
    em: EntityManager,
    principal: Principal,
    input: { workspaceId: string; status?: AlarmStatus | null; limit: number; offset: number },
  ): Promise<{ items: Alarm[]; total: number }> {
    principal.require(input.workspaceId, Role.VIEWER);
    const where = { workspaceId: input.workspaceId, ...(input.status ? { status: input.status } : {}) };
    const [items, total] = await em.findAndCount(Alarm, where, {
      orderBy: { createdAt: 'DESC', id: 'DESC' },
      limit: input.limit,
      offset: input.offset,
    });
    return { items, total };
  }

  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<Alarm> {
    const alarm = UUID.test(id) ? await em.findOne(Alarm, { id }) : null;
    if (!alarm || !principal.roleIn(alarm.workspaceId)) throw new NotFoundError('Alarm', id);
    principal.require(alarm.workspaceId, minimum);
    return alarm;
  }

  notifications(em: EntityManager, alarmId: string): Promise<AlarmNotification[]> {
    return em.find(AlarmNotification, { alarmId }, { orderBy: { createdAt: 'ASC', id: 'ASC' } });
  }

  /**
   * OPERATOR: marks a firing alarm as seen. It keeps firing (and counting) until a run succeeds,
   * but sends no more REPEAT notifications; the RESOLVED one is still sent.
   */
  async acknowledge(em: EntityManager, principal: Principal, id: string, comment: string | null): Promise<Alarm> {
    const alarm = await this.get(em, principal, id, Role.OPERATOR);
    const updated = await em.nativeUpdate(
      Alarm,
      { id, status: AlarmStatus.FIRING },
      { acknowledgedAt: new Date(), acknowledgedById: principal.user.id, ackComment: comment },
    );
    if (updated === 0) throw new AppError('CONFLICT', 'Only a FIRING alarm can be acknowledged', { field: 'id' });
    await em.refresh(alarm);
    await publishAlarm(this.bus, 'ALARM_UPDATED', { alarmId: alarm.id, workspaceId: alarm.workspaceId });
    return alarm;
  }
}
