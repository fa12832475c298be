import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, UserInputError, type FieldProblem } from '../../errors.js';
import { Role, type Principal } from '../auth/index.js';
import { Task } from '../task/index.js';
import { AlarmRule, AlarmSeverity } from './alarm-rule.entity.js';
import { AlarmSilence } from './alarm-silence.entity.js';
import type { AlarmMatchersInput, CreateAlarmSilenceInput } from './alarm-silence.types.js';
import type { AlarmService } from './alarm.service.js';
import type { Matchers } from './alarm-suppression.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** The longest silence or maintenance window: 30 days. */
export const MAX_SUPPRESSION_MINUTES = 30 * 24 * 60;

/**
 * Validates matchers against the workspace (rules and tasks must be its own), adding problems;
 * returns them deduplicated. Fields left out are empty lists (match anything) unless `current`
 * keeps them (updates).
 */
export async function checkMatchers(
  em: EntityManager,
  workspaceId: string,
  input: AlarmMatchersInput,
  problems: FieldProblem[],
  current: Matchers = { ruleIds: [], taskIds: [], tags: [], severities: [] },
): Promise<Matchers> {
  const ids = async (field: 'ruleIds' | 'taskIds', given: string[] | undefined) => {
    if (!given) return current[field];
    const unique = [...new Set(given)];
    const bad = unique.some((id) => !UUID.test(id));
    const found = bad
      ? []
      : field === 'ruleIds'
        ? await em.find(AlarmRule, { id: { $in: unique }, workspaceId }, { fields: ['id'] })
        : await em.find(Task, { id: { $in: unique }, workspaceId }, { fields: ['id'] });
    if (bad || found.length !== unique.length) {
      const what = field === 'ruleIds' ? 'alarm rules' : 'tasks';
      problems.push({ field, message: `${field} must name ${what} of the workspace` });
    }
    return unique;
  };
  const ruleIds = await ids('ruleIds', input.ruleIds ?? undefined);
  const taskIds = await ids('taskIds', input.taskIds ?? undefined);
  const tags = input.tags ? [...new Set(input.tags.map((t) => t.trim()))] : current.tags;
  if (tags.some((t) => t === '')) problems.push({ field: 'tags', message: 'tags must not be blank' });
  const severities = input.severities ? [...new Set(input.severities)] : current.severities;
  if (severities.some((s) => !Object.values<string>(AlarmSeverity).includes(s)))
    problems.push({ field: 'severities', message: 'severities must be CRITICAL, WARNING or INFO' });
  return { ruleIds, taskIds, tags, severities };
}

/**
 * Silences: OPERATOR creates and expires them (silencing is an operator's act), VIEWER reads them.
 * A silence mutes notifications, never alarms: see alarm-suppression.ts.
 */
export class AlarmSilenceService {
  constructor(private readonly alarms: AlarmService) {}

  async list(
    em: EntityManager,
    principal: Principal,
    workspaceId: string,
    active?: boolean | null,
  ): Promise<AlarmSilence[]> {
    principal.require(workspaceId, Role.VIEWER);
    const now = new Date();
    const where =
      active === true
        ? { workspaceId, startsAt: { $lte: now }, endsAt: { $gt: now } }
        : active === false
          ? { workspaceId, $or: [{ startsAt: { $gt: now } }, { endsAt: { $lte: now } }] }
          : { workspaceId };
    return em.find(AlarmSilence, where, { orderBy: { createdAt: 'DESC', id: 'DESC' } });
  }

  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<AlarmSilence> {
    const silence = UUID.test(id) ? await em.findOne(AlarmSilence, { id }) : null;
    if (!silence || !principal.roleIn(silence.workspaceId)) throw new NotFoundError('AlarmSilence', id);
    principal.require(silence.workspaceId, minimum);
    return silence;
  }

  async create(em: EntityManager, principal: Principal, input: CreateAlarmSilenceInput): Promise<AlarmSilence> {
    principal.require(input.workspaceId, Role.OPERATOR);
    const problems: FieldProblem[] = [];
    const matchers = await checkMatchers(em, input.workspaceId, input, problems);
    const now = new Date();
    const startsAt = input.startsAt ?? now;
    const comment = (input.comment ?? '').trim();
    if (!(startsAt instanceof Date) || Number.isNaN(startsAt.getTime()))
      problems.push({ field: 'startsAt', message: 'startsAt must be a date' });
    if (!(input.endsAt instanceof Date) || Number.isNaN(input.endsAt.getTime()))
      problems.push({ field: 'endsAt', message: 'endsAt must be a date' });
    else if (input.endsAt.getTime() <= startsAt.getTime())
      problems.push({ field: 'endsAt', message: 'endsAt must be after startsAt' });
    else if (input.endsAt.getTime() <= now.getTime())
      problems.push({ field: 'endsAt', message: 'endsAt must be in the future' });
    if (comment === '') problems.push({ field: 'comment', message: 'comment is required: say why' });
    else if (comment.length > 2000)
      problems.push({ field: 'comment', message: 'comment must have at most 2000 characters' });
    if (problems.length > 0) throw UserInputError.of(problems);
    const silence = em.create(AlarmSilence, {
      workspaceId: input.workspaceId,
      ...matchers,
      severities: matchers.severities as AlarmSeverity[],
      startsAt,
      endsAt: input.endsAt,
      comment,
      createdById: principal.user.id,
    });
    await em.flush();
    return silence;
  }

  /** A silence of exactly that alarm's rule and task, from now on: "silence this" in one click. */
  async createFromAlarm(
    em: EntityManager,
    principal: Principal,
    alarmId: string,
    durationMinutes: number,
    comment: string,
  ): Promise<AlarmSilence> {
    const alarm = await this.alarms.get(em, principal, alarmId, Role.OPERATOR);
    if (!Number.isInteger(durationMinutes) || durationMinutes < 1 || durationMinutes > MAX_SUPPRESSION_MINUTES)
      throw new UserInputError(`durationMinutes must be 1 to ${MAX_SUPPRESSION_MINUTES}`, {
        field: 'durationMinutes',
      });
    return this.create(em, principal, {
      workspaceId: alarm.workspaceId,
      ruleIds: [alarm.ruleId],
      taskIds: alarm.taskId ? [alarm.taskId] : [],
      endsAt: new Date(Date.now() + durationMinutes * 60_000),
      comment,
    });
  }

  /** Ends it now (a silence yet to start never starts); one already over is left as it is. */
  async expire(em: EntityManager, principal: Principal, id: string): Promise<AlarmSilence> {
    const silence = await this.get(em, principal, id, Role.OPERATOR);
    const now = new Date();
    if (silence.endsAt.getTime() > now.getTime()) {
      if (silence.startsAt.getTime() > now.getTime()) silence.startsAt = now;
      silence.endsAt = now;
      await em.flush();
    }
    return silence;
  }
}
