export {
  COMMON_OPTIONS,
  PLUGINS,
  embeddedPlugins,
  findPlugin,
  kindsOf,
  type JobMode,
  type OptionValueType,
  type PluginDefinition,
  type PluginKind,
  type PluginOption,
} from './connector-registry.js';
export {
  EmbeddedEngine,
  type EmbeddedEngineOptions,
  type Engine,
  type EngineEvents,
  type EngineHandle,
  type EngineJob,
  type EngineState,
} from './engine.js';
export type { MetricsSnapshot, TableMetrics } from './metrics.js';
export {
  runJob,
  type EngineErrorCode,
  type JobError,
  type JobResult,
  type JobStatus,
  type LogLine,
  type RunOptions,
} from './runner.js';
