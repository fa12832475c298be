import type { EntityManager } from '@mikro-orm/postgresql';
import { NotFoundError, UserInputError, type FieldProblem } from '../../errors.js';
import { flushUnique } from '../../database/sql.js';
import { Role, type Principal } from '../auth/index.js';
import { Task } from '../task/index.js';
import { AlarmChannel } from './alarm-channel.entity.js';
import { AlarmCondition, AlarmRule, SWEPT_CONDITIONS } from './alarm-rule.entity.js';
import type { CreateAlarmRuleInput, UpdateAlarmRuleInput } from './alarm-rule.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A year: longer freshness windows are not what alarms are for. */
const MAX_DURATION = 31_536_000;
const duplicate = (name: string) => `An alarm rule named "${name}" already exists in this workspace`;

/** Alarm rules: DEVELOPER edits them (as alarm channels), VIEWER reads them. */
export class AlarmRuleService {
  async list(em: EntityManager, principal: Principal, workspaceId: string): Promise<AlarmRule[]> {
    principal.require(workspaceId, Role.VIEWER);
    return em.find(AlarmRule, { workspaceId }, { orderBy: { name: 'ASC' } });
  }

  /** NOT_FOUND for rules of other workspaces (ids reveal nothing). */
  async get(em: EntityManager, principal: Principal, id: string, minimum: Role = Role.VIEWER): Promise<AlarmRule> {
    const rule = UUID.test(id) ? await em.findOne(AlarmRule, { id }) : null;
    if (!rule || !principal.roleIn(rule.workspaceId)) throw new NotFoundError('AlarmRule', id);
    principal.require(rule.workspaceId, minimum);
    return rule;
  }

  async create(em: EntityManager, principal: Principal, input: CreateAlarmRuleInput): Promise<AlarmRule> {
    principal.require(input.workspaceId, Role.DEVELOPER);
    const rule = new AlarmRule();
    rule.workspaceId = input.workspaceId;
    rule.createdById = principal.user.id;
    await this.apply(em, rule, input);
    em.persist(rule);
    await flushUnique(em, duplicate(rule.name), 'name');
    return rule;
  }

  async update(em: EntityManager, principal: Principal, input: UpdateAlarmRuleInput): Promise<AlarmRule> {
    const rule = await this.get(em, principal, input.id, Role.DEVELOPER);
    await this.apply(em, rule, input);
    await flushUnique(em, duplicate(rule.name), 'name');
    return rule;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<AlarmRule> {
    const rule = await this.get(em, principal, id, Role.DEVELOPER);
    await em.remove(rule).flush();
    return rule;
  }

  /** Validates every field first (all problems reported at once), then changes the rule. */
  private async apply(
    em: EntityManager,
    rule: AlarmRule,
    input: Partial<CreateAlarmRuleInput> & Partial<UpdateAlarmRuleInput>,
  ): Promise<void> {
    const problems: FieldProblem[] = [];
    const given = typeof input.name === 'string';
    const name = given ? input.name!.trim() : rule.name;
    if (given && (name === '' || name.length > 100))
      problems.push({ field: 'name', message: 'name must have 1 to 100 characters' });
    const condition = input.condition ?? rule.condition;
    if (!input.severity && !rule.severity) problems.push({ field: 'severity', message: 'severity is required' });
    // A threshold left out is kept while the condition stays CONSECUTIVE_FAILURES, dropped otherwise.
    const threshold =
      input.threshold !== undefined
        ? input.threshold
        : condition === AlarmCondition.CONSECUTIVE_FAILURES
          ? rule.threshold
          : null;
    if (condition === AlarmCondition.CONSECUTIVE_FAILURES) {
      if (threshold === null || threshold === undefined || threshold < 2 || threshold > 100)
        problems.push({ field: 'threshold', message: 'threshold must be 2 to 100 for CONSECUTIVE_FAILURES' });
    } else if (threshold !== null && threshold !== undefined) {
      problems.push({ field: 'threshold', message: 'threshold is only for CONSECUTIVE_FAILURES' });
    }
    // Same for durationSeconds and the swept conditions.
    const timed = SWEPT_CONDITIONS.includes(condition);
    const duration = input.durationSeconds !== undefined ? input.durationSeconds : timed ? rule.durationSeconds : null;
    if (timed) {
      if (duration === null || duration === undefined || duration < 1 || duration > MAX_DURATION)
        problems.push({
          field: 'durationSeconds',
          message: `durationSeconds must be 1 to ${MAX_DURATION} for ${condition}`,
        });
    } else if (duration !== null && duration !== undefined) {
      problems.push({
        field: 'durationSeconds',
        message: 'durationSeconds is only for RUN_LONGER_THAN and NO_SUCCESS_WITHIN',
      });
    }
    // A pending duration: for the swept conditions, kept unless given; dropped for the others.
    const swept = timed || condition === AlarmCondition.INSTANCE_DOWN;
    const pending = input.pendingSeconds !== undefined ? input.pendingSeconds : swept ? rule.pendingSeconds : null;
    if (pending !== null && pending !== undefined) {
      if (!swept)
        problems.push({
          field: 'pendingSeconds',
          message: 'pendingSeconds is only for RUN_LONGER_THAN, NO_SUCCESS_WITHIN and INSTANCE_DOWN',
        });
      else if (pending < 1 || pending > 86_400)
        problems.push({ field: 'pendingSeconds', message: 'pendingSeconds must be 1 to 86400' });
    }
    if (input.repeatIntervalSeconds !== undefined && (input.repeatIntervalSeconds ?? 0) < 60)
      problems.push({ field: 'repeatIntervalSeconds', message: 'repeatIntervalSeconds must be at least 60' });
    const tags = input.tags?.map((t) => t.trim());
    if (tags?.some((t) => t === '')) problems.push({ field: 'tags', message: 'tags must not be blank' });
    if (input.taskIds) {
      const bad = input.taskIds.filter((id) => !UUID.test(id));
      const found =
        bad.length > 0
          ? []
          : await em.find(Task, { id: { $in: input.taskIds }, workspaceId: rule.workspaceId }, { fields: ['id'] });
      if (bad.length > 0 || found.length !== new Set(input.taskIds).size)
        problems.push({ field: 'taskIds', message: 'taskIds must name tasks of the rule’s workspace' });
    }
    if (input.channelIds) {
      const bad = input.channelIds.filter((id) => !UUID.test(id));
      const found =
        bad.length > 0
          ? []
          : await em.find(
              AlarmChannel,
              { id: { $in: input.channelIds }, workspaceId: rule.workspaceId },
              { fields: ['id'] },
            );
      if (bad.length > 0 || found.length !== new Set(input.channelIds).size)
        problems.push({ field: 'channelIds', message: 'channelIds must name alarm channels of the rule’s workspace' });
    }
    if (problems.length > 0) throw UserInputError.of(problems);
    rule.name = name;
    rule.condition = condition;
    rule.threshold = condition === AlarmCondition.CONSECUTIVE_FAILURES ? (threshold ?? null) : null;
    rule.durationSeconds = timed ? (duration ?? null) : null;
    rule.pendingSeconds = swept ? (pending ?? null) : null;
    if (input.severity) rule.severity = input.severity;
    if (input.enabled !== undefined && input.enabled !== null) rule.enabled = input.enabled;
    if (input.repeatIntervalSeconds !== undefined) rule.repeatIntervalSeconds = input.repeatIntervalSeconds;
    if (tags) rule.tags = [...new Set(tags)];
    if (input.taskIds) rule.taskIds = [...new Set(input.taskIds)];
    if (input.channelIds) rule.channelIds = [...new Set(input.channelIds)];
  }
}
