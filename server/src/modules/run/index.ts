export { Run, RunError } from './run.entity.js';
export { RunLogLevel, RunLogOrigin, RunStatus, RunTrigger } from './run.enums.js';
export { RunDispatcher } from './run-dispatcher.js';
export { RunExecutor } from './run-executor.js';
export { RunMetricsResolver, RunReadDeps, RunResolver, runStreams } from './run.resolver.js';
export { RunService } from './run.service.js';
