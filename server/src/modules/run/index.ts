export { Run, RunError } from './run.entity.js';
export { ACTIVE_STATUSES, RunLogLevel, RunLogOrigin, RunStatus, RunTrigger } from './run.enums.js';
export { RunDispatcher, SCHEDULE_JOB, type ScheduleJobSpec, type ScheduleJobState } from './run-dispatcher.js';
export { NOT_RETRIED, RunExecutor } from './run-executor.js';
export { RunMetricsResolver, RunReadDeps, RunResolver, runStreams, TaskRunResolver } from './run.resolver.js';
export { DuplicateOccurrenceError, RUN_SEALED_PARAMS, RunService, type OccurrenceSpec } from './run.service.js';
export { RunPage } from './run.types.js';
