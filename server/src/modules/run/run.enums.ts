import { registerEnumType } from 'type-graphql';

export enum RunStatus {
  PENDING = 'PENDING',
  QUEUED = 'QUEUED',
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLING = 'CANCELLING',
  CANCELLED = 'CANCELLED',
  TIMED_OUT = 'TIMED_OUT',
}
registerEnumType(RunStatus, {
  name: 'RunStatus',
  description:
    'QUEUED → RUNNING → SUCCEEDED | FAILED | TIMED_OUT; CANCELLING → CANCELLED after cancelRun. PENDING: created ' +
    'by a backfill, waiting for its turn (the backfill queues it within its parallelism); neither active nor finished.',
});

/** States a run never leaves. */
export const TERMINAL_STATUSES: readonly RunStatus[] = [
  RunStatus.SUCCEEDED,
  RunStatus.FAILED,
  RunStatus.CANCELLED,
  RunStatus.TIMED_OUT,
];

/** States that hold a concurrency slot or wait for one. */
export const ACTIVE_STATUSES: readonly RunStatus[] = [RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.CANCELLING];

export enum RunTrigger {
  MANUAL = 'MANUAL',
  SCHEDULE = 'SCHEDULE',
  RETRY = 'RETRY',
  BACKFILL = 'BACKFILL',
  API = 'API',
}
registerEnumType(RunTrigger, {
  name: 'RunTrigger',
  description:
    'MANUAL: a person (dashboard); API: an API token; SCHEDULE/BACKFILL: a schedule; RETRY: a failed attempt.',
});

export enum RunLogLevel {
  DEBUG = 'DEBUG',
  INFO = 'INFO',
  WARN = 'WARN',
  ERROR = 'ERROR',
}
registerEnumType(RunLogLevel, { name: 'RunLogLevel' });

export const LOG_LEVEL_RANK: Record<RunLogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export enum RunLogOrigin {
  ENGINE = 'ENGINE',
  HOOK = 'HOOK',
  SYSTEM = 'SYSTEM',
}
registerEnumType(RunLogOrigin, {
  name: 'RunLogOrigin',
  description: 'ENGINE: the job; HOOK: a pre/post hook; SYSTEM: Sluice (dispatch, retries, cancel).',
});
