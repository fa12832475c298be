import type { EntityManager } from '@mikro-orm/postgresql';
import { flushUnique } from '../../database/sql.js';
import { AppError, NotFoundError, UserInputError, type FieldProblem } from '../../errors.js';
import { Role, type Principal } from '../auth/index.js';
import { normalizeCron, validateCron } from '../schedule/index.js';
import { AlarmMaintenanceWindow } from './alarm-maintenance-window.entity.js';
import type {
  CreateAlarmMaintenanceWindowInput,
  UpdateAlarmMaintenanceWindowInput,
} from './alarm-maintenance-window.types.js';
import type { AlarmSeverity } from './alarm-rule.entity.js';
import { checkMatchers, MAX_SUPPRESSION_MINUTES } from './alarm-silence.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const duplicate = (name: string) => `A maintenance window named "${name}" already exists in this workspace`;

/** Recurring maintenance windows: OPERATOR edits them, VIEWER reads them. */
export class AlarmMaintenanceWindowService {
  async list(em: EntityManager, principal: Principal, workspaceId: string): Promise<AlarmMaintenanceWindow[]> {
    principal.require(workspaceId, Role.VIEWER);
    return em.find(AlarmMaintenanceWindow, { workspaceId }, { orderBy: { name: 'ASC' } });
  }

  /** NOT_FOUND for windows of other workspaces (ids reveal nothing). */
  async get(
    em: EntityManager,
    principal: Principal,
    id: string,
    minimum: Role = Role.VIEWER,
  ): Promise<AlarmMaintenanceWindow> {
    const window = UUID.test(id) ? await em.findOne(AlarmMaintenanceWindow, { id }) : null;
    if (!window || !principal.roleIn(window.workspaceId)) throw new NotFoundError('AlarmMaintenanceWindow', id);
    principal.require(window.workspaceId, minimum);
    return window;
  }

  async create(
    em: EntityManager,
    principal: Principal,
    input: CreateAlarmMaintenanceWindowInput,
  ): Promise<AlarmMaintenanceWindow> {
    principal.require(input.workspaceId, Role.OPERATOR);
    const window = new AlarmMaintenanceWindow();
    window.workspaceId = input.workspaceId;
    window.createdById = principal.user.id;
    await this.apply(em, window, { ...input, timezone: input.timezone ?? 'UTC' });
    em.persist(window);
    await flushUnique(em, duplicate(window.name), 'name');
    return window;
  }

  async update(
    em: EntityManager,
    principal: Principal,
    input: UpdateAlarmMaintenanceWindowInput,
  ): Promise<AlarmMaintenanceWindow> {
    const window = await this.get(em, principal, input.id, Role.OPERATOR);
    await this.apply(em, window, input);
    await flushUnique(em, duplicate(window.name), 'name');
    return window;
  }

  async delete(em: EntityManager, principal: Principal, id: string): Promise<AlarmMaintenanceWindow> {
    const window = await this.get(em, principal, id, Role.OPERATOR);
    await em.remove(window).flush();
    return window;
  }

  /** Validates every field first (all problems at once, each naming its field), then changes the window. */
  private async apply(
    em: EntityManager,
    window: AlarmMaintenanceWindow,
    input: Partial<CreateAlarmMaintenanceWindowInput> & Partial<UpdateAlarmMaintenanceWindowInput>,
  ): Promise<void> {
    const problems: FieldProblem[] = [];
    const name = typeof input.name === 'string' ? input.name.trim() : window.name;
    if (!name || name.length > 100) problems.push({ field: 'name', message: 'name must have 1 to 100 characters' });
    const cron = typeof input.cron === 'string' ? normalizeCron(input.cron) : window.cron;
    const timezone = typeof input.timezone === 'string' ? input.timezone.trim() : window.timezone;
    if (typeof input.cron === 'string' || typeof input.timezone === 'string') {
      try {
        validateCron({ cron, timezone });
        if (cron.length > 200) throw new UserInputError('cron: at most 200 characters', { field: 'cron' });
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'BAD_USER_INPUT') throw err;
        const field = err.extensions.field;
        problems.push({ field: typeof field === 'string' ? field : 'cron', message: err.message });
      }
    }
    const duration = input.durationMinutes ?? window.durationMinutes;
    if (
      input.durationMinutes !== undefined &&
      (input.durationMinutes === null ||
        !Number.isInteger(duration) ||
        duration < 1 ||
        duration > MAX_SUPPRESSION_MINUTES)
    )
      problems.push({ field: 'durationMinutes', message: `durationMinutes must be 1 to ${MAX_SUPPRESSION_MINUTES}` });
    const comment = typeof input.comment === 'string' ? input.comment.trim() : window.comment;
    if (comment.length > 2000)
      problems.push({ field: 'comment', message: 'comment must have at most 2000 characters' });
    const matchers = await checkMatchers(em, window.workspaceId, input, problems, window);
    if (problems.length > 0) throw UserInputError.of(problems);
    window.name = name;
    window.cron = cron;
    window.timezone = timezone;
    window.durationMinutes = duration;
    window.comment = comment;
    if (input.enabled !== undefined && input.enabled !== null) window.enabled = input.enabled;
    window.ruleIds = matchers.ruleIds;
    window.taskIds = matchers.taskIds;
    window.tags = matchers.tags;
    window.severities = matchers.severities as AlarmSeverity[];
  }
}
