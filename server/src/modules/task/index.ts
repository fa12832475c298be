export { Task, TaskEngine, TaskMode, TaskVersion } from './task.entity.js';
export { TaskResolver, TaskVersionResolver } from './task.resolver.js';
export { ConflictPolicy, ImportStatus, TaskService } from './task.service.js';
export { datasourceOptions, resolveDatasources } from './task-execution.js';
