export { Task, TaskEngine, TaskMode, TaskVersion, type TaskContent } from './task.entity.js';
export {
  ConcurrencyPolicy,
  DATA_TIME_OFFSET,
  DEFAULT_RUN_POLICY,
  Hook,
  HookFailurePolicy,
  HookKind,
  RunPolicy,
} from './task.model.js';
export { TaskResolver, TaskVersionResolver } from './task.resolver.js';
export { ConflictPolicy, ImportStatus, TASK_SEALED_SECRETS, TaskService } from './task.service.js';
export { datasourceOptions, resolveDatasources } from './task-execution.js';
