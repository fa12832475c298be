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
