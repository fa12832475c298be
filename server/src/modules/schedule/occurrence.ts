import { DateTime, type DurationLikeObject } from 'luxon';
import { UserInputError } from '../../errors.js';
import { DATA_TIME_OFFSET, DEFAULT_RUN_POLICY, type RunPolicy, type Task } from '../task/index.js';
import {
  eachOccurrence,
  formatInZone,
  missedToRun,
  occurrencesBetween,
  type CronSchedule,
  type MisfirePolicy,
} from './cron.js';

/** The variables a scheduled or backfill run gets, when its task version declares them. */
export const SCHEDULED_TIME_VARIABLE = 'scheduled_time';
export const DATA_TIME_VARIABLE = 'data_time';

const UNITS: Record<string, keyof DurationLikeObject> = {
  s: 'seconds',
  m: 'minutes',
  h: 'hours',
  d: 'days',
  w: 'weeks',
  M: 'months',
  y: 'years',
};

/**
 * `data_time`: the occurrence moved by the task's offset and written in its format, both in the
 * schedule's zone. Days, weeks, months and years move the calendar (the day before 02:00 is 02:00
 * the day before, even across a daylight-saving change); seconds, minutes and hours move the clock.
 */
export function dataTime(time: Date, timezone: string, policy: Pick<RunPolicy, 'dataTimeOffset' | 'dataTimeFormat'>) {
  const offset = policy.dataTimeOffset || DEFAULT_RUN_POLICY.dataTimeOffset;
  const format = policy.dataTimeFormat || DEFAULT_RUN_POLICY.dataTimeFormat;
  let moment = DateTime.fromJSDate(time, { zone: timezone });
  if (offset !== '0' && DATA_TIME_OFFSET.test(offset)) {
    const unit = UNITS[offset.slice(-1)]!;
    moment = moment.plus({ [unit]: Number(offset.slice(0, -1)) });
  }
  return moment.toFormat(format);
}

/**
 * The values of `scheduled_time` (the nominal occurrence, ISO 8601 with the zone's offset) and
 * `data_time` for a run of the occurrence `time`, for those of the two the task declares.
 */
export function occurrenceVariables(
  time: Date,
  timezone: string,
  declared: ReadonlySet<string>,
  policy: Partial<Pick<RunPolicy, 'dataTimeOffset' | 'dataTimeFormat'>> | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  if (declared.has(SCHEDULED_TIME_VARIABLE)) values[SCHEDULED_TIME_VARIABLE] = formatInZone(time, timezone, 'iso');
  if (declared.has(DATA_TIME_VARIABLE))
    values[DATA_TIME_VARIABLE] = dataTime(time, timezone, { ...DEFAULT_RUN_POLICY, ...policy });
  return values;
}

/** At most this many occurrences run from one fire; the next fire goes on from the last of them. */
export const MAX_PER_FIRE = 10_000;
/** Occurrences walked one by one from the anchor before switching to a backward search. */
const WALK_BUDGET = 20_000;

export interface DueSchedule extends CronSchedule {
  misfirePolicy: MisfirePolicy;
  misfireCap: number;
  catchUpWindowSeconds: number | null;
}

/**
 * The occurrences a fire at `firedAt` starts runs for, oldest first, and the occurrence it handled
 * through (the next fire's anchor; null when none was due).
 *
 * The walk starts at `anchor`, the last occurrence handled (or the instant the schedule started or
 * resumed, as Agenda's own first search did): walking from an occurrence of the chain gives the
 * moments Agenda fires, also at daylight-saving changes (an occurrence moved out of a skipped hour
 * is found; a fixed time is not found again in a repeated hour). Occurrences less late than
 * `thresholdMs` all run; older ones are misfires, of which the policy keeps none (SKIP), the latest
 * (RUN_ONCE) or the latest `misfireCap` (RUN_ALL), and only those at most `catchUpWindowSeconds` old.
 */
export function dueOccurrences(
  schedule: DueSchedule,
  anchor: Date,
  firedAt: Date,
  thresholdMs: number,
): { times: Date[]; through: Date | null } {
  const now = firedAt.getTime();
  const late = now - thresholdMs;
  const oldest = schedule.catchUpWindowSeconds === null ? -Infinity : now - schedule.catchUpWindowSeconds * 1000;
  const keep = schedule.misfirePolicy === 'SKIP' ? 0 : schedule.misfirePolicy === 'RUN_ONCE' ? 1 : schedule.misfireCap;
  let missed: Date[] = [];
  let recent: Date[] = [];
  let through: Date | null = null;
  let steps = 0;
  eachOccurrence(schedule, anchor, firedAt, (time) => {
    if (++steps > WALK_BUDGET) return false;
    through = time;
    if (time.getTime() > late) recent.push(time);
    else if (time.getTime() >= oldest) {
      missed.push(time);
      if (missed.length > keep) missed.shift();
    }
    return true;
  });
  if (steps > WALK_BUDGET) {
    // A long outage of a frequent schedule: misfires found stepping back, recent ones from the threshold.
    const window = schedule.catchUpWindowSeconds;
    const options = {
      cap: schedule.misfireCap,
      catchUpWindowSeconds: window === null ? null : Math.max(0, window - thresholdMs / 1000),
    };
    const before = new Date(late + 1);
    missed = missedToRun(schedule, schedule.misfirePolicy, anchor, before, options);
    recent = occurrencesBetween(schedule, new Date(Math.max(anchor.getTime(), late)), firedAt, MAX_PER_FIRE + 1).times;
    through =
      recent.at(-1) ??
      missedToRun(schedule, 'RUN_ONCE', anchor, before, { cap: 1, catchUpWindowSeconds: null })[0] ??
      null;
  }
  if (recent.length > MAX_PER_FIRE) {
    recent = recent.slice(0, MAX_PER_FIRE);
    through = recent.at(-1)!;
  }
  return { times: [...missed, ...recent], through };
}

/**
 * Checks the `params` a schedule or a backfill gives every run it starts: variables of the task,
 * strings, and not secret (they are stored in the clear; the runs take secret values from the
 * task). BAD_USER_INPUT naming `params` otherwise. `what` names the runs' origin in the message.
 */
export function checkOccurrenceParams(
  task: Pick<Task, 'name' | 'variables'>,
  params: Record<string, unknown>,
  what: 'schedule' | 'backfill',
): Record<string, string> {
  const declared = new Map(task.variables.map((v) => [v.name, v]));
  for (const [name, value] of Object.entries(params)) {
    const variable = declared.get(name);
    if (!variable) {
      throw new UserInputError(`params: "${name}" is not a variable of task "${task.name}"`, { field: 'params' });
    }
    if (variable.secret) {
      throw new UserInputError(
        `params: "${name}" is a secret variable; a ${what}'s runs use the value saved with the task`,
        { field: 'params' },
      );
    }
    if (typeof value !== 'string') throw new UserInputError(`params: "${name}" must be a string`, { field: 'params' });
  }
  return { ...(params as Record<string, string>) };
}
